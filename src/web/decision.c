/* decision.c — the decisions an agency seals.  A decision (approve,
 * refuse) is sealed with the agency's key by the certification centre
 * before it is taken, and the sealed document is kept with the case in the
 * step's own transaction: a centre that cannot seal now stops the step
 * (503, nothing done); the decision's time is the one the document
 * states.  Without a centre (--ca-url) nothing is sealed.
 *
 * The outcome of an appeal (the refusal upheld, or the appeal granted and
 * the case reviewed again) is sealed the same way, as the agency's second
 * document of the case (kind "appeal"); the e-safe gathers it.  The
 * social grant's later decisions (seal2: kinds "grant-…", named by
 * src/social) are sealed by the same call (web_seal_text) and sent by the
 * same function (web_send_sealed, KIND-document / KIND-signature).
 *
 * The document is plain UTF-8 text naming the application, the service,
 * the agency, the applicant, the outcome, the decision's words and its
 * time, in Azerbaijani with English beside it.  The same bytes are sealed
 * here (for the office page and the API alike), kept with the case,
 * downloaded by the applicant (apply.c) and verified by anyone (the
 * portal's /verify, `pencere verify`, `openssl cms -verify`). */
#include "internal.h"
#include "../social/social.h"

#include <stdio.h>
#include <string.h>

static const char *document_text(struct http_req *r, const struct case_app *app, const char *title,
                                 const char *outcome, const char *decision, int64_t at)
{
    char ts[21];
    pc_rfc3339(at, ts);
    return pc_arena_printf(&r->arena,
                           "%s\n"
                           "Müraciət / Application: %s\n"
                           "Xidmət / Service: %s\n"
                           "Qurum / Agency: %s\n"
                           "Müraciət edən / Applicant: %s%s%s\n"
                           "Nəticə / Outcome: %s\n"
                           "Tarix / Date: %s\n"
                           "\n%s\n",
                           title, app->reference, app->service_id, app->agency_id,
                           app->applicant_fin ? "FİN " : "", app->applicant_fin ? app->applicant_fin : "",
                           app->acting_for ? pc_arena_printf(&r->arena, ", VÖEN %s", app->acting_for) : "",
                           outcome, ts, decision ? decision : "");
}

const char *web_decision_document(struct http_req *r, const struct case_app *app, enum case_state outcome,
                                  const char *decision, int64_t at)
{
    return document_text(r, app, "Qərar / Decision", case_state_name(outcome), decision, at);
}

/* What a step seals: the decision, the appeal's outcome, or nothing. */
static const char *sealed_kind(enum case_step step)
{
    switch (step) {
    case CASE_STEP_APPROVE:
    case CASE_STEP_REFUSE: return WEB_SEALED_DECISION;
    case CASE_STEP_UPHOLD_REFUSAL:
    case CASE_STEP_GRANT_APPEAL: return WEB_SEALED_APPEAL;
    default: return NULL;
    }
}

static const char *step_document(struct http_req *r, const struct case_app *app, enum case_step step,
                                 const char *note, int64_t at)
{
    if (step == CASE_STEP_UPHOLD_REFUSAL || step == CASE_STEP_GRANT_APPEAL)
        return document_text(r, app, "Şikayət üzrə qərar / Decision on the appeal",
                             step == CASE_STEP_UPHOLD_REFUSAL
                                 ? "imtina qüvvədə saxlanılıb / refusal upheld"
                                 : "şikayət təmin edilib, müraciətə yenidən baxılır / appeal granted, the application is reviewed again",
                             note, at);
    return web_decision_document(r, app, step == CASE_STEP_APPROVE ? CS_APPROVED : CS_REFUSED, note, at);
}

struct sealed {
    struct pki_sealed_doc doc;
    struct social_decision social;   /* vemtas: a social-assistance decision's figures */
    const char *note;                /* the decision's words, with those figures */
    struct case_act_extra extra;
};

/* In the step's transaction: the sealed document (an earlier one of its
 * kind, before a granted appeal, kept aside), the social decision. */
static int keep_sealed(struct db_conn *c, void *ctx, struct pc_err *err)
{
    struct sealed *s = ctx;
    int rc = s->doc.document ? pki_doc_supersede(c, s->doc.object_id, s->doc.kind, err) : 0;
    if (!rc && s->doc.document)
        rc = pki_doc_put(c, &s->doc, err);
    return rc ? rc : social_decision_write(c, &s->social, err);
}

int web_seal_text(struct http_req *r, const struct case_app *app, const char *kind, const char *doc, int64_t at,
                  struct pki_sealed_doc *out, struct pc_err *err)
{
    struct pki_cert seal;
    const unsigned char *sig;
    size_t sig_len;
    int rc = pki_client_seal(app_of(r)->ca, &r->arena, app->agency_id, app->reference, doc, strlen(doc), &sig,
                             &sig_len, &seal, err);
    /* The agency has no seal, or not a valid one: for this step that is
     * the sealing service missing, not a missing application or someone
     * else's step (what 404 and 409 would tell the officer). */
    if (rc == PC_ENOTFOUND || rc == PC_ECONFLICT) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return pc_err_set(err, PC_EUNAVAIL, "the agency %s cannot seal decisions now: %s", app->agency_id, why);
    }
    if (rc)
        return rc;
    *out = (struct pki_sealed_doc){.object_id = app->reference, .kind = kind, .agency = app->agency_id,
                                   .created_at = at, .document = doc, .document_len = strlen(doc),
                                   .signature = sig, .signature_len = sig_len, .seal_serial = seal.serial};
    return 0;
}

static int seal_decision(struct http_req *r, const struct case_app *app, enum case_step step, const char *note,
                         struct sealed *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    const char *kind = sealed_kind(step);
    if (!kind)
        return 0;
    /* only a step the officer may take now: no seal for a refused one */
    enum case_step steps[CASE_STEP_COUNT];
    size_t n = case_steps_available(web_forms(r), app, web_who(r), steps, CASE_STEP_COUNT);
    bool allowed = false;
    for (size_t i = 0; i < n; i++)
        allowed |= steps[i] == step;
    if (!allowed || (!note && case_step_needs_note(step)))
        return 0;
    int64_t at = pc_now_unix();
    /* vemtas: a social-assistance decision states its figures (and may not be taken without them) */
    int rc = pc_str_eq(kind, WEB_SEALED_APPEAL) ? 0
             : social_decision_prepare(app_of(r)->db, &r->arena, app, step == CASE_STEP_APPROVE, at, &out->social, err);
    if (rc)
        return rc;
    if (out->social.applies) {
        note = out->note = out->social.document = pc_arena_printf(&r->arena, "%s\n\n%s", note ? note : "", out->social.text);
        out->extra = (struct case_act_extra){.at = at, .write = keep_sealed, .ctx = out};
    }
    if (!app_of(r)->ca)
        return 0;
    const char *doc = step_document(r, app, step, note, at);
    if ((rc = web_seal_text(r, app, kind, doc, at, &out->doc, err)))
        return rc;
    if (out->social.applies)
        out->social.document = doc;
    out->extra = (struct case_act_extra){.at = at, .write = keep_sealed, .ctx = out};
    return 0;
}

int web_case_act(struct http_req *r, const struct case_app *app, enum case_step step, const char *note,
                 int64_t version, struct case_app *out, struct pc_err *err)
{
    struct sealed sealed;
    int rc = seal_decision(r, app, step, note, &sealed, err);
    if (rc)
        return rc;
    /* a social-assistance decision's words carry its figures, as its document does */
    return case_act_with(app_of(r)->db, web_forms(r), web_who(r), app->reference, step,
                         sealed.note ? sealed.note : note, version, r->remote_addr, sealed.extra.write ? &sealed.extra : NULL, &r->arena, out, err);
}

/* A kind asked for in a URL: lower-case letters, digits and hyphens (an
 * earlier document kept aside, "KIND@time", is not offered). */
static bool kind_ok(const char *kind, size_t len)
{
    if (!len || len > 40)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((kind[i] >= 'a' && kind[i] <= 'z') || (kind[i] >= '0' && kind[i] <= '9') || kind[i] == '-'))
            return false;
    return true;
}

int web_send_sealed(struct http_req *r, const struct case_app *app, const char *what)
{
    /* the decision's pair, or another kind's ("appeal-document", "grant-ended-signature") */
    const char *dash = strrchr(what, '-');
    const char *part = dash ? dash + 1 : what;
    const char *kind = dash ? pc_arena_strndup(&r->arena, what, (size_t)(dash - what)) : WEB_SEALED_DECISION;
    bool signature = pc_str_eq(part, "signature");
    if ((!signature && !pc_str_eq(part, "document")) || !kind_ok(kind, strlen(kind)))
        return http_error(r, 404, "not-found", "Page not found", NULL);
    struct pki_sealed_doc d;
    struct pc_err err = {0};
    int rc = app->reference ? pki_doc_get(app_of(r)->db, &r->arena, app->reference, kind, &d, &err) : PC_ENOTFOUND;
    if (rc == PC_ENOTFOUND)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    if (rc)
        return web_fail(r, rc, &err);
    pc_buf_reset(&r->out);
    pc_buf_append(&r->out, signature ? (const void *)d.signature : d.document,
                  signature ? d.signature_len : d.document_len);
    r->status = 200;
    r->content_type = signature ? "application/pkcs7-signature" : "text/plain; charset=utf-8";
    r->no_gzip = true;
    http_set_header(r, "Content-Disposition",
                    pc_arena_printf(&r->arena, "attachment; filename=\"%s%s%s.txt%s\"", app->reference,
                                    dash ? "-" : "", dash ? kind : "", signature ? ".p7s" : ""));
    return 0;
}

void web_appeal_outcome(struct http_req *r, const struct case_app *app, const char *base)
{
    struct pki_sealed_doc d;
    struct pc_err err = {0};
    int rc = app->reference ? pki_doc_get(app_of(r)->db, &r->arena, app->reference, WEB_SEALED_APPEAL, &d, &err)
                            : PC_ENOTFOUND;
    if (rc == PC_ENOTFOUND)
        return;
    if (rc) { /* the page goes on without it */
        pc_log(PC_LOG_WARN, "web.appeal_outcome_failed", "msg", err.msg, NULL);
        return;
    }
    web_html(r, "<h2 id=\"appeal-outcome\">%s</h2>\n<p>%s</p>\n<ul>\n"
                "<li><a href=\"%s/appeal-document\" download=\"%s-appeal.txt\">%s</a></li>\n"
                "<li><a href=\"%s/appeal-signature\" download=\"%s-appeal.txt.p7s\">%s</a></li>\n</ul>\n"
                "<p>%s <a href=\"/verify\">%s</a></p>\n",
             web_t(r, M_APPEAL_OUTCOME_TITLE), web_t(r, M_APPEAL_OUTCOME_SEALED), base, app->reference,
             web_t(r, M_APPEAL_OUTCOME_DOC), base, app->reference, web_t(r, M_APPEAL_OUTCOME_SIG),
             web_t(r, M_RESULT_HOW_VERIFY), web_t(r, M_VERIFY_TITLE));
}
