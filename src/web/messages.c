/* messages.c — the table of every text of the portal's pages in
 * Azerbaijani, English and Russian, built from the areas' files under
 * text/.  A row missing a language does not compile (MSG takes four
 * arguments); rows with printf conversions take the same arguments in every
 * language (the unit test checks it). */
#include "i18n.h"

#include <stddef.h>

const struct pc_text web_messages[M_COUNT] = {
#define MSG(id, az, en, ru) [id] = {{az, en, ru}},
#include "text/all.def"
#undef MSG
};
