/* sha256: SHA-256 through libcrypto's EVP interface (the low-level SHA256_* calls are
 * deprecated in OpenSSL 3). A failure of libcrypto here can only be memory running out:
 * it aborts, as xalloc does. */
#include "sha256.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

static void die(const char *what)
{
    fprintf(stderr, "qs: libcrypto: %s failed\n", what);
    abort();
}

void sha256_init(struct sha256 *c)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        die("SHA-256 init");
    c->ctx = ctx;
}

void sha256_update(struct sha256 *c, const void *p, size_t n)
{
    if (n && EVP_DigestUpdate(c->ctx, p, n) != 1)
        die("SHA-256 update");
}

void sha256_final(struct sha256 *c, unsigned char out[32])
{
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(c->ctx, out, &len) != 1 || len != 32)
        die("SHA-256 final");
    EVP_MD_CTX_free(c->ctx);
    c->ctx = NULL;
}

char *sha256_hex(const void *p, size_t n, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char d[32];
    struct sha256 c;

    sha256_init(&c);
    sha256_update(&c, p, n);
    sha256_final(&c, d);
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
    return hex;
}
