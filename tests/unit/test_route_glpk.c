/* Exact cross-check of the (team) orienteering solver on small random instances:
 * each instance is written as a MathProg model (a route per team member from and to
 * the depot, Miller-Tucker-Zemlin subtour elimination, a travel budget per route),
 * solved to proven optimality by GLPK's glpsol (Debian glpk-utils, found on PATH at
 * run time), and stad_route_op_solve must reach the same optimal score with a
 * solution that stad_route_op_check accepts. Scores and distances are whole numbers,
 * so the two scores must be equal, not close. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stad/route.h"
#include "test_util.h"

extern char **environ;

static char tmpdir[512];
static char glpsol[1024];

/* The model: nodes 0..n-1, 0 the depot; m routes; d whole numbers. */
static const char MODEL[] =
    "param n integer > 1;\n"
    "param m integer > 0;\n"
    "param B >= 0;\n"
    "set N := 0..n-1;\n"
    "set V := 1..n-1;\n"
    "set K := 1..m;\n"
    "param d{N, N} >= 0;\n"
    "param s{V} >= 0;\n"
    "var x{i in N, j in N, k in K: i != j}, binary;\n"
    "var y{i in V, k in K}, binary;\n"
    "var u{i in V, k in K} >= 1, <= n - 1;\n"
    "maximize score: sum{i in V, k in K} s[i] * y[i,k];\n"
    "s.t. once{i in V}: sum{k in K} y[i,k] <= 1;\n"
    "s.t. leave{k in K}: sum{j in V} x[0,j,k] <= 1;\n"
    "s.t. back{k in K}: sum{i in V} x[i,0,k] = sum{j in V} x[0,j,k];\n"
    "s.t. leave_node{i in V, k in K}: sum{j in N: j != i} x[i,j,k] = y[i,k];\n"
    "s.t. enter_node{i in V, k in K}: sum{j in N: j != i} x[j,i,k] = y[i,k];\n"
    "s.t. budget{k in K}: sum{i in N, j in N: i != j} d[i,j] * x[i,j,k] <= B;\n"
    "s.t. mtz{i in V, j in V, k in K: i != j}: u[i,k] - u[j,k] + (n - 1) * x[i,j,k] <= n - 2;\n"
    /* routes are interchangeable: order them by score, so the search does not visit
     * every permutation of the same solution */
    "s.t. sym{k in K: k > 1}: sum{i in V} s[i] * y[i,k-1] >= sum{i in V} s[i] * y[i,k];\n"
    "end;\n";

typedef struct instance {
    size_t n;
    int teams;
    double *d, *score;
    double budget;
} instance;

static uint64_t rng_state;
static double uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* n points in a 100 x 100 square, distances rounded to whole numbers, scores 1..10,
 * a budget that fits roughly `share` of a nearest-neighbour tour of all nodes per
 * route. */
static void make_instance(instance *in, uint64_t seed, size_t n, int teams, double share)
{
    rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
    double x[16], y[16];
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++) {
        x[i] = 100 * uniform();
        y[i] = 100 * uniform();
    }
    in->n = n;
    in->teams = teams;
    in->d = calloc(n * n, sizeof *in->d);
    in->score = calloc(n, sizeof *in->score);
    assert_non_null(in->d);
    assert_non_null(in->score);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            in->d[i * n + j] = i == j ? 0 : round(hypot(x[i] - x[j], y[i] - y[j]));
    for (size_t i = 1; i < n; i++)
        in->score[i] = 1 + floor(10 * uniform());
    /* nearest-neighbour tour length from the depot */
    int seen[16] = {1};
    size_t at = 0;
    double tour = 0;
    for (size_t step = 1; step < n; step++) {
        size_t best = 0;
        for (size_t j = 1; j < n; j++)
            if (!seen[j] && (!best || in->d[at * n + j] < in->d[at * n + best]))
                best = j;
        seen[best] = 1;
        tour += in->d[at * n + best];
        at = best;
    }
    tour += in->d[at * n];
    in->budget = round(share * tour);
}

static void write_data(const instance *in, const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "data;\nparam n := %zu;\nparam m := %d;\nparam B := %.0f;\nparam s :=", in->n,
            in->teams, in->budget);
    for (size_t i = 1; i < in->n; i++)
        fprintf(f, " %zu %.0f", i, in->score[i]);
    fprintf(f, ";\nparam d :");
    for (size_t j = 0; j < in->n; j++)
        fprintf(f, " %zu", j);
    fprintf(f, " :=\n");
    for (size_t i = 0; i < in->n; i++) {
        fprintf(f, "%zu", i);
        for (size_t j = 0; j < in->n; j++)
            fprintf(f, " %.0f", in->d[i * in->n + j]);
        fprintf(f, "\n");
    }
    fprintf(f, ";\nend;\n");
    assert_int_equal(fclose(f), 0);
}

/* glpsol on PATH (the test needs it: scripts/install-deps installs glpk-utils). */
static void find_glpsol(void)
{
    if (glpsol[0])
        return;
    const char *path = getenv("PATH");
    char dirs[4096];
    snprintf(dirs, sizeof dirs, "%s:/usr/bin:/usr/local/bin", path ? path : "");
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(glpsol, sizeof glpsol, "%s/glpsol", *d ? d : ".");
        if (access(glpsol, X_OK) == 0)
            return;
    }
    glpsol[0] = '\0';
    fail_msg("glpsol (GLPK) not found on PATH: run scripts/install-deps (Debian glpk-utils)");
}

/* Solves with glpsol; returns the proven optimum. */
static double glpk_optimum(const instance *in, const char *name)
{
    char model[700], data[700], out[700], log[700];
    snprintf(model, sizeof model, "%s/op.mod", tmpdir);
    snprintf(data, sizeof data, "%s/%s.dat", tmpdir, name);
    snprintf(out, sizeof out, "%s/%s.out", tmpdir, name);
    snprintf(log, sizeof log, "%s/%s.log", tmpdir, name);
    FILE *f = fopen(model, "w");
    assert_non_null(f);
    fputs(MODEL, f);
    assert_int_equal(fclose(f), 0);
    write_data(in, data);
    remove(out);

    char *argv[] = {glpsol, "--math", model, "--data", data, "--output", out, "--tmlim", "120",
                    NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid;
    int rc = posix_spawn(&pid, glpsol, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc)
        fail_msg("cannot run %s: %s", glpsol, strerror(rc));
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("glpsol failed on %s (see %s)", name, log);

    f = fopen(out, "r");
    assert_non_null(f);
    char line[512];
    int optimal = 0, have = 0;
    double obj = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "Status:", 7) == 0)
            optimal = strstr(line, "INTEGER OPTIMAL") != NULL;
        else if (strncmp(line, "Objective:", 10) == 0) {
            const char *eq = strchr(line, '=');
            have = eq && sscanf(eq + 1, "%lf", &obj) == 1;
        }
    }
    fclose(f);
    if (!optimal || !have)
        fail_msg("glpsol did not prove an optimum for %s (see %s)", name, out);
    return obj;
}

static double stad_score(const instance *in, uint64_t seed)
{
    stad_ctx *ctx = NULL;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_route_op op = {.n = in->n, .d = in->d, .score = in->score, .start = 0, .end = 0,
                        .teams = in->teams, .budget = in->budget};
    stad_route_op_opts o = {.iterations = 0, .seed = seed};
    stad_route_op_solution s;
    assert_int_equal(stad_route_op_solution_alloc(&op, &s), 0);
    if (stad_route_op_solve(ctx, &op, &o, &s))
        fail_msg("stad_route_op_solve: %s", stad_errmsg(ctx));
    if (stad_route_op_check(ctx, &op, &s))
        fail_msg("stad's solution is not valid: %s", stad_errmsg(ctx));
    double score = s.score;
    stad_route_op_solution_free(&s);
    stad_ctx_free(ctx);
    return score;
}

static void cross_check(uint64_t seed, size_t n, int teams, double share)
{
    find_glpsol();
    instance in;
    make_instance(&in, seed, n, teams, share);
    char name[64];
    snprintf(name, sizeof name, "op-n%zu-m%d-s%llu", n, teams, (unsigned long long)seed);
    double opt = glpk_optimum(&in, name);
    double got = stad_score(&in, seed);
    print_message("%s: budget %.0f, GLPK optimum %.0f, stad %.0f\n", name, in.budget, opt, got);
    assert_true(opt > 0); /* an instance where something fits */
    if (got != opt)
        fail_msg("%s: stad scores %.0f, the proven optimum is %.0f", name, got, opt);
    free(in.d);
    free(in.score);
}

static void test_orienteering_matches_glpk(void **state)
{
    (void)state;
    cross_check(1, 10, 1, 0.4);
    cross_check(2, 11, 1, 0.5);
    cross_check(3, 12, 1, 0.35);
    cross_check(4, 12, 1, 0.6);
}

static void test_team_orienteering_matches_glpk(void **state)
{
    (void)state;
    cross_check(5, 11, 2, 0.3);
    /* team instances of 12 nodes take GLPK minutes (the MTZ bound is weak) */
    cross_check(6, 10, 2, 0.35);
    cross_check(7, 11, 2, 0.25);
}

int main(void)
{
    const char *tmp = getenv("STAD_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/test_route_glpk", tmp && *tmp ? tmp : "/tmp");
    mkdir_p(tmpdir);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orienteering_matches_glpk),
        cmocka_unit_test(test_team_orienteering_matches_glpk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
