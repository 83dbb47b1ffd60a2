/* The privacy officer's routes: GET /api/register (every source with its register
 * fields), POST /api/register/set and /api/register/approve, GET /api/audit; and
 * the administrator's GET /api/users. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"
#include "stad/timeparse.h"

static int add_source(void *user, const stad_source_row *r)
{
    json_t *j = json_pack(
        "{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I}", "id",
        (json_int_t)r->id, "name", srv_json_str(r->name), "holder", srv_json_str(r->holder),
        "purpose", srv_json_str(r->purpose), "legal_basis", srv_json_str(r->legal_basis),
        "retention_days", r->retention_days ? json_integer(r->retention_days) : json_null(),
        "sensitivity", srv_json_str(r->sensitivity), "roles", srv_json_str(r->roles),
        "status", srv_json_str(r->status), "approved_by", srv_json_str(r->approved_by),
        "approved_at", r->approved_at ? srv_json_utc(r->approved_at) : json_null(),
        "batches", (json_int_t)r->n_batches, "events", (json_int_t)r->n_events);
    if (!j)
        return STAD_ENOMEM;
    return json_array_append_new(user, j) ? STAD_ENOMEM : 0;
}

int srv_h_register(srv_req *rq, json_t **out)
{
    json_t *arr = json_array();
    if (stad_store_sources_each(rq->store, add_source, arr)) {
        json_decref(arr);
        return srv_fail_internal(rq, "reading the register");
    }
    rq->rows = (int64_t)json_array_size(arr);
    *out = json_pack("{s:o}", "sources", arr);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

/* Optional string member: NULL when absent; -1 when not a string. */
static int opt_str(srv_req *rq, json_t *body, const char *key, const char **v)
{
    json_t *m = json_object_get(body, key);
    *v = NULL;
    if (!m || json_is_null(m))
        return 0;
    if (!json_is_string(m) || json_string_length(m) > 1000)
        return srv_fail(rq, 400, key, "%s must be a string of at most 1000 characters", key);
    *v = json_string_value(m);
    return 0;
}

static int write_failed(srv_req *rq, int rc)
{
    stad_server *srv = rq->srv;
    if (rc == STAD_EINVAL || rc == STAD_ENOTFOUND)
        return srv_fail(rq, rc == STAD_EINVAL ? 400 : 404, NULL, "%s",
                        stad_errmsg(srv->wr_ctx));
    srv_log(srv, STAD_LOG_ERROR, "server: register: %s", stad_errmsg(srv->wr_ctx));
    return srv_fail(rq, 500, NULL, "internal error while changing the register");
}

int srv_h_register_set(srv_req *rq, json_t **out)
{
    json_t *body;
    if (srv_body_json(rq, &body))
        return -1;
    stad_source_update u;
    stad_source_update_init(&u);
    const char *name;
    json_t *ret = json_object_get(body, "retention_days");
    int bad = opt_str(rq, body, "source", &name) || opt_str(rq, body, "holder", &u.holder) ||
              opt_str(rq, body, "purpose", &u.purpose) ||
              opt_str(rq, body, "legal_basis", &u.legal_basis) ||
              opt_str(rq, body, "sensitivity", &u.sensitivity) ||
              opt_str(rq, body, "roles", &u.roles);
    if (!bad && !name)
        bad = srv_fail(rq, 400, "source", "source is required");
    if (!bad && ret && !json_is_null(ret)) {
        if (!json_is_integer(ret) || json_integer_value(ret) < 0 ||
            json_integer_value(ret) > 36525)
            bad = srv_fail(rq, 400, "retention_days", "retention_days must be 0..36525");
        else
            u.retention_days = (int)json_integer_value(ret);
    }
    if (bad) {
        json_decref(body);
        return -1;
    }
    stad_server *srv = rq->srv;
    pthread_mutex_lock(&srv->wr_mu);
    /* Only existing sources: a new one comes with its first file. */
    int64_t id = 0;
    int rc = 0;
    stad_store *w = srv->wr;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(stad_store_db(w), "SELECT id FROM source WHERE name = ?", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            id = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (!id)
        rc = stad_fail(srv->wr_ctx, STAD_ENOTFOUND, "no source named %s", name);
    else
        rc = stad_privacy_source_set(w, rq->who.name, "http", name, &u);
    pthread_mutex_unlock(&srv->wr_mu);
    json_decref(body);
    if (rc)
        return write_failed(rq, rc);
    *out = json_pack("{s:s}", "status", "saved");
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

int srv_h_register_approve(srv_req *rq, json_t **out)
{
    json_t *body;
    if (srv_body_json(rq, &body))
        return -1;
    const char *name = json_string_value(json_object_get(body, "source"));
    json_t *ap = json_object_get(body, "approve");
    if (!name || (ap && !json_is_boolean(ap))) {
        json_decref(body);
        return srv_fail(rq, 400, NULL, "source (string) and approve (true/false) expected");
    }
    int approve = ap ? json_is_true(ap) : 1;
    stad_server *srv = rq->srv;
    pthread_mutex_lock(&srv->wr_mu);
    int rc = stad_privacy_source_approve(srv->wr, rq->who.name, "http", name, approve);
    pthread_mutex_unlock(&srv->wr_mu);
    json_decref(body);
    if (rc)
        return write_failed(rq, rc);
    *out = json_pack("{s:s}", "status", approve ? "approved" : "pending");
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

static int add_audit(void *user, const stad_audit_row *r)
{
    json_t *j = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                          (json_int_t)r->id, "time", srv_json_utc(r->t), "actor",
                          srv_json_str(r->actor), "interface", srv_json_str(r->interface),
                          "action", srv_json_str(r->action), "route", srv_json_str(r->route),
                          "query", srv_json_str(r->query), "sources",
                          srv_json_str(r->sources), "rows",
                          r->rows >= 0 ? json_integer(r->rows) : json_null(), "outcome",
                          srv_json_str(r->outcome));
    if (!j)
        return STAD_ENOMEM;
    return json_array_append_new(user, j) ? STAD_ENOMEM : 0;
}

int srv_h_audit(srv_req *rq, json_t **out)
{
    stad_audit_filter f = {0};
    long limit;
    if (srv_param_int(rq, "limit", 1, 10000, 500, &limit))
        return -1;
    f.limit = limit;
    const char *v;
    if ((v = srv_param(rq, "since"))) {
        int64_t t;
        int prec;
        const char *why = NULL;
        if (stad_time_parse(v, &t, &prec, &why) != 0)
            return srv_fail(rq, 400, "since", "since must be a date");
        f.since = t;
    }
    if ((v = srv_param(rq, "actor"))) {
        if (strlen(v) > STAD_NAME_MAX + 4)
            return srv_fail(rq, 400, "actor", "actor is too long");
        f.actor = v;
    }
    if ((v = srv_param(rq, "action"))) {
        if (strlen(v) > 31)
            return srv_fail(rq, 400, "action", "action is too long");
        f.action = v;
    }
    json_t *arr = json_array();
    if (stad_privacy_audit_each(rq->store, &f, add_audit, arr)) {
        json_decref(arr);
        return srv_fail_internal(rq, "reading the audit log");
    }
    rq->rows = (int64_t)json_array_size(arr);
    *out = json_pack("{s:o}", "rows", arr);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

static int add_user(void *user, const stad_account_row *r)
{
    json_t *j = json_pack("{s:o, s:o, s:b, s:i, s:o}", "name", srv_json_str(r->name),
                          "roles", srv_json_str(r->roles), "locked", r->locked, "failures",
                          r->failures, "created", srv_json_utc(r->created));
    if (!j)
        return STAD_ENOMEM;
    return json_array_append_new(user, j) ? STAD_ENOMEM : 0;
}

int srv_h_users(srv_req *rq, json_t **out)
{
    json_t *arr = json_array();
    if (stad_privacy_users_each(rq->store, add_user, arr)) {
        json_decref(arr);
        return srv_fail_internal(rq, "listing accounts");
    }
    rq->rows = (int64_t)json_array_size(arr);
    *out = json_pack("{s:o}", "users", arr);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}
