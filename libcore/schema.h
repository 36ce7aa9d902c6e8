/* schema: the store's schema, as numbered migrations (PRAGMA user_version).
 * The one place the schema is written; each table still belongs to one module. */
#ifndef QS_SCHEMA_H
#define QS_SCHEMA_H

/* The number of migrations: the store's latest version. */
int schema_count(void);
/* The migration that takes a store from version i to i+1 (schema.c, then schema_wings.c);
 * NULL outside 0 .. schema_count() - 1. */
const char *schema_migration(int i);

/* For schema.c: the migrations of the wings (schema_wings.c), numbered after its own. */
extern const char *const schema_wing_migrations[];
extern const int schema_wing_count;

#endif
