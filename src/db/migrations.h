/* migrations.h — the schema migrations compiled into the binary from
 * src/db/migrations/NNN_name.sql (or NNN_name.sqlite.sql plus
 * NNN_name.postgres.sql where the dialects differ).  Generated table. */
#ifndef PC_DB_MIGRATIONS_H
#define PC_DB_MIGRATIONS_H

#include <stddef.h>

struct db_migration {
    int version;
    const char *name;
    const char *sqlite;
    const char *postgres;
};

extern const struct db_migration db_migrations[];
extern const size_t db_migrations_count;

#endif
