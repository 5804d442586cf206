/* i18n.h — message catalogue of the portal pages (az, en, ru) and the
 * choice of language for a request.  Private to src/web. */
#ifndef PC_WEB_I18N_H
#define PC_WEB_I18N_H

#include "../http/http.h"

enum msg {
    M_SITE_NAME,
    M_SITE_TAGLINE,
    M_SKIP_TO_CONTENT,
    M_NAV_HOME,
    M_NAV_AGENCIES,
    M_NAV_SERVICES,
    M_NAV_NO_REGISTRATION,
    M_NAV_LABEL,
    M_LANG_LABEL,
    M_SEARCH_LABEL,
    M_SEARCH_BUTTON,
    M_SEARCH_HINT,
    M_HOME_TITLE,
    M_HOME_LEAD,
    M_HOME_BY_AUDIENCE,
    M_HOME_BY_LIFE_EVENT,
    M_HOME_OTHER_WAYS,
    M_HOME_FIGURES,
    M_AUD_CITIZENS,
    M_AUD_CITIZENS_HINT,
    M_AUD_ENTREPRENEURS,
    M_AUD_ENTREPRENEURS_HINT,
    M_AUD_OFFICIALS,
    M_AUD_OFFICIALS_HINT,
    M_AGENCIES_TITLE,
    M_AGENCIES_LEAD,
    M_AGENCY_SERVICES,
    M_AGENCY_WEBSITE,
    M_AGENCY_APPROVED,
    M_AGENCY_NO_SERVICES,
    M_SERVICES_TITLE,
    M_SERVICES_COUNT,
    M_SERVICES_NONE,
    M_SERVICES_NEXT,
    M_SERVICES_FIRST,
    M_SEARCH_TITLE,
    M_SEARCH_RESULTS_FOR,
    M_SEARCH_EMPTY,
    M_NOREG_TITLE,
    M_NOREG_LEAD,
    M_FILTER_TITLE,
    M_FILTER_AUDIENCE,
    M_FILTER_LOGIN,
    M_FILTER_FEE,
    M_FILTER_ANY,
    M_FILTER_APPLY,
    M_FILTER_FREE,
    M_FILTER_PAID,
    M_LOGIN_NONE,
    M_LOGIN_CODE_PASSWORD,
    M_LOGIN_E_SIGNATURE,
    M_SVC_AGENCY,
    M_SVC_WHO,
    M_SVC_LOGIN,
    M_SVC_FEE,
    M_SVC_FREE,
    M_SVC_FEE_NOT_STATED,
    M_SVC_FEE_AMOUNT,
    M_SVC_DEADLINE,
    M_SVC_DEADLINE_DAYS,
    M_SVC_DEADLINE_NONE,
    M_SVC_DOCUMENTS,
    M_SVC_NO_DOCUMENTS,
    M_SVC_CHANNELS,
    M_SVC_CH_PORTAL,
    M_SVC_CH_AGENCY_SITE,
    M_SVC_CH_SERVICE_CENTRE,
    M_SVC_APPROVED_LIST,
    M_SVC_EVALUATION,
    M_SVC_MATURITY,
    M_SVC_PARTICIPATION,
    M_SVC_TRANSPARENCY,
    M_SVC_START,
    M_SVC_RELATIONS,
    M_START_TITLE,
    M_START_NEED_LOGIN,
    M_START_NO_LOGIN,
    M_START_CHANNELS,
    M_START_BACK,
    M_ERR_TITLE_400,
    M_ERR_TITLE_404,
    M_ERR_TITLE_405,
    M_ERR_TITLE_413,
    M_ERR_TITLE_500,
    M_ERR_TITLE_OTHER,
    M_ERR_BODY_400,
    M_ERR_BODY_404,
    M_ERR_BODY_405,
    M_ERR_BODY_413,
    M_ERR_BODY_500,
    M_ERR_GO_HOME,
    M_ERR_BAD_LANG,
    M_FOOTER_ABOUT,
    M_FOOTER_API,
    M_BREADCRUMB,
    M_PAGINATION,
    M_LIFE_EVENTS_TITLE,
    M_COUNT
};

/* The message in the request's language (never NULL). */
const char *t(struct http_req *r, enum msg m);
/* The same for an explicit language code. */
const char *t_lang(const char *lang, enum msg m);

/* The request's language: ?lang= (valid codes only), then the "lang"
 * cookie, then Azerbaijani.  An invalid ?lang= is reported by web_lang_bad. */
const char *web_lang(struct http_req *r);
bool web_lang_bad(struct http_req *r);
bool web_lang_valid(const char *code);

extern const char *const web_langs[3];       /* "az", "en", "ru" */
extern const char *const web_lang_names[3];  /* each in its own language */

#endif
