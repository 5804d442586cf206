/* i18n.h — message catalogue of the portal pages (az, en, ru) and the
 * choice of language for a request.  Private to src/web. */
#ifndef PC_WEB_I18N_H
#define PC_WEB_I18N_H

#include "../http/http.h"

/* One id per message, M_<AREA>_<WHAT>, declared with its texts in the
 * area's file under text/ (see text/all.def). */
enum msg {
#define MSG(id, az, en, ru) id,
#include "text/all.def"
#undef MSG
    M_COUNT
};

/* The rows of the catalogue: one text per message, in every language. */
extern const struct pc_text web_messages[M_COUNT];

/* The message in the request's language (never NULL). */
const char *web_t(struct http_req *r, enum msg m);
/* The same in a given language (messages for someone else, e.g. a code
 * the operator reads out in the recipient's language). */
const char *web_t_lang(enum pc_lang lang, enum msg m);

/* The request's language, resolved once per request: ?lang= (valid codes
 * only), then the "lang" cookie, then Azerbaijani.  An invalid ?lang= is
 * reported by web_lang_bad (the before hook answers it with 400). */
enum pc_lang web_lang_id(struct http_req *r);
/* Its code, "az", "en" or "ru", for the outside (HTML lang, links, data). */
const char *web_lang(struct http_req *r);
bool web_lang_bad(struct http_req *r);

#endif
