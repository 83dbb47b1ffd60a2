/* A synthetic population for demos and tests: households with children per Utrecht
 * buurt, drawn from the CBS key figures (households with children, social-assistance
 * recipients per household, the most common postcode), with benefit status, absence
 * from school, interventions and outcomes whose effects are planted by parameters.
 * It writes three source extracts with the problems real ones have: missing and
 * mistyped BSNs, households that moved (and a benefits register that lags behind),
 * addresses written differently, and periods that do not line up. Every identity is
 * invented. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/ingest_internal.h"
#include "social_internal.h"

typedef struct rng {
    uint64_t s;
} rng;

static double urand(rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return (double)((r->s * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}
static int bern(rng *r, double p) { return urand(r) < p; }
static double logistic(double x) { return 1 / (1 + exp(-x)); }

void stad_synth_defaults(stad_synth_opts *o)
{
    memset(o, 0, sizeof *o);
    o->scale = 0.05;
    o->seed = 20240101;
    o->b0 = 0.8;
    o->b_benefit = -0.8;
    o->b_single = -0.4;
    o->b_wijkteam = 0.6;
    o->b_teen = -0.5;
    o->a0 = -2.2;
    o->a_benefit = 0.9;
    o->p_bsn_missing = 0.02;
    o->p_bsn_typo = 0.01;
    o->p_move = 0.04;
}

/* Next invented BSN from the counter: 8 digits + the check digit that passes the
 * eleven test (counters whose check digit would be 10 are skipped). */
static void next_bsn(uint64_t *ctr, char out[10])
{
    for (;;) {
        uint64_t v = (*ctr)++;
        char d[9];
        for (int i = 7; i >= 0; i--) {
            d[i] = (char)('0' + v % 10);
            v /= 10;
        }
        int sum = 0;
        for (int i = 0; i < 8; i++)
            sum += (9 - i) * (d[i] - '0');
        int c = sum % 11;
        if (c == 10)
            continue;
        memcpy(out, d, 8);
        out[8] = (char)('0' + c);
        out[9] = '\0';
        return;
    }
}

/* One digit changed: fails the eleven test, as a typing error does. */
static void typo(rng *r, char bsn[10])
{
    int pos = (int)(urand(r) * 9);
    int d = bsn[pos] - '0';
    bsn[pos] = (char)('0' + (d + 1 + (int)(urand(r) * 9)) % 10);
}

typedef struct addr {
    char pc4[5], letters[3];
    int number;
    char addition[4];
} addr;

static void new_addr(rng *r, const char *pc4, addr *a)
{
    snprintf(a->pc4, sizeof a->pc4, "%.4s", pc4);
    a->letters[0] = (char)('A' + (int)(urand(r) * 26));
    a->letters[1] = (char)('A' + (int)(urand(r) * 26));
    a->letters[2] = '\0';
    a->number = 1 + (int)(urand(r) * 250);
    static const char *adds[] = {"a", "b", "2", "bis"};
    if (bern(r, 0.12))
        snprintf(a->addition, sizeof a->addition, "%s", adds[(int)(urand(r) * 4)]);
    else
        a->addition[0] = '\0';
}

typedef struct buurt {
    char code[16], wijk[16], pc4[8];
    double hh_kids, p_benefit;
} buurt;

static int read_kwb(stad_ctx *ctx, const char *path, buurt **out, size_t *n)
{
    ingest_reader *rd = NULL;
    int rc = ingest_reader_open(ctx, path, NULL, &rd);
    if (rc)
        return rc;
    int c_code = -1, c_recs = -1, c_hhk = -1, c_hh = -1, c_soz = -1, c_pc = -1;
    for (size_t i = 0; i < rd->ncols; i++) {
        const char *h = rd->headers[i];
        if (!strcmp(h, "gwb_code_10"))
            c_code = (int)i;
        else if (!strcmp(h, "recs"))
            c_recs = (int)i;
        else if (!strcmp(h, "a_hh_m_k"))
            c_hhk = (int)i;
        else if (!strcmp(h, "a_hh"))
            c_hh = (int)i;
        else if (!strcmp(h, "a_soz_wb"))
            c_soz = (int)i;
        else if (!strcmp(h, "pst_mvp"))
            c_pc = (int)i;
    }
    if (c_code < 0 || c_recs < 0 || c_hhk < 0 || c_hh < 0 || c_soz < 0 || c_pc < 0) {
        ingest_reader_close(rd);
        return stad_fail(ctx, STAD_ECOLUMNS, "%s: needs gwb_code_10, recs, a_hh_m_k, a_hh, "
                                             "a_soz_wb, pst_mvp (CBS kerncijfers)", path);
    }
    buurt *b = NULL;
    size_t nb = 0, cap = 0;
    ingest_row row;
    int r;
    while ((r = ingest_reader_next(rd, &row)) == 1) {
        if ((size_t)c_recs >= row.n || strcasecmp(row.field[c_recs], "Buurt") != 0)
            continue;
        double hhk, hh, soz;
        if (ingest_parse_number(row.field[c_hhk], &hhk) || ingest_parse_number(row.field[c_hh], &hh) ||
            !(hh > 0) || strlen(row.field[c_pc]) < 4)
            continue; /* "." = secret or unknown: the buurt is left out */
        if (ingest_parse_number(row.field[c_soz], &soz))
            soz = 0;
        if (nb == cap) {
            cap = cap ? 2 * cap : 128;
            buurt *nbp = realloc(b, cap * sizeof *nbp);
            if (!nbp) {
                free(b);
                ingest_reader_close(rd);
                return stad_fail(ctx, STAD_ENOMEM, "out of memory");
            }
            b = nbp;
        }
        buurt *it = &b[nb++];
        snprintf(it->code, sizeof it->code, "%s", row.field[c_code]);
        /* BU0344WWBB -> WK0344WW */
        snprintf(it->wijk, sizeof it->wijk, "WK%.6s", it->code + 2);
        snprintf(it->pc4, sizeof it->pc4, "%.4s", row.field[c_pc]);
        it->hh_kids = hhk;
        /* Households with children receive social assistance more often than the
         * average household: twice the buurt's recipients per household. */
        it->p_benefit = fmin(0.6, fmax(0.02, 2 * soz / hh));
    }
    ingest_reader_close(rd);
    if (r < 0) {
        free(b);
        return r;
    }
    if (!nb) {
        free(b);
        return stad_fail(ctx, STAD_EEMPTY, "%s: no usable buurt rows", path);
    }
    *out = b;
    *n = nb;
    return 0;
}

static int write_text(stad_ctx *ctx, const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return stad_fail(ctx, STAD_EIO, "%s: cannot write", path);
    int ok = fputs(text, f) >= 0;
    ok = (fclose(f) == 0) && ok;
    return ok ? 0 : stad_fail(ctx, STAD_EIO, "%s: cannot write", path);
}

static const char pol_leerplicht[] =
    "# Column policy of the leerplicht (school attendance) extract.\n"
    "[policy]\nsource = leerplicht\nage_bands = 0,4,12,18\n\n[columns]\n"
    "bsn_leerling = person child\nbsn_ouder = person parent\nnaam_leerling = drop\n"
    "geboortedatum = age-band leeftijd\npostcode = household-postcode\n"
    "huisnummer = household-number\ntoevoeging = household-addition\nbuurtcode = keep buurt\n"
    "wijkcode = keep wijk\nmaand = period\ngezin = keep\nverzuim = keep\n"
    "interventie = keep\nresultaat = keep\n";
static const char pol_inkomen[] =
    "# Column policy of the werk en inkomen (benefits) extract.\n"
    "[policy]\nsource = inkomen\n\n[columns]\n"
    "bsn = person\nnaam = drop\npostcode = household-postcode\nhuisnummer = household-number\n"
    "toevoeging = household-addition\nregeling = keep\ningangsdatum = drop\n"
    "maand = period\nbedrag = drop\n";
static const char pol_wijkteam[] =
    "# Column policy of the wijkteam (neighbourhood team) extract.\n"
    "[policy]\nsource = wijkteam\n\n[columns]\n"
    "bsn_aanmelder = person\nnaam_aanmelder = drop\npostcode = household-postcode\n"
    "huisnummer = household-number\nbuurtcode = keep buurt\nmaand = period\nteam = keep\n"
    "hulpvraag = drop\n";

static void addr_cells(const addr *a, int style, char *pc, size_t pcs, char *nr, size_t nrs,
                       char *add, size_t adds)
{
    /* style 0: "3511AB", "12", "a"; 1: "3511 ab", "12", "A"; 2: "3511AB", "12a", "" */
    if (style == 1)
        snprintf(pc, pcs, "%s %c%c", a->pc4, a->letters[0] + 32, a->letters[1] + 32);
    else
        snprintf(pc, pcs, "%s%s", a->pc4, a->letters);
    if (style == 2) {
        snprintf(nr, nrs, "%d%s", a->number, a->addition);
        add[0] = '\0';
    } else {
        snprintf(nr, nrs, "%d", a->number);
        snprintf(add, adds, "%s", a->addition);
        if (style == 1)
            for (char *p = add; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                    *p = (char)(*p - 32);
    }
}

int stad_synth_generate(stad_ctx *ctx, const stad_synth_opts *o, stad_synth_report *rep)
{
    memset(rep, 0, sizeof *rep);
    if (!o->kwb_csv || !o->out_dir || !(o->scale > 0) || o->scale > 1)
        return stad_fail(ctx, STAD_EINVAL, "synth needs the CBS file, an output folder and "
                                           "a scale in (0, 1]");
    buurt *b = NULL;
    size_t nb = 0;
    int rc = read_kwb(ctx, o->kwb_csv, &b, &nb);
    if (rc)
        return rc;
    rc = write_text(ctx, o->out_dir, "leerplicht.policy", pol_leerplicht);
    if (!rc)
        rc = write_text(ctx, o->out_dir, "inkomen.policy", pol_inkomen);
    if (!rc)
        rc = write_text(ctx, o->out_dir, "wijkteam.policy", pol_wijkteam);
    social_csv w[3] = {{0}};
    static const char *files[3] = {"leerplicht.csv", "inkomen.csv", "wijkteam.csv"};
    static const char *const hdr0[] = {"bsn_leerling", "naam_leerling", "geboortedatum",
                                       "bsn_ouder", "postcode", "huisnummer", "toevoeging",
                                       "buurtcode", "wijkcode", "maand", "gezin", "verzuim",
                                       "interventie", "resultaat"};
    static const char *const hdr1[] = {"bsn", "naam", "postcode", "huisnummer", "toevoeging",
                                       "regeling", "ingangsdatum", "maand", "bedrag"};
    static const char *const hdr2[] = {"bsn_aanmelder", "naam_aanmelder", "postcode",
                                       "huisnummer", "buurtcode", "maand", "team", "hulpvraag"};
    for (int i = 0; i < 3 && !rc; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", o->out_dir, files[i]);
        rc = social_csv_open(ctx, path, &w[i]);
    }
    if (!rc)
        rc = social_csv_row(ctx, &w[0], hdr0, 14);
    if (!rc)
        rc = social_csv_row(ctx, &w[1], hdr1, 9);
    if (!rc)
        rc = social_csv_row(ctx, &w[2], hdr2, 8);
    rng r = {o->seed * 0x9E3779B97F4A7C15ull + 1};
    uint64_t ctr = 90000000; /* invented BSNs: 900000000 and up */
    /* leerplicht: 2024-01..06; inkomen 2023-10..2024-04; wijkteam 2024-01..06 */
    for (size_t bi = 0; bi < nb && !rc; bi++) {
        const buurt *bu = &b[bi];
        double want = bu->hh_kids * o->scale;
        int nh = (int)want + bern(&r, want - floor(want));
        for (int h = 0; h < nh && !rc; h++) {
            rep->households++;
            int single = bern(&r, 0.22);
            int benefit = bern(&r, fmin(0.85, bu->p_benefit * (single ? 2.0 : 1.0)));
            int wijkteam = bern(&r, 0.06 + 0.25 * benefit + 0.08 * single);
            rep->benefit_households += benefit;
            char parent[2][10];
            next_bsn(&ctr, parent[0]);
            next_bsn(&ctr, parent[1]);
            int nkids = 1 + bern(&r, 0.6) + bern(&r, 0.25);
            char kid[3][10], born[3][40];
            int by_[3], bm_[3], bd_[3];
            for (int k = 0; k < nkids; k++) {
                next_bsn(&ctr, kid[k]);
                int age = 4 + (int)(urand(&r) * 13); /* 4..16 on 2024-01-01: of school age all year */
                int month = 1 + (int)(urand(&r) * 12), day = 1 + (int)(urand(&r) * 28);
                /* born after 1 January: one year younger on that date */
                by_[k] = 2024 - age - 1;
                bm_[k] = month;
                bd_[k] = day;
                snprintf(born[k], sizeof born[k], "%02d-%02d-%04d", day, month, by_[k]);
            }
            addr a0, a1;
            new_addr(&r, bu->pc4, &a0);
            int move_month = bern(&r, o->p_move) ? 2 + (int)(urand(&r) * 5) : 99;
            new_addr(&r, bu->pc4, &a1);
            rep->children += nkids;
            /* how each source gets the parent's BSN (leerplicht: sometimes missing or
             * mistyped, fixed per household: it is the same file record each month) */
            char par_lp[10];
            snprintf(par_lp, sizeof par_lp, "%s", parent[0]);
            double u = urand(&r);
            if (u < o->p_bsn_missing)
                par_lp[0] = '\0';
            else if (u < o->p_bsn_missing + o->p_bsn_typo)
                typo(&r, par_lp);
            int wt_has_bsn = bern(&r, 0.7);
            for (int m = -2; m <= 6 && !rc; m++) { /* 2023-10 .. 2024-06 */
                int y = m <= 0 ? 2023 : 2024, mo = m <= 0 ? m + 12 : m;
                char period[40], first[40];
                snprintf(period, sizeof period, "%04d-%02d", y, mo);
                snprintf(first, sizeof first, "01-%02d-%04d", mo, y);
                const addr *now = m >= move_month ? &a1 : &a0;
                /* the benefits register learns of a move two months late */
                const addr *lag = m >= move_month + 2 ? &a1 : &a0;
                char pc[16], nr[16], add[8];
                if (benefit && m <= 4) {
                    addr_cells(lag, 1, pc, sizeof pc, nr, sizeof nr, add, sizeof add);
                    const char *cells[] = {parent[0], "(synthetisch)", pc, nr, add,
                                           "Participatiewet", "01-06-2022", first, "1234,56"};
                    rc = social_csv_row(ctx, &w[1], cells, 9);
                    rep->rows[1]++;
                }
                if (m < 1)
                    continue;
                if (wijkteam && !rc) {
                    addr_cells(now, 2, pc, sizeof pc, nr, sizeof nr, add, sizeof add);
                    const char *cells[] = {wt_has_bsn ? parent[0] : "", "(synthetisch)", pc,
                                           nr, bu->code, period, "Buurtteam", "(vrije tekst)"};
                    rc = social_csv_row(ctx, &w[2], cells, 8);
                    rep->rows[2]++;
                }
                for (int k = 0; k < nkids && !rc; k++) {
                    /* age on the first day of the month, as the policy's age bands see it */
                    int age_now = y - by_[k] - ((mo < bm_[k] || (mo == bm_[k] && 1 < bd_[k])) ? 1 : 0);
                    int teen = age_now >= 12;
                    int absent = bern(&r, logistic(o->a0 + o->a_benefit * benefit));
                    int interv = absent && bern(&r, 0.9);
                    const char *res = "";
                    if (interv)
                        res = bern(&r, logistic(o->b0 + o->b_benefit * benefit +
                                                o->b_single * single +
                                                o->b_wijkteam * wijkteam + o->b_teen * teen))
                                  ? "verbeterd"
                                  : "niet verbeterd";
                    addr_cells(now, 0, pc, sizeof pc, nr, sizeof nr, add, sizeof add);
                    const char *cells[] = {kid[k], "(synthetisch)", born[k], par_lp, pc, nr,
                                           add, bu->code, bu->wijk, period,
                                           single ? "eenouder" : "tweeouder",
                                           absent ? "ja" : "nee", interv ? "ja" : "nee", res};
                    rc = social_csv_row(ctx, &w[0], cells, 14);
                    rep->rows[0]++;
                }
            }
        }
    }
    for (int i = 0; i < 3; i++) {
        if (!w[i].f)
            continue;
        int rc2 = social_csv_close(ctx, &w[i], rc == 0);
        if (!rc)
            rc = rc2;
    }
    free(b);
    return rc;
}
