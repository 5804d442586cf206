/* internal.h — what the files of src/esafe share and nobody else sees. */
#ifndef PC_ESAFE_INTERNAL_H
#define PC_ESAFE_INTERNAL_H

#include "esafe.h"

/* The code of a failure whose err may be unset (a statement not prepared). */
static inline int es_failed(const struct pc_err *err)
{
    return err && err->code < 0 ? err->code : PC_EIO;
}

const char *es_owner_type_name(enum esafe_owner_type t);   /* "person", "company" */
/* A FİN for a person, a VÖEN for a company: 0, else PC_EINVAL in err. */
int es_owner_check(const struct esafe_owner *o, struct pc_err *err);

#endif
