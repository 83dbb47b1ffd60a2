/* stad opendata: figures from the city returned to the city. `stad publish DIR`
 * writes aggregated, suppressed tables (counts per buurt and wijk x month x kind,
 * one dataset per theme: incidents, complaints, enforcement) as CSV and GeoJSON,
 * with DCAT-AP-DONL metadata in Turtle and JSON-LD and a human index.html.
 * See docs/opendata.md.
 *
 * What may be published: only events of sources that are approved in the register
 * AND list the role `public` (stad_opendata_source_public). Pending sources never.
 *
 * Disclosure control: the threshold rule and secondary suppression of the social
 * domain (stad_suppress), per kind on wijk x month and, inside each wijk, buurt x
 * month (so a wijk figure minus its published buurten reveals no small cell); a
 * suppressed wijk cell suppresses its buurt cells. Then the release ledger (tables
 * opendata_release/opendata_cell in the store): a cell published earlier with a
 * count that differs from the new one by 1..threshold-1 would reveal that small
 * group by subtraction; such a cell is suppressed ("ledger"), or with `strict` the
 * whole publication is refused with STAD_ERANGE.
 *
 * Social-domain aggregates (with opts.social_db): households per buurt and wijk x
 * month of every social source (docs/social.md) whose register entry of the same name
 * allows publication, one dataset per source, counted from the records' kept columns
 * `buurt` and `wijk`. The same threshold and suppression (counting households), the
 * count ledger above, and the social domain's own ledger (stad_social_ledger_check in
 * the social store): no published cell and a cell of any earlier release, open data
 * or `stad social release`, are nested and differ by 1..threshold-1 households.
 *
 * Ownership: options and report are the caller's; nothing is kept. Files are written
 * to a temporary name and renamed, so a harvester never reads half a file. */
#ifndef STAD_OPENDATA_H
#define STAD_OPENDATA_H

#include <stdint.h>

#include "base.h"
#include "store.h"

typedef struct stad_opendata_opts {
    const char *dir;           /* output directory (created when missing) */
    const char *base_url;      /* where DIR is served; default
                                  "http://127.0.0.1:8080/opendata/" */
    const char *publisher;     /* default "Gemeente <city.name>" */
    const char *authority_uri; /* overheid:authority; default
                                  http://standaarden.overheid.nl/owms/terms/<City>_(gemeente) */
    const char *contact_email; /* default "opendata@example.org": set it */
    int threshold;             /* minimum events per published cell; 0 = 10 */
    int strict;                /* refuse the publication on a ledger conflict */
    int64_t now;               /* unix seconds; 0 = time(NULL) */
    const char *social_db;     /* social store (stad social import) for the social-domain
                                  datasets; NULL = none. Opened read-write: the ledger */
} stad_opendata_opts;

typedef struct stad_opendata_report {
    int64_t sources;             /* publishable sources */
    int64_t events;              /* events aggregated */
    int64_t social_sources;      /* publishable social sources in the social store */
    int64_t social_records;      /* their records counted (with a month and known area) */
    int64_t cells;               /* non-empty cells */
    int64_t published;
    int64_t primary, secondary;  /* suppressed by the threshold rule / to protect them */
    int64_t ledger;              /* suppressed against earlier releases */
    int64_t release;             /* ledger id of this release; 0 when nothing changed */
    int datasets;                /* datasets written */
} stad_opendata_report;

void stad_opendata_opts_init(stad_opendata_opts *o);

/* 1 when the register entry allows publication: approved and roles lists "public". */
int stad_opendata_source_public(const stad_source_row *r);

/* Aggregates, suppresses, checks the ledger, writes DIR and records the release.
 * 0, STAD_ERANGE (strict and a ledger conflict: nothing written or recorded),
 * STAD_EEMPTY (no publishable source), STAD_EIO, STAD_ESTORE; the social store's
 * errors (STAD_ENOTFOUND, STAD_ESCHEMA) when opts.social_db cannot be opened. */
int stad_opendata_publish(stad_store *s, const stad_opendata_opts *o,
                          stad_opendata_report *rep);

#endif
