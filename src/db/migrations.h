/* migrations.h — the schema migrations compiled into the binary from
 * src/MODULE/migrations/NNN_name.sql (or NNN_name.sqlite.sql plus
 * NNN_name.postgres.sql where the dialects differ): each module keeps the
 * migrations of the tables it owns; a version may have parts in several
 * modules, run as one.  Generated table. */
#ifndef PC_DB_MIGRATIONS_H
#define PC_DB_MIGRATIONS_H

#include <stddef.h>

struct db_migration {
    int version;
    const char *name;
    const char *owners;   /* modules with a part in this version, "identity,audit" */
    const char *sqlite;
    const char *postgres;
};

extern const struct db_migration db_migrations[];
extern const size_t db_migrations_count;

#endif
