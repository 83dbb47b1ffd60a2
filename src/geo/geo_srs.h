/* OGR spatial references made the way stad uses them. Internal to the layers that read
 * geodata with GDAL/OGR (geo, and the modules above it that load geometry). */
#ifndef STAD_GEO_SRS_H
#define STAD_GEO_SRS_H

#include <ogr_srs_api.h>

/* A spatial reference from "EPSG:nnnn", a PROJ string or WKT, with x = east /
 * longitude whatever the CRS definition says; NULL when def is not understood.
 * Release with OSRDestroySpatialReference. */
OGRSpatialReferenceH geo_srs_from(const char *def);

#endif
