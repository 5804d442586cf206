/* internal.h — private to src/registries. */
#ifndef PC_REGISTRIES_INTERNAL_H
#define PC_REGISTRIES_INTERNAL_H

#include "registries.h"

/* A number from an index and a salt, well spread (splitmix64; ids.c). */
uint64_t reg_mix(uint64_t i, uint64_t salt);
#define REG_PICK(list, i, salt) list[reg_mix(i, salt) % (sizeof list / sizeof list[0])]

/* The WSDL of a kind's SOAP service (wsdl.c), in the arena. */
const char *reg_wsdl(struct pc_arena *a, enum reg_kind k);

#endif
