/* schema: the store's schema, as numbered migrations (PRAGMA user_version).
 * The one place the schema is written; each table still belongs to one module. */
#ifndef QS_SCHEMA_H
#define QS_SCHEMA_H

/* schema_migrations[i] takes a store from version i to i+1. */
extern const char *const schema_migrations[];
extern const int schema_nmigrations;

#endif
