/* Polymorphic pseudonyms in the style of PEP: ElGamal on the ristretto255 group.
 *
 *   identity -> point    M = H("stad-pep1|person|" id)            (hash to the group)
 *   source               (b, c) = (r G, M + r Y)                   Y = y G, y wiped
 *   transcryptor         (b, c) -> ((s/k) b + z G, s c + z k Y)   s, k from its secret t
 *   domain (x = k y)     c - x b = s M  ->  pseudonym = H(s M)
 *
 * The source holds no secret; the transcryptor cannot decrypt (no y, no x); the domain
 * sees s M but cannot compute s H(id) for a guessed BSN without s. See
 * docs/pseudonyms.md for who holds what. */
#include <stdio.h>
#include <string.h>

#include "social_internal.h"

#define CT_BYTES 64
#define B64_LEN 86 /* 64 bytes, base64url without padding */

int social_domain_ok(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return n > 0 && n < 64;
}

void social_pep_derive(const unsigned char t[32], const char *what, const char *domain,
                       int version, unsigned char scalar[32])
{
    unsigned char h[64];
    char msg[160];
    int w = snprintf(msg, sizeof msg, "stad-pep1|%s|%s|v%d", what, domain, version);
    crypto_generichash(h, sizeof h, (const unsigned char *)msg, (size_t)(w > 0 ? w : 0), t, 32);
    crypto_core_ristretto255_scalar_reduce(scalar, h);
    sodium_memzero(h, sizeof h);
}

static void identity_point(int kind, const char *id, unsigned char m[32])
{
    unsigned char h[64];
    crypto_hash_sha512_state st;
    crypto_hash_sha512_init(&st);
    const char *tag = kind == STAD_PSEUDO_HOUSEHOLD ? "stad-pep1|household|" : "stad-pep1|person|";
    crypto_hash_sha512_update(&st, (const unsigned char *)tag, strlen(tag));
    crypto_hash_sha512_update(&st, (const unsigned char *)id, strlen(id));
    crypto_hash_sha512_final(&st, h);
    crypto_core_ristretto255_from_hash(m, h);
    sodium_memzero(h, sizeof h);
}

static void ct_text(char *out, size_t size, int version, const char *domain,
                    const unsigned char ct[CT_BYTES])
{
    char b64[B64_LEN + 1];
    sodium_bin2base64(b64, sizeof b64, ct, CT_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (domain)
        snprintf(out, size, STAD_PSEUDO_SCHEME ".%d.%s.c.%s", version, domain, b64);
    else
        snprintf(out, size, STAD_PSEUDO_SCHEME ".%d.c.%s", version, b64);
}

/* Parses "pep1.<v>.c.<b64>" (domain NULL) or "pep1.<v>.<domain>.c.<b64>". */
static int ct_parse(const char *s, int *version, char domain[64], unsigned char ct[CT_BYTES])
{
    size_t sl = strlen(STAD_PSEUDO_SCHEME);
    if (strncmp(s, STAD_PSEUDO_SCHEME ".", sl + 1) != 0)
        return -1;
    s += sl + 1;
    int v = 0;
    for (; *s >= '0' && *s <= '9' && v < 100000; s++)
        v = v * 10 + (*s - '0');
    if (v < 1 || *s++ != '.')
        return -1;
    domain[0] = '\0';
    if (strncmp(s, "c.", 2) != 0) {
        const char *dot = strchr(s, '.');
        if (!dot || dot - s >= 64)
            return -1;
        memcpy(domain, s, (size_t)(dot - s));
        domain[dot - s] = '\0';
        if (!social_domain_ok(domain))
            return -1;
        s = dot + 1;
        if (strncmp(s, "c.", 2) != 0)
            return -1;
    }
    s += 2;
    size_t len;
    if (strlen(s) != B64_LEN ||
        sodium_base642bin(ct, CT_BYTES, s, B64_LEN, NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len != CT_BYTES)
        return -1;
    if (!crypto_core_ristretto255_is_valid_point(ct) ||
        !crypto_core_ristretto255_is_valid_point(ct + 32))
        return -1;
    *version = v;
    return 0;
}

int stad_pseudo_encrypt(stad_ctx *ctx, const stad_pseudo_key *src, int kind,
                        const char *identity, char out[STAD_PSEUDO_TEXT_MAX])
{
    out[0] = '\0';
    if (!src || src->role != STAD_KEY_SOURCE)
        return stad_fail(ctx, STAD_EINVAL, "pseudonymising needs a source key");
    if (!identity || !*identity)
        return stad_fail(ctx, STAD_EINVAL, "empty identity");
    unsigned char m[32], r[32], ry[32], ct[CT_BYTES];
    identity_point(kind, identity, m);
    crypto_core_ristretto255_scalar_random(r);
    if (crypto_scalarmult_ristretto255_base(ct, r) != 0 ||
        crypto_scalarmult_ristretto255(ry, r, src->pub) != 0)
        return stad_fail(ctx, STAD_EINVAL, "source key: invalid public key");
    crypto_core_ristretto255_add(ct + 32, m, ry);
    sodium_memzero(r, sizeof r);
    ct_text(out, STAD_PSEUDO_TEXT_MAX, src->version, NULL, ct);
    return 0;
}

int social_pep_prepare(stad_ctx *ctx, const stad_pseudo_key *tk, const char *domain,
                       social_pep_tc *tc)
{
    if (!tk || tk->role != STAD_KEY_TRANSCRYPTOR)
        return stad_fail(ctx, STAD_EINVAL, "transcrypting needs the transcryptor key");
    if (!social_domain_ok(domain))
        return stad_fail(ctx, STAD_EINVAL, "bad domain name");
    unsigned char k[32], kinv[32];
    social_pep_derive(tk->secret, "reshuffle", domain, tk->version, tc->s);
    social_pep_derive(tk->secret, "rekey", domain, tk->version, k);
    int bad = crypto_core_ristretto255_scalar_invert(kinv, k) != 0 ||
              crypto_scalarmult_ristretto255(tc->yd, k, tk->pub) != 0;
    crypto_core_ristretto255_scalar_mul(tc->sk, tc->s, kinv);
    sodium_memzero(k, sizeof k);
    sodium_memzero(kinv, sizeof kinv);
    tc->version = tk->version;
    snprintf(tc->domain, sizeof tc->domain, "%s", domain);
    return bad ? stad_fail(ctx, STAD_EINVAL, "degenerate transcryptor key") : 0;
}

int social_pep_transcrypt(stad_ctx *ctx, const social_pep_tc *tc, const char *in,
                          char out[STAD_PSEUDO_TEXT_MAX])
{
    out[0] = '\0';
    int v;
    char dom[64];
    unsigned char ct[CT_BYTES], z[32], t1[32], t2[32], res[CT_BYTES];
    if (ct_parse(in, &v, dom, ct) != 0 || dom[0])
        return stad_fail(ctx, STAD_EPARSE, "not a source ciphertext");
    if (v != tc->version)
        return stad_fail(ctx, STAD_EINVAL,
                         "ciphertext made with key version %d, transcryptor key is version %d",
                         v, tc->version);
    crypto_core_ristretto255_scalar_random(z);
    /* b' = (s/k) b + z G;  c' = s c + z (k Y) */
    int rc = crypto_scalarmult_ristretto255(t1, tc->sk, ct) != 0 ||
             crypto_scalarmult_ristretto255_base(t2, z) != 0;
    if (!rc)
        crypto_core_ristretto255_add(res, t1, t2);
    rc = rc || crypto_scalarmult_ristretto255(t1, tc->s, ct + 32) != 0 ||
         crypto_scalarmult_ristretto255(t2, z, tc->yd) != 0;
    if (!rc)
        crypto_core_ristretto255_add(res + 32, t1, t2);
    sodium_memzero(z, sizeof z);
    if (rc)
        return stad_fail(ctx, STAD_EPARSE, "ciphertext does not transcrypt (degenerate point)");
    ct_text(out, STAD_PSEUDO_TEXT_MAX, v, tc->domain, res);
    return 0;
}

int stad_pseudo_transcrypt(stad_ctx *ctx, const stad_pseudo_key *tk, const char *domain,
                           const char *in, char out[STAD_PSEUDO_TEXT_MAX])
{
    out[0] = '\0';
    social_pep_tc tc;
    int rc = social_pep_prepare(ctx, tk, domain, &tc);
    if (!rc)
        rc = social_pep_transcrypt(ctx, &tc, in, out);
    sodium_memzero(&tc, sizeof tc);
    return rc;
}

int stad_pseudo_decrypt(stad_ctx *ctx, const stad_pseudo_key *dk, const char *in,
                        char out[STAD_PSEUDO_TEXT_MAX])
{
    out[0] = '\0';
    if (!dk || dk->role != STAD_KEY_DOMAIN)
        return stad_fail(ctx, STAD_EINVAL, "decrypting needs a domain key");
    int v;
    char dom[64];
    unsigned char ct[CT_BYTES], xb[32], p[32], h[16];
    if (ct_parse(in, &v, dom, ct) != 0)
        return stad_fail(ctx, STAD_EPARSE, "not a pseudonym ciphertext");
    if (!dom[0])
        return stad_fail(ctx, STAD_EINVAL,
                         "ciphertext comes straight from a source: it must pass the "
                         "transcryptor first");
    if (strcmp(dom, dk->domain) != 0 || v != dk->version)
        return stad_fail(ctx, STAD_EINVAL,
                         "ciphertext is for domain %s version %d, the key for %s version %d",
                         dom, v, dk->domain, dk->version);
    if (crypto_scalarmult_ristretto255(xb, dk->secret, ct) != 0)
        return stad_fail(ctx, STAD_EPARSE, "degenerate ciphertext");
    crypto_core_ristretto255_sub(p, ct + 32, xb);
    crypto_generichash(h, sizeof h, p, sizeof p, NULL, 0);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(out, STAD_PSEUDO_TEXT_MAX, STAD_PSEUDO_SCHEME ".%d.%s.%s", v, dom, hex);
    return 0;
}
