/* sha256: SHA-256 (FIPS 180-4) of a byte string, for idempotency keys (R-NOTE-7). */
#ifndef QS_SHA256_H
#define QS_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
    uint32_t h[8];
    uint64_t len; /* bytes hashed so far */
    unsigned char buf[64];
    size_t nbuf;
};

/* Starts a hash. */
void sha256_init(struct sha256 *c);
/* Adds n bytes of p. */
void sha256_update(struct sha256 *c, const void *p, size_t n);
/* Ends the hash and writes the 32-byte digest. */
void sha256_final(struct sha256 *c, unsigned char out[32]);
/* The digest of p[0..n) as 64 lower-case hex digits and a NUL into hex. */
char *sha256_hex(const void *p, size_t n, char hex[65]);

#endif
