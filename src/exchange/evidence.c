/* evidence.c — one message out of a gateway's message log, with what a
 * third party needs to check it without trusting the gateway
 * (`pencere gateway evidence`): the message's records whole (fields,
 * body, signature, the signer's certificate, the OCSP answer sent with
 * it), the chain value before the first of them, the digest of every
 * other record up to the first time-stamped head (their content stays
 * private), that time-stamp and the CA chain.  Checking it: recompute each
 * record's digest (docs/exchange.md), fold the digests into the chain
 * from "prev", compare with the stamp's chain value, verify the
 * time-stamp token over it against the CA chain, and each signature over
 * "xr1-signature\n" + hash with its certificate. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *record_json(struct pc_arena *a, struct db_stmt *s)
{
    static const char *const names[XR_LOG_FIELDS] = {"seq", "at_ms", "message_id", "side", "kind", "protocol",
                                                     "client", "service", "user_id", "issue", "fault", "block",
                                                     "body_hash", "hash", "signature", "cert", "ocsp"};
    const char *f[XR_LOG_FIELDS];
    xr_logrow_fields(a, s, f);
    json_t *o = json_object();
    for (int i = 0; i < XR_LOG_FIELDS; i++)
        json_object_set_new(o, names[i], json_string(f[i]));
    const char *body = xr_logrow_body_b64(a, s);
    json_object_set_new(o, "body", body ? json_string(body) : json_null());
    json_object_set_new(o, "prev", json_string(db_col_text(s, 18)));
    json_object_set_new(o, "chain", json_string(db_col_text(s, 19)));
    return o;
}

int xr_msglog_evidence(const char *dir, const char *db_url, const char *message_id, struct pc_arena *a,
                       const char **json, struct pc_err *err)
{
    char path[1200];
    if (!db_url) {
        snprintf(path, sizeof path, "%s/gateway.db", dir);
        db_url = path;
    }
    struct db *db = db_open(db_url, err);
    if (!db)
        return err->code ? err->code : PC_EIO;
    struct db_conn *k = db_conn_get(db, err);
    json_t *out = json_pack("{s:s, s:[], s:[], s:n, s:n}", "message_id", message_id, "records", "links", "stamp",
                            "ca_chain");
    int rc = k ? 0 : (err->code ? err->code : PC_EIO), r = 0;
    /* the message's records */
    struct db_stmt *s = rc ? NULL : db_prepare(k, XR_LOGROW_SELECT " WHERE message_id = ? ORDER BY seq", err);
    int64_t first = 0, last = 0;
    if (s) {
        db_bind_text(s, 1, message_id);
        while ((r = db_step(s, err)) == 1) {
            json_t *rec = record_json(a, s);
            last = db_col_int(s, 0);
            if (!first)
                first = last;
            json_array_append_new(json_object_get(out, "records"), rec);
        }
        rc = r < 0 ? r : 0;
    } else if (!rc) {
        rc = err->code ? err->code : PC_EIO;
    }
    db_conn_idle(k);
    if (!rc && !first)
        rc = pc_err_set(err, PC_ENOTFOUND, "no message %s in the log", message_id);
    /* the signers' certificates */
    json_t *certs = json_object(), *rec;
    size_t i;
    json_array_foreach(json_object_get(out, "records"), i, rec) {
        const char *fp = json_string_value(json_object_get(rec, "cert"));
        if (rc || !*fp || json_object_get(certs, fp))
            continue;
        s = db_prepare(k, "SELECT pem FROM xr_certs WHERE fp = ?", err);
        if (s) {
            db_bind_text(s, 1, fp);
            if (db_step(s, err) == 1)
                json_object_set_new(certs, fp, json_string(db_col_text(s, 0)));
        }
        db_conn_idle(k);
    }
    json_object_set_new(out, "certificates", certs);
    /* the first time-stamp at or after the message's last record */
    int64_t stamp_seq = 0;
    s = rc ? NULL : db_prepare(k, "SELECT seq, chain, at, token FROM xr_msglog_stamps WHERE seq >= ? "
                                  "ORDER BY seq LIMIT 1", err);
    if (s) {
        db_bind_int(s, 1, last);
        if ((r = db_step(s, err)) == 1) {
            stamp_seq = db_col_int(s, 0);
            json_object_set_new(out, "stamp", json_pack("{s:I, s:s, s:I, s:s}", "seq", (json_int_t)stamp_seq,
                                                        "chain", db_col_text(s, 1), "at",
                                                        (json_int_t)db_col_int(s, 2), "token", db_col_text(s, 3)));
        }
        rc = r < 0 ? r : 0;
        db_conn_idle(k);
    }
    /* every record from the first of the message to the stamped one, as a digest */
    s = rc ? NULL : db_prepare(k, XR_LOGROW_SELECT " WHERE seq >= ? AND seq <= ? ORDER BY seq", err);
    if (s) {
        db_bind_int(s, 1, first);
        db_bind_int(s, 2, stamp_seq ? stamp_seq : last);
        while ((r = db_step(s, err)) == 1) {
            const char *f[XR_LOG_FIELDS];
            xr_logrow_fields(a, s, f);
            unsigned char d[32];
            char hex[65];
            xr_logrec_digest(f, XR_LOG_FIELDS, d);
            xr_hex(d, 32, hex);
            json_array_append_new(json_object_get(out, "links"),
                                  json_pack("{s:I, s:s}", "seq", (json_int_t)db_col_int(s, 0), "digest", hex));
        }
        rc = r < 0 ? r : 0;
        db_conn_idle(k);
    }
    snprintf(path, sizeof path, "%s/ca-chain.pem", dir);
    const char *chain = xr_read_text(a, path);
    if (chain)
        json_object_set_new(out, "ca_chain", json_string(chain));
    if (!rc) {
        char *text = json_dumps(out, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        *json = pc_arena_strdup(a, text);
        free(text);
    }
    json_decref(out);
    db_close(db);
    return rc;
}
