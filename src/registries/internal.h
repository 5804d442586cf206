/* internal.h — private to src/registries. */
#ifndef PC_REGISTRIES_INTERNAL_H
#define PC_REGISTRIES_INTERNAL_H

#include "registries.h"

extern const char reg_population_wsdl[];

#endif
