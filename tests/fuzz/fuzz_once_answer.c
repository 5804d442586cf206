/* fuzz_once_answer.c — what the portal reads from outside in once only:
 * a registry's answer through the exchange (once_person_parse, the
 * population register's person; once_may_act_for, the taxpayer register's
 * director and representatives) and the exchange configuration file
 * (xc_conf_parse), on arbitrary JSON.
 * Invariants: a person parses (0) or is refused as unusable (PC_EUNAVAIL),
 * and a parsed person has names and a birth date and at most
 * ONCE_CHILDREN_MAX children; a configuration parses (0) or is refused
 * (PC_EINVAL), and a parsed one has an http(s) gateway or none, a
 * subsystem client or none, and only service ids that parse; no leak
 * (everything in one arena). */
#include "fuzz_common.h"

#include "../../src/once/person.c"
#include "../../src/once/represent.c"
#include "../../src/xclient/conf.c"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!j)
        return 0;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    const char *fin = json_string_value(json_object_get(j, "fin"));
    struct once_person p;
    int rc = once_person_parse(&a, fin ? fin : "0034LZB", j, &p, &err);
    FUZZ_CHECK(rc == 0 || rc == PC_EUNAVAIL);
    if (rc == 0) {
        FUZZ_CHECK(p.surname && p.name && p.birth_date && p.nchildren <= ONCE_CHILDREN_MAX);
        FUZZ_CHECK(!p.address || (p.city && p.street));
    }
    if (once_may_act_for(j, "0034LZB"))
        FUZZ_CHECK(json_object_get(j, "director_fin") || json_object_get(j, "representatives"));
    FUZZ_CHECK(!once_may_act_for(j, ""));
    struct xc_conf conf;
    memset(&conf, 0, sizeof conf);
    rc = xc_conf_parse(j, "fuzz", &conf, &err);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    if (rc == 0) {
        struct xr_id id;
        FUZZ_CHECK(!conf.gateway[0] || pc_str_has_prefix(conf.gateway, "http://") ||
                   pc_str_has_prefix(conf.gateway, "https://"));
        FUZZ_CHECK(!conf.client[0] || xr_id_parse_str(conf.client, XR_ID_SUBSYSTEM, &id, NULL) == 0);
        for (size_t i = 0; i < conf.nservices; i++)
            FUZZ_CHECK(xr_id_parse_str(conf.services[i].service, XR_ID_SERVICE, &id, NULL) == 0);
    }
    json_decref(j);
    pc_arena_release(&a);
    return 0;
}
