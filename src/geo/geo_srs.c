/* OGR spatial references with stad's axis order. */
#include "geo/geo_srs.h"

OGRSpatialReferenceH geo_srs_from(const char *def)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    if (!srs)
        return NULL;
    if (OSRSetFromUserInput(srs, def) != OGRERR_NONE) {
        OSRDestroySpatialReference(srs);
        return NULL;
    }
    /* x = east / longitude everywhere, whatever the CRS definition says. */
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}
