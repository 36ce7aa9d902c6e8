/* sha256: SHA-256 (FIPS 180-4) of a byte string, for idempotency keys (R-NOTE-7), on
 * OpenSSL's libcrypto (EVP): a well-kept implementation instead of our own (issue 10
 * item 7). */
#ifndef QS_SHA256_H
#define QS_SHA256_H

#include <stddef.h>

struct sha256 {
    void *ctx; /* EVP_MD_CTX */
};

/* Starts a hash (aborts when libcrypto cannot, as xalloc does when memory runs out). */
void sha256_init(struct sha256 *c);
/* Adds n bytes of p. */
void sha256_update(struct sha256 *c, const void *p, size_t n);
/* Ends the hash, writes the 32-byte digest and frees what c held. */
void sha256_final(struct sha256 *c, unsigned char out[32]);
/* The digest of p[0..n) as 64 lower-case hex digits and a NUL into hex. */
char *sha256_hex(const void *p, size_t n, char hex[65]);

#endif
