/* authz.c — roles and the single authorization decision.  Every access
 * check in the portal calls id_authorize; a request is denied unless one
 * of the principal's grants allows the action on that very resource. */
#include "identity.h"
#include "internal.h"

#include <string.h>

static const char *const role_names[ID_ROLE_COUNT] = {
    [ID_ROLE_CITIZEN] = "citizen",
    [ID_ROLE_REPRESENTATIVE] = "representative",
    [ID_ROLE_OFFICER] = "officer",
    [ID_ROLE_AGENCY_ADMIN] = "agency_admin",
    [ID_ROLE_REGISTRAR] = "registrar",
    [ID_ROLE_OPERATOR] = "operator",
    [ID_ROLE_EVALUATOR] = "evaluator",
    [ID_ROLE_AUDITOR] = "auditor",
    [ID_ROLE_INSPECTOR] = "inspector",
    [ID_ROLE_POSTAL] = "postal_operator",
};

const char *id_role_name(enum id_role r)
{
    return (unsigned)r < ID_ROLE_COUNT ? role_names[r] : "unknown";
}

int id_role_parse(const char *name)
{
    for (int i = 0; i < ID_ROLE_COUNT; i++)
        if (pc_str_eq(name, role_names[i]))
            return i;
    return -1;
}

bool id_has_role(const struct id_principal *p, enum id_role r)
{
    for (int i = 0; p && i < p->ngrants; i++)
        if (p->grants[i].role == r)
            return true;
    return false;
}

const char *id_agency_of(const struct id_principal *p)
{
    for (int i = 0; p && i < p->ngrants; i++)
        if ((p->grants[i].role == ID_ROLE_OFFICER || p->grants[i].role == ID_ROLE_AGENCY_ADMIN) &&
            p->grants[i].agency_id && *p->grants[i].agency_id)
            return p->grants[i].agency_id;
    return NULL;
}

/* Does one grant allow the action on the resource? */
static bool grant_allows(const struct id_principal *p, const struct id_grant *g, enum id_action a,
                         const struct id_resource *res)
{
    const char *agency = res ? res->agency_id : NULL;
    bool same_agency = agency && g->agency_id && *g->agency_id && strcmp(agency, g->agency_id) == 0;
    switch (a) {
    case ID_ACT_VIEW_OWN_DATA:
        return true; /* any logged-in account, about itself */
    case ID_ACT_VIEW_PERSON:
        /* a citizen sees only their own record, and only from their own
         * citizen account (never through a staff account bound to them);
         * registrars identify people */
        if (g->role == ID_ROLE_CITIZEN)
            return res && p->kind == ID_ACCOUNT_CITIZEN && p->fin && pc_str_eq(res->fin, p->fin);
        return g->role == ID_ROLE_REGISTRAR;
    case ID_ACT_ISSUE_CODE:
        return g->role == ID_ROLE_REGISTRAR;
    case ID_ACT_ACT_FOR_ENTITY:
        return g->role == ID_ROLE_REPRESENTATIVE && res && res->voen && res->granted;
    case ID_ACT_VIEW_AGENCY_CASES:
        return (g->role == ID_ROLE_OFFICER || g->role == ID_ROLE_AGENCY_ADMIN) && same_agency;
    case ID_ACT_MANAGE_AGENCY_STAFF:
        return g->role == ID_ROLE_AGENCY_ADMIN && same_agency;
    case ID_ACT_VIEW_AUDIT:
        return g->role == ID_ROLE_AUDITOR;
    case ID_ACT_VIEW_STATISTICS:
        return g->role == ID_ROLE_AUDITOR || g->role == ID_ROLE_EVALUATOR || g->role == ID_ROLE_OPERATOR;
    case ID_ACT_MANAGE_CATALOG:
        return g->role == ID_ROLE_OPERATOR;
    case ID_ACT_APPLY:
        /* for oneself as a citizen, or for an entity one represents */
        if (res && res->voen)
            return g->role == ID_ROLE_REPRESENTATIVE && res->granted;
        return g->role == ID_ROLE_CITIZEN || g->role == ID_ROLE_REPRESENTATIVE;
    case ID_ACT_VIEW_CASE:
        /* the applicant, or staff of the agency the case is addressed to */
        if ((g->role == ID_ROLE_CITIZEN || g->role == ID_ROLE_REPRESENTATIVE) && res && res->owner)
            return pc_str_eq(res->owner, p->account_id);
        return (g->role == ID_ROLE_OFFICER || g->role == ID_ROLE_AGENCY_ADMIN) && same_agency;
    case ID_ACT_ACT_ON_CASE:
        return (g->role == ID_ROLE_OFFICER || g->role == ID_ROLE_AGENCY_ADMIN) && same_agency;
    case ID_ACT_ISREG_EDIT:
        return (g->role == ID_ROLE_OFFICER || g->role == ID_ROLE_AGENCY_ADMIN) && same_agency;
    case ID_ACT_VOTE:
        /* one person, one voice: never through a staff account or for an entity */
        return g->role == ID_ROLE_CITIZEN && p->kind == ID_ACCOUNT_CITIZEN && p->fin && !p->acting_for;
    case ID_ACT_MANAGE_POLLS:
    case ID_ACT_MANAGE_CENTRES:
        return g->role == ID_ROLE_OPERATOR || (g->role == ID_ROLE_AGENCY_ADMIN && same_agency);
    case ID_ACT_ANSWER_COMPLAINT:
    case ID_ACT_CENTRE_DESK:
        return (g->role == ID_ROLE_OFFICER || g->role == ID_ROLE_AGENCY_ADMIN) && same_agency;
    case ID_ACT_ISREG_REVIEW:
    case ID_ACT_MODERATE:
        return g->role == ID_ROLE_OPERATOR;
    case ID_ACT_MANAGE_OWN_CERTS:
        /* a person's certificates are theirs alone, from their own citizen
         * account (never a staff account bound to them, never an officer) */
        return (g->role == ID_ROLE_CITIZEN || g->role == ID_ROLE_REPRESENTATIVE) && res &&
               p->kind == ID_ACCOUNT_CITIZEN && p->fin && pc_str_eq(res->fin, p->fin);
    case ID_ACT_ISSUE_CERT_AT_DESK:
        return g->role == ID_ROLE_REGISTRAR;
    case ID_ACT_OIDC_SIGN_IN:
        /* the person's own citizen account: a staff account never hands
         * its owner's identity to another site */
        return (g->role == ID_ROLE_CITIZEN || g->role == ID_ROLE_REPRESENTATIVE) && p->kind == ID_ACCOUNT_CITIZEN &&
               p->fin;
    case ID_ACT_MANAGE_OIDC_CLIENTS:
        return g->role == ID_ROLE_OPERATOR;
    case ID_ACT_PAY_REFUND:
        return (g->role == ID_ROLE_OFFICER || g->role == ID_ROLE_AGENCY_ADMIN) && same_agency;
    case ID_ACT_PAY_RECONCILE:
        return g->role == ID_ROLE_OPERATOR;
    case ID_ACT_INSPECT:
        /* only the inspector the visit was given to, within their agency */
        return g->role == ID_ROLE_INSPECTOR && same_agency && res && pc_str_eq(res->owner, p->account_id);
    case ID_ACT_ESAFE:
        /* a person's documents from their own citizen account only, a
         * company's while acting for it (checked against the grants at
         * every lookup); a staff account never has an e-safe */
        if (!res || p->kind != ID_ACCOUNT_CITIZEN || !p->fin)
            return false;
        if (res->voen)
            return g->role == ID_ROLE_REPRESENTATIVE && pc_str_eq(p->acting_for, res->voen);
        return (g->role == ID_ROLE_CITIZEN || g->role == ID_ROLE_REPRESENTATIVE) && !p->acting_for &&
               pc_str_eq(res->fin, p->fin);
    case ID_ACT_EVALUATE:
        return g->role == ID_ROLE_EVALUATOR;
    case ID_ACT_REVIEW_EVALUATION:
        /* the four-eyes rule: never one's own campaign */
        return g->role == ID_ROLE_EVALUATOR && res && res->owner && !pc_str_eq(res->owner, p->account_id);
    case ID_ACT_VIEW_EVALUATION:
        if (g->role == ID_ROLE_OFFICER || g->role == ID_ROLE_AGENCY_ADMIN)
            return same_agency;
        return g->role == ID_ROLE_EVALUATOR || g->role == ID_ROLE_AUDITOR || g->role == ID_ROLE_OPERATOR;
    case ID_ACT_ECERT_OWN:
        /* about oneself, from one's own citizen account, not while acting for an entity */
        return (g->role == ID_ROLE_CITIZEN || g->role == ID_ROLE_REPRESENTATIVE) && res &&
               p->kind == ID_ACCOUNT_CITIZEN && p->fin && !p->acting_for && pc_str_eq(res->fin, p->fin);
    case ID_ACT_ECERT_REVOKE:
        return (g->role == ID_ROLE_OFFICER || g->role == ID_ROLE_AGENCY_ADMIN) && same_agency;
    case ID_ACT_MANAGE_KIOSKS:
        return g->role == ID_ROLE_OPERATOR;
    case ID_ACT_FILE_PAPER:
        /* the agency's own officers, or a post office's operator (for any agency) */
        return g->role == ID_ROLE_POSTAL || ((g->role == ID_ROLE_OFFICER || g->role == ID_ROLE_AGENCY_ADMIN) && same_agency);
    case ID_ACT_UPLOAD:
        return grant_allows(p, g, ID_ACT_APPLY, NULL) || g->role == ID_ROLE_POSTAL || g->role == ID_ROLE_OFFICER ||
               g->role == ID_ROLE_AGENCY_ADMIN;
    }
    return false;
}

int id_authorize_role(const struct id_principal *p, enum id_action a, const struct id_resource *res)
{
    if (!p || !p->account_id)
        return -1;
    /* a guest (guest.c) has no role: it sees its own applications and
     * takes the applicant's steps on them, as the citizen it stands for */
    if (p->kind == ID_ACCOUNT_GUEST)
        return a == ID_ACT_VIEW_CASE && res && res->owner && pc_str_eq(res->owner, p->account_id) ? (int)ID_ROLE_CITIZEN
                                                                                                 : -1;
    for (int i = 0; i < p->ngrants; i++)
        if (grant_allows(p, &p->grants[i], a, res))
            return (int)p->grants[i].role;
    return -1;
}

bool id_authorize(const struct id_principal *p, enum id_action a, const struct id_resource *res)
{
    return id_authorize_role(p, a, res) >= 0;
}

const char *id_principal_role(const struct id_principal *p)
{
    if (p->kind == ID_ACCOUNT_CITIZEN || p->ngrants == 0)
        return "citizen";
    return id_role_name(p->grants[0].role);
}

bool id_fin_valid(const char *s)
{
    if (!s || strlen(s) != 7)
        return false;
    for (int i = 0; i < 7; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
            return false;
    return true;
}

bool id_fin_normalize(const char *typed, char out[8])
{
    out[0] = 0;
    if (!typed)
        return false;
    while (*typed == ' ')
        typed++;
    size_t n = strlen(typed);
    while (n && typed[n - 1] == ' ')
        n--;
    if (n != 7)
        return false;
    for (size_t i = 0; i < 7; i++)
        out[i] = typed[i] >= 'a' && typed[i] <= 'z' ? (char)(typed[i] - 32) : typed[i];
    out[7] = 0;
    if (id_fin_valid(out))
        return true;
    out[0] = 0;
    return false;
}

bool id_voen_valid(const char *s)
{
    if (!s || strlen(s) != 10)
        return false;
    for (int i = 0; i < 10; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}
