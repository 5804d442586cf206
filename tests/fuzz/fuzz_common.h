/* fuzz_common.h — shared by the libFuzzer harnesses.
 *
 * The harnesses #include the C files under test (parse.c, utf8.c, import.c)
 * instead of only linking them from the core library: meson adds
 * -fsanitize=fuzzer to the harness only, so this is what gives libFuzzer
 * coverage feedback from inside the parsers.  The archive members that
 * define the same symbols are then simply not pulled in by the linker. */
#ifndef PC_FUZZ_COMMON_H
#define PC_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant that must hold: abort with a message (libFuzzer saves the
 * input as a crash). */
#define FUZZ_CHECK(cond)                                                        \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond,       \
                    __FILE__, __LINE__);                                        \
            abort();                                                            \
        }                                                                       \
    } while (0)

#endif
