/* Key files: one small INI file per party. The master secret y exists only inside
 * stad_pseudo_keys_generate: the source gets Y = y G, the domain x = k y, the
 * transcryptor its own t (from which k and s derive) and Y. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "social_internal.h"
#include "stad/conf.h"

static const char *role_name(int role)
{
    return role == STAD_KEY_SOURCE ? "source"
           : role == STAD_KEY_TRANSCRYPTOR ? "transcryptor"
                                           : "domain";
}

static int write_key(stad_ctx *ctx, const char *path, const stad_pseudo_key *k)
{
    char pub[65], sec[65];
    sodium_bin2hex(pub, sizeof pub, k->pub, 32);
    sodium_bin2hex(sec, sizeof sec, k->secret, 32);
    stad_strbuf b = STAD_STRBUF_INIT;
    stad_strbuf_printf(&b, "# stad pseudonym key (%s). %s\n[key]\nscheme = %s\nrole = %s\n"
                           "version = %d\n",
                       role_name(k->role),
                       k->role == STAD_KEY_SOURCE
                           ? "Public: may be handed to every source holder."
                           : "SECRET: only for the party named in docs/pseudonyms.md.",
                       STAD_PSEUDO_SCHEME, role_name(k->role), k->version);
    if (k->role == STAD_KEY_DOMAIN)
        stad_strbuf_printf(&b, "domain = %s\n", k->domain);
    if (k->role != STAD_KEY_DOMAIN)
        stad_strbuf_printf(&b, "public = %s\n", pub);
    if (k->role != STAD_KEY_SOURCE)
        stad_strbuf_printf(&b, "secret = %s\n", sec);
    sodium_memzero(sec, sizeof sec);
    int rc = 0;
    if (b.oom) {
        rc = stad_fail(ctx, STAD_ENOMEM, "out of memory");
    } else {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0) {
            rc = stad_fail(ctx, errno == EEXIST ? STAD_EINVAL : STAD_EIO, "%s: %s%s", path,
                           strerror(errno),
                           errno == EEXIST ? " (keys are never overwritten)" : "");
        } else {
            ssize_t w = write(fd, b.s, b.len);
            if (w < 0 || (size_t)w != b.len || fsync(fd) != 0)
                rc = stad_fail(ctx, STAD_EIO, "%s: cannot write", path);
            close(fd);
        }
    }
    sodium_memzero(b.s, b.len);
    stad_strbuf_free(&b);
    return rc;
}

int stad_pseudo_keys_generate(stad_ctx *ctx, const char *dir, const char *domain, int version)
{
    if (sodium_init() < 0)
        return stad_fail(ctx, STAD_EINVAL, "libsodium does not initialise");
    if (!social_domain_ok(domain))
        return stad_fail(ctx, STAD_EINVAL, "domain '%s': use letters, digits, '-' or '_'",
                         domain ? domain : "");
    if (version < 1 || version > 99999)
        return stad_fail(ctx, STAD_EINVAL, "key version must be 1..99999");
    stad_pseudo_key src = {0}, tr = {0}, dom = {0};
    unsigned char y[32], k[32];
    crypto_core_ristretto255_scalar_random(y);
    crypto_scalarmult_ristretto255_base(src.pub, y);
    src.role = STAD_KEY_SOURCE;
    src.version = tr.version = dom.version = version;
    tr.role = STAD_KEY_TRANSCRYPTOR;
    memcpy(tr.pub, src.pub, 32);
    randombytes_buf(tr.secret, sizeof tr.secret);
    dom.role = STAD_KEY_DOMAIN;
    snprintf(dom.domain, sizeof dom.domain, "%s", domain);
    social_pep_derive(tr.secret, "rekey", domain, version, k);
    crypto_core_ristretto255_scalar_mul(dom.secret, k, y);
    sodium_memzero(y, sizeof y);
    sodium_memzero(k, sizeof k);

    char p1[4096], p2[4096], p3[4096];
    snprintf(p1, sizeof p1, "%s/source-v%d.key", dir, version);
    snprintf(p2, sizeof p2, "%s/transcryptor-v%d.key", dir, version);
    snprintf(p3, sizeof p3, "%s/domain-%s-v%d.key", dir, domain, version);
    int rc = 0;
    struct stat st;
    if (stat(p1, &st) == 0 || stat(p2, &st) == 0 || stat(p3, &st) == 0)
        rc = stad_fail(ctx, STAD_EINVAL, "%s: key files of version %d exist already; "
                                         "rotate with a new --version", dir, version);
    if (!rc)
        rc = write_key(ctx, p1, &src);
    if (!rc)
        rc = write_key(ctx, p2, &tr);
    if (!rc)
        rc = write_key(ctx, p3, &dom);
    sodium_memzero(&tr, sizeof tr);
    sodium_memzero(&dom, sizeof dom);
    return rc;
}

static int hex32(const char *s, unsigned char out[32])
{
    size_t len;
    return s && strlen(s) == 64 &&
                   sodium_hex2bin(out, 32, s, 64, NULL, &len, NULL) == 0 && len == 32
               ? 0
               : -1;
}

int stad_pseudo_key_load(stad_ctx *ctx, const char *path, stad_pseudo_key **out)
{
    *out = NULL;
    if (sodium_init() < 0)
        return stad_fail(ctx, STAD_EINVAL, "libsodium does not initialise");
    stad_conf *c = NULL;
    int rc = stad_conf_load(ctx, path, &c);
    if (rc)
        return rc;
    stad_pseudo_key *k = sodium_malloc(sizeof *k);
    if (!k) {
        stad_conf_free(c);
        return stad_fail(ctx, STAD_ENOMEM, "out of memory");
    }
    memset(k, 0, sizeof *k);
    const char *scheme = stad_conf_get(c, "key", "scheme");
    const char *role = stad_conf_get(c, "key", "role");
    const char *ver = stad_conf_get(c, "key", "version");
    char *end = NULL;
    long v = ver ? strtol(ver, &end, 10) : 0;
    if (!scheme || strcmp(scheme, STAD_PSEUDO_SCHEME) != 0)
        rc = stad_fail(ctx, STAD_EFORMAT, "%s: not a %s key (scheme)", path, STAD_PSEUDO_SCHEME);
    else if (!ver || !end || *end || v < 1 || v > 99999)
        rc = stad_fail(ctx, STAD_EFORMAT, "%s: bad or missing version", path);
    else if (!role)
        rc = stad_fail(ctx, STAD_EFORMAT, "%s: no role", path);
    if (!rc) {
        k->version = (int)v;
        if (strcmp(role, "source") == 0)
            k->role = STAD_KEY_SOURCE;
        else if (strcmp(role, "transcryptor") == 0)
            k->role = STAD_KEY_TRANSCRYPTOR;
        else if (strcmp(role, "domain") == 0)
            k->role = STAD_KEY_DOMAIN;
        else
            rc = stad_fail(ctx, STAD_EFORMAT, "%s: unknown role '%s'", path, role);
    }
    if (!rc && k->role != STAD_KEY_DOMAIN &&
        (hex32(stad_conf_get(c, "key", "public"), k->pub) ||
         !crypto_core_ristretto255_is_valid_point(k->pub)))
        rc = stad_fail(ctx, STAD_EFORMAT, "%s: bad public key", path);
    if (!rc && k->role != STAD_KEY_SOURCE && hex32(stad_conf_get(c, "key", "secret"), k->secret))
        rc = stad_fail(ctx, STAD_EFORMAT, "%s: bad secret", path);
    if (!rc && k->role == STAD_KEY_DOMAIN) {
        const char *d = stad_conf_get(c, "key", "domain");
        if (!social_domain_ok(d))
            rc = stad_fail(ctx, STAD_EFORMAT, "%s: bad or missing domain", path);
        else
            snprintf(k->domain, sizeof k->domain, "%s", d);
    }
    stad_conf_free(c);
    if (rc) {
        sodium_free(k);
        return rc;
    }
    *out = k;
    return 0;
}

void stad_pseudo_key_free(stad_pseudo_key *k)
{
    if (k)
        sodium_free(k); /* wipes the memory */
}

int stad_pseudo_key_role(const stad_pseudo_key *k) { return k ? k->role : 0; }
int stad_pseudo_key_version(const stad_pseudo_key *k) { return k ? k->version : 0; }
const char *stad_pseudo_key_domain(const stad_pseudo_key *k)
{
    return k && k->role == STAD_KEY_DOMAIN ? k->domain : "";
}
