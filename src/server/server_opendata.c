/* Open data while serving: published at start and again after every new batch from
 * the watched folder, so the city's figures follow the data without a cron job. With
 * --social-db the social sources the register allows are published too; the social
 * store is then written to (its release ledger), never from a request. */
#include <stdio.h>

#include "server/server_internal.h"
#include "stad/opendata.h"

void srv_opendata_publish(stad_server *srv, stad_ctx *ctx, stad_store *s,
                          const char *store_path, const char *dir)
{
    stad_store *own = NULL;
    if (!s) {
        if (stad_store_open(ctx, store_path, &own)) {
            stad_log(ctx, STAD_LOG_WARN, "open data not published: %s", stad_errmsg(ctx));
            stad_clear_error(ctx);
            return;
        }
        s = own;
    }
    stad_opendata_opts o;
    stad_opendata_opts_init(&o);
    o.dir = dir;
    o.social_db = srv->social_db; /* its sources that the register allows, if any */
    char base[128];
    if (srv->port > 0) {
        snprintf(base, sizeof base, "http://127.0.0.1:%d/opendata/", srv->port);
        o.base_url = base;
    }
    stad_opendata_report rep;
    int rc = stad_opendata_publish(s, &o, &rep);
    if (rc == STAD_EEMPTY)
        stad_log(ctx, STAD_LOG_INFO, "open data: no source is registered for publication");
    else if (rc)
        stad_log(ctx, STAD_LOG_WARN, "open data not published: %s", stad_errmsg(ctx));
    else
        stad_log(ctx, STAD_LOG_INFO, "open data: %d datasets, %lld cells published, %lld "
                 "suppressed", rep.datasets, (long long)rep.published,
                 (long long)(rep.primary + rep.secondary + rep.ledger));
    stad_clear_error(ctx);
    stad_store_close(own);
}
