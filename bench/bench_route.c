/* Routing quality and speed on the standard benchmarks in ../shared/data/routing:
 * TSPLIB (tour length against the optimum), Tsiligirides and Chao OP (score against
 * the verified optimum or the published best), Chao TOP (score against the reference
 * floor). Each instance is also solved by a plain baseline in the same run
 * (TSP: nearest neighbour + full 2-opt; OP/TOP: greedy nearest feasible node per
 * route + 2-opt), and the ratio to it is printed. A missed OP/TOP instance small
 * enough is solved exactly by enumerating every feasible route and packing the best
 * disjoint ones, to tell a search miss from a best-known value that unrounded
 * distances cannot reach. Not a test: it asserts nothing.
 *
 *   bench_route [DATA_DIR] [--quick] [--set tsp|op|top] [--iterations N] [--seconds S]
 *
 * --iterations and --seconds set the OP/TOP search (default 3000 kicks, at most 20 s
 * for OP and 10 s for TOP per instance; --quick: 300 kicks, 6 instances per set).
 *
 * DATA_DIR defaults to $STAD_SHARED_DATA/routing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stad/route.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- best-known tables ---- */

typedef struct known {
    char name[160];
    double value;
    char status[48];
} known;

static known *read_known(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    *n = 0;
    if (!f)
        return NULL;
    known *k = NULL;
    size_t cap = 0;
    char line[4096];
    int header = 1;
    while (fgets(line, sizeof line, f)) {
        if (header) {
            header = 0;
            continue;
        }
        char *tab1 = strchr(line, '\t');
        if (!tab1)
            continue;
        char *tab2 = strchr(tab1 + 1, '\t');
        char *tab3 = tab2 ? strchr(tab2 + 1, '\t') : NULL;
        char *tab4 = tab3 ? strchr(tab3 + 1, '\t') : NULL;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            known *nk = realloc(k, cap * sizeof *k);
            if (!nk)
                break;
            k = nk;
        }
        known *e = &k[*n];
        snprintf(e->name, sizeof e->name, "%.*s", (int)(tab1 - line), line);
        e->value = strtod(tab1 + 1, NULL);
        e->status[0] = 0;
        if (tab3)
            snprintf(e->status, sizeof e->status, "%.*s",
                     (int)((tab4 ? tab4 : tab3 + strlen(tab3)) - tab3 - 1), tab3 + 1);
        (*n)++;
    }
    fclose(f);
    return k;
}

static const known *find_known(const known *k, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(k[i].name, name) == 0)
            return &k[i];
    return NULL;
}

/* ---- TSPLIB ---- */

typedef struct tsp_inst {
    size_t n;
    double *x, *y;
    char type[16];
} tsp_inst;

static int read_tsplib(const char *path, tsp_inst *t)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    memset(t, 0, sizeof *t);
    int coords = 0;
    size_t k = 0;
    while (fgets(line, sizeof line, f)) {
        if (!coords) {
            char *colon = strchr(line, ':');
            if (strncmp(line, "DIMENSION", 9) == 0 && colon) {
                t->n = (size_t)strtoul(colon + 1, NULL, 10);
                t->x = calloc(t->n, sizeof *t->x);
                t->y = calloc(t->n, sizeof *t->y);
            } else if (strncmp(line, "EDGE_WEIGHT_TYPE", 16) == 0 && colon) {
                char *v = colon + 1;
                while (*v == ' ')
                    v++;
                snprintf(t->type, sizeof t->type, "%.*s", (int)strcspn(v, " \r\n"), v);
            } else if (strncmp(line, "NODE_COORD_SECTION", 18) == 0) {
                coords = 1;
            }
            continue;
        }
        if (strncmp(line, "EOF", 3) == 0)
            break;
        char *end;
        strtol(line, &end, 10);
        if (end == line || k >= t->n)
            continue;
        char *e2;
        t->x[k] = strtod(end, &e2);
        t->y[k] = strtod(e2, NULL);
        k++;
    }
    fclose(f);
    return t->n && k == t->n ? 0 : -1;
}

static double geo_rad(double v)
{
    const double PI = 3.141592;
    double deg = (double)(int)v; /* TSPLIB: truncation toward zero (nint in the doc is
                                  * applied to positive DDD.MM values) */
    double min = v - deg;
    return PI * (deg + 5.0 * min / 3.0) / 180.0;
}

static double *tsp_matrix(const tsp_inst *t)
{
    size_t n = t->n;
    double *d = malloc(n * n * sizeof *d);
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double dx = t->x[i] - t->x[j], dy = t->y[i] - t->y[j], v;
            if (i == j) {
                v = 0;
            } else if (strcmp(t->type, "ATT") == 0) {
                double r = sqrt((dx * dx + dy * dy) / 10.0);
                double tt = (double)lround(r);
                v = tt < r ? tt + 1 : tt;
            } else if (strcmp(t->type, "GEO") == 0) {
                const double RRR = 6378.388;
                double lai = geo_rad(t->x[i]), loi = geo_rad(t->y[i]);
                double laj = geo_rad(t->x[j]), loj = geo_rad(t->y[j]);
                double q1 = cos(loi - loj), q2 = cos(lai - laj), q3 = cos(lai + laj);
                v = (double)(int)(RRR * acos(0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3)) + 1.0);
            } else {
                v = (double)lround(sqrt(dx * dx + dy * dy));
            }
            d[i * n + j] = v;
        }
    return d;
}

static const char *tsp_names[] = {"burma14", "ulysses16", "att48", "eil51", "berlin52",
                                  "st70", "eil76", "pr76", "kroA100", "kroB100", "rd100",
                                  "eil101", "lin105", "ch130", "ch150", "kroA200", "a280",
                                  "lin318", "pcb442", "rat783", "pr1002", "u1060", "d1291"};

static void bench_tsp(stad_ctx *ctx, const char *dir, int quick)
{
    char path[2048];
    snprintf(path, sizeof path, "%.1500s/tsplib/best-known.tsv", dir);
    size_t nk;
    known *k = read_known(path, &nk);
    printf("\n## TSPLIB: tour length, gap to the optimum\n\n");
    printf("| instance | n | optimum | stad | gap | time s | NN+2opt | gap | time s | "
           "ratio stad/baseline |\n|---|---|---|---|---|---|---|---|---|---|\n");
    int over = 0, count = 0;
    double sum_gap = 0, sum_gap_b = 0;
    for (size_t i = 0; i < sizeof tsp_names / sizeof *tsp_names; i++) {
        tsp_inst t;
        snprintf(path, sizeof path, "%.1500s/tsplib/%.100s.tsp", dir, tsp_names[i]);
        if (read_tsplib(path, &t)) {
            printf("| %s | cannot read %s |\n", tsp_names[i], path);
            continue;
        }
        if (quick && t.n > 200) {
            free(t.x);
            free(t.y);
            continue;
        }
        char kname[64];
        snprintf(kname, sizeof kname, "%s.tsp", tsp_names[i]);
        const known *kv = find_known(k, nk, kname);
        double *d = tsp_matrix(&t);
        int *tour = malloc(t.n * sizeof *tour), *base = malloc(t.n * sizeof *base);
        /* baseline: nearest neighbour from city 0, then full 2-opt to a local optimum */
        double t0 = now_s();
        stad_route_tsp_nearest(ctx, t.n, d, 0, base);
        stad_route_tsp_opts bo;
        stad_route_tsp_opts_init(&bo, t.n);
        bo.neighbours = (int)t.n - 1;
        bo.or_opt = 0;
        bo.iterations = 0;
        double blen;
        stad_route_tsp_improve(ctx, t.n, d, &bo, base, &blen);
        double tb = now_s() - t0;
        t0 = now_s();
        stad_route_tsp_nearest(ctx, t.n, d, 0, tour);
        stad_route_tsp_opts o;
        stad_route_tsp_opts_init(&o, t.n);
        o.iterations = (long)(t.n < 200 ? 20000 : 100 * t.n);
        o.time_limit = quick ? 2 : 30;
        double len;
        stad_route_tsp_improve(ctx, t.n, d, &o, tour, &len);
        double ts = now_s() - t0;
        double opt = kv ? kv->value : NAN;
        double gap = 100 * (len - opt) / opt, gapb = 100 * (blen - opt) / opt;
        if (t.n <= 1002) {
            over += gap > 2;
            count++;
            sum_gap += gap;
            sum_gap_b += gapb;
        }
        printf("| %s | %zu | %.0f | %.0f | %.2f%% | %.2f | %.0f | %.2f%% | %.3f | %.3f |\n",
               tsp_names[i], t.n, opt, len, gap, ts, blen, gapb, tb, len / blen);
        fflush(stdout);
        free(d);
        free(tour);
        free(base);
        free(t.x);
        free(t.y);
    }
    printf("\nTSPLIB up to 1,002 nodes: %d instances, mean gap stad %.2f%%, baseline %.2f%%; "
           "%d above 2%%.\n",
           count, count ? sum_gap / count : 0, count ? sum_gap_b / count : 0, over);
    free(k);
}

/* ---- OP / TOP ---- */

typedef struct op_inst {
    size_t n;
    int teams;
    double budget;
    double *x, *y, *s;
    int start, end;
} op_inst;

static int read_op(const char *path, int top, op_inst *p)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    memset(p, 0, sizeof *p);
    char line[512];
    size_t cap = 0, n = 0, declared = 0;
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *q = line;
        while (*q == ' ' || *q == '\t')
            q++;
        if (!*q || *q == '\n' || *q == '\r')
            continue;
        if (top && lineno <= 3) {
            char *v = q;
            while (*v && *v != ' ' && *v != '\t')
                v++;
            double val = strtod(v, NULL);
            if (lineno == 1)
                declared = (size_t)val;
            else if (lineno == 2)
                p->teams = (int)val;
            else
                p->budget = val;
            continue;
        }
        if (!top && lineno == 1) {
            char *e;
            p->budget = strtod(q, &e);
            p->teams = 1;
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 128;
            p->x = realloc(p->x, cap * sizeof *p->x);
            p->y = realloc(p->y, cap * sizeof *p->y);
            p->s = realloc(p->s, cap * sizeof *p->s);
        }
        char *e1, *e2;
        p->x[n] = strtod(q, &e1);
        p->y[n] = strtod(e1, &e2);
        p->s[n] = strtod(e2, NULL);
        if (e1 == q || e2 == e1)
            continue;
        n++;
    }
    fclose(f);
    p->n = n;
    p->start = 0;
    p->end = top ? (int)n - 1 : 1;
    (void)declared;
    return n >= 2 ? 0 : -1;
}

/* Baseline: each route in turn goes to the nearest unvisited scored node from which
 * the end is still reachable; then each route gets a full 2-opt (that only shortens). */
static double op_baseline(const stad_route_op *op)
{
    size_t n = op->n;
    unsigned char *vis = calloc(n, 1);
    double total = 0;
    for (int k = 0; k < op->teams; k++) {
        int cur = op->start;
        double t = 0;
        for (;;) {
            int best = -1;
            for (size_t j = 0; j < n; j++) {
                if (vis[j] || (int)j == op->start || (int)j == op->end || op->score[j] <= 0)
                    continue;
                double tt = t + op->d[(size_t)cur * n + j] + op->d[j * n + (size_t)op->end];
                if (tt > op->budget + 1e-9)
                    continue;
                if (best < 0 || op->d[(size_t)cur * n + j] < op->d[(size_t)cur * n + (size_t)best])
                    best = (int)j;
            }
            if (best < 0)
                break;
            t += op->d[(size_t)cur * n + (size_t)best];
            vis[best] = 1;
            total += op->score[best];
            cur = best;
        }
    }
    free(vis);
    return total; /* 2-opt shortens routes but cannot change the score of this greedy */
}

/* ---- exact cross-check of a missed (team) orienteering instance ----
 * Every elementary path from start to end within the budget is enumerated (node sets
 * kept once), then the best m pairwise disjoint sets are found by depth-first search.
 * Only for n <= 128 and when the paths and the search stay under their caps; then the
 * result is the proven optimum under this bench's distance convention. */

typedef struct exact_run {
    const stad_route_op *op;
    uint64_t (*set)[2];
    double *sc;
    size_t count, cap, table_size;
    size_t *table; /* open addressing over the sets: index + 1 */
    long paths, max_paths, steps, max_steps;
    int failed;
    double best;
} exact_run;

static void exact_add(exact_run *e, const uint64_t set[2], double sc)
{
    uint64_t h = (set[0] * 0x9E3779B97F4A7C15ULL) ^ (set[1] * 0xC2B2AE3D27D4EB4FULL);
    size_t mask = e->table_size - 1, s = (size_t)(h >> 17) & mask;
    for (; e->table[s]; s = (s + 1) & mask) {
        size_t i = e->table[s] - 1;
        if (e->set[i][0] == set[0] && e->set[i][1] == set[1])
            return;
    }
    if (e->count == e->cap) {
        e->failed = 1;
        return;
    }
    e->set[e->count][0] = set[0];
    e->set[e->count][1] = set[1];
    e->sc[e->count++] = sc;
    e->table[s] = e->count;
}

static void exact_paths(exact_run *e, int cur, double t, uint64_t set[2], double sc)
{
    const stad_route_op *op = e->op;
    if (e->failed || ++e->paths > e->max_paths) {
        e->failed = 1;
        return;
    }
    if (set[0] | set[1])
        exact_add(e, set, sc);
    for (size_t j = 0; j < op->n; j++) {
        if ((int)j == op->start || (int)j == op->end || op->score[j] <= 0 ||
            (set[j / 64] >> (j % 64) & 1))
            continue;
        double t2 = t + op->d[(size_t)cur * op->n + j];
        if (t2 + op->d[j * op->n + (size_t)op->end] > op->budget + 1e-9)
            continue;
        set[j / 64] |= 1ULL << (j % 64);
        exact_paths(e, (int)j, t2, set, sc + op->score[j]);
        set[j / 64] &= ~(1ULL << (j % 64));
    }
}

static int by_sc_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

static void exact_pack(exact_run *e, const size_t *order, int m, size_t from, uint64_t u0,
                       uint64_t u1, double sc)
{
    if (sc > e->best)
        e->best = sc;
    if (!m)
        return;
    for (size_t o = from; o < e->count; o++) {
        size_t i = order[o];
        if (sc + e->sc[i] * m <= e->best)
            return; /* falling scores: nothing further can beat the best */
        if (++e->steps > e->max_steps) {
            e->failed = 1;
            return;
        }
        if ((e->set[i][0] & u0) || (e->set[i][1] & u1))
            continue;
        exact_pack(e, order, m - 1, o + 1, u0 | e->set[i][0], u1 | e->set[i][1], sc + e->sc[i]);
    }
}

/* 1 and the optimum in *opt when proven; 0 when the instance is too large. */
static int op_exact(const stad_route_op *op, double *opt)
{
    if (op->n > 128 || op->service || op->open)
        return 0;
    exact_run e = {.op = op, .cap = 1u << 21, .max_paths = 20000000L, .max_steps = 300000000L};
    e.table_size = 2 * e.cap;
    e.set = malloc(e.cap * sizeof *e.set);
    e.sc = malloc(e.cap * sizeof *e.sc);
    e.table = calloc(e.table_size, sizeof *e.table);
    size_t *order = NULL;
    int ok = 0;
    if (e.set && e.sc && e.table) {
        uint64_t set[2] = {0, 0};
        exact_paths(&e, op->start, 0, set, 0);
        if (!e.failed && (order = malloc((e.count ? e.count : 1) * sizeof *order))) {
            /* order by falling score: sort (score, index) pairs */
            double (*pairs)[2] = malloc((e.count ? e.count : 1) * sizeof *pairs);
            if (pairs) {
                for (size_t i = 0; i < e.count; i++) {
                    pairs[i][0] = e.sc[i];
                    pairs[i][1] = (double)i;
                }
                qsort(pairs, e.count, sizeof *pairs, by_sc_desc);
                for (size_t i = 0; i < e.count; i++)
                    order[i] = (size_t)pairs[i][1];
                free(pairs);
                exact_pack(&e, order, op->teams, 0, 0, 0, 0);
                ok = !e.failed;
                *opt = e.best;
            }
        }
    }
    free(order);
    free(e.set);
    free(e.sc);
    free(e.table);
    return ok;
}

static void bench_op(stad_ctx *ctx, const char *dir, int top, int quick, long iterations,
                     double seconds)
{
    char path[2048];
    snprintf(path, sizeof path, "%.1500s/op/best-known.tsv", dir);
    size_t nk;
    known *k = read_known(path, &nk);
    const char *sets_op[] = {"op/tsiligirides_1", "op/tsiligirides_2", "op/tsiligirides_3",
                             "op/set_64_1", "op/set_66_1"};
    const char *sets_top[] = {"top/set_32_234", "top/set_21_234", "top/set_33_234",
                              "top/set_100_234", "top/set_66_234", "top/set_64_234",
                              "top/set_102_234"};
    const char **sets = top ? sets_top : sets_op;
    size_t n_sets = top ? 7 : 5;
    printf("\n## %s: score against the best known\n\n", top ? "Team orienteering (Chao p1-p7)"
                                                            : "Orienteering (Tsiligirides, Chao)");
    printf("| set | instances | status | mean gap | worst gap | missed target | of which at the "
           "exact optimum | mean time s | max time s | ratio stad/baseline |\n"
           "|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t si = 0; si < n_sets; si++) {
        int count = 0, missed = 0, at_exact = 0;
        double sum_gap = 0, worst = 0, sum_t = 0, max_t = 0, sum_ratio = 0;
        char status[48] = "";
        char worst_name[160] = "";
        for (size_t i = 0; i < nk; i++) {
            size_t L = strlen(sets[si]);
            if (strncmp(k[i].name, sets[si], L) || k[i].name[L] != '/')
                continue;
            if (quick && count >= 6)
                break;
            op_inst p;
            snprintf(path, sizeof path, "%.1500s/op/%.160s", dir, k[i].name);
            if (read_op(path, top, &p))
                continue;
            double *d = malloc(p.n * p.n * sizeof *d);
            stad_route_matrix_euclid(ctx, p.n, p.x, p.y, 1.0, d);
            stad_route_op op = {.n = p.n, .d = d, .score = p.s, .start = p.start,
                                .end = p.end, .teams = p.teams, .budget = p.budget};
            stad_route_op_solution sol;
            stad_route_op_solution_alloc(&op, &sol);
            stad_route_op_opts o = {.iterations = iterations ? iterations : quick ? 300 : 3000,
                                    .time_limit = seconds > 0 ? seconds : top ? 10 : 20,
                                    .seed = 1};
            double t0 = now_s();
            stad_route_op_solve(ctx, &op, &o, &sol);
            double ts = now_s() - t0;
            if (stad_route_op_check(ctx, &op, &sol))
                printf("INVALID %s: %s\n", k[i].name, stad_errmsg(ctx));
            double base = op_baseline(&op);
            double gap = k[i].value > 0 ? 100 * (k[i].value - sol.score) / k[i].value : 0;
            /* targets: verified optimum exactly; published best within 1%;
             * TOP reference minus 2% */
            int miss = strcmp(k[i].status, "optimal-verified") == 0 ? sol.score < k[i].value - 1e-6
                       : top ? gap > 2 + 1e-9
                             : gap > 1 + 1e-9;
            missed += miss;
            if (gap > worst || !worst_name[0]) {
                worst = gap > worst ? gap : worst;
                snprintf(worst_name, sizeof worst_name, "%s", k[i].name);
            }
            if (!strstr(status, k[i].status) && strlen(status) + strlen(k[i].status) + 2 < sizeof status)
                snprintf(status + strlen(status), sizeof status - strlen(status), "%s%s",
                         status[0] ? "," : "", k[i].status);
            sum_gap += gap;
            sum_t += ts;
            max_t = ts > max_t ? ts : max_t;
            sum_ratio += base > 0 ? sol.score / base : 1;
            count++;
            if (miss) {
                double opt;
                int proven = op_exact(&op, &opt);
                fprintf(stderr, "  %s: %.0f, best known %.0f (%s)", k[i].name, sol.score,
                        k[i].value, k[i].status);
                if (proven)
                    fprintf(stderr, "; exact optimum by enumeration %.0f%s\n", opt,
                            opt < k[i].value - 1e-6 ? " (best known not reachable with "
                                                      "unrounded distances)"
                                                    : "");
                else
                    fprintf(stderr, "; too large to enumerate\n");
                if (proven && sol.score >= opt - 1e-6)
                    at_exact++;
            } else if (sol.score > k[i].value + 1e-6) {
                fprintf(stderr, "  %s: %.0f, above the best known %.0f (%s)\n", k[i].name,
                        sol.score, k[i].value, k[i].status);
            }
            stad_route_op_solution_free(&sol);
            free(d);
            free(p.x);
            free(p.y);
            free(p.s);
        }
        printf("| %s | %d | %s | %.2f%% | %.2f%% | %d | %d | %.3f | %.3f | %.2f |\n", sets[si],
               count, status, count ? sum_gap / count : 0, worst, missed, at_exact,
               count ? sum_t / count : 0,
               max_t, count ? sum_ratio / count : 0);
        fflush(stdout);
    }
    free(k);
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *only = NULL;
    int quick = 0;
    long iterations = 0;
    double seconds = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc)
            iterations = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc)
            only = argv[++i];
        else
            dir = argv[i];
    }
    char buf[1024];
    if (!dir) {
        const char *sh = getenv("STAD_SHARED_DATA");
        snprintf(buf, sizeof buf, "%s/routing", sh && *sh ? sh : "../shared/data");
        dir = buf;
    }
    stad_ctx *ctx;
    if (stad_ctx_new(&ctx))
        return 1;
    printf("# bench_route on %s%s", dir, quick ? " (quick)" : "");
    if (iterations || seconds > 0)
        printf(" (OP/TOP: %ld kicks, at most %g s)", iterations, seconds);
    printf("\n");
    if (!only || strcmp(only, "tsp") == 0)
        bench_tsp(ctx, dir, quick);
    if (!only || strcmp(only, "op") == 0)
        bench_op(ctx, dir, 0, quick, iterations, seconds);
    if (!only || strcmp(only, "top") == 0)
        bench_op(ctx, dir, 1, quick, iterations, seconds);
    stad_ctx_free(ctx);
    return 0;
}
