/* internal.h — shared inside src/oidc only: the provider object, the key
 * ring, the back-channel sender's queue and small helpers. */
#ifndef PC_OIDC_INTERNAL_H
#define PC_OIDC_INTERNAL_H

#include "oidc.h"
#include "../audit/audit.h"

#include <pthread.h>
#include <stdio.h>

#define OIDC_LOCK_KEY 724200120    /* db_xact_lock: one node makes a key at a time */

/* One signing key as a node holds it. */
struct oidc_key {
    char kid[44];
    EVP_PKEY *pkey;                /* private: only in this process's memory */
    int64_t active_from, active_until, retire_at;
    char *jwk;                     /* the public JWK (JSON), with x5c when certified */
};

/* A logout token on its way to a site. */
struct oidc_outgoing {
    char *uri, *body;
    int attempts;
    int64_t due_usec;
    struct oidc_outgoing *next;
};

struct oidc {
    struct db *db;
    struct oidc_config cfg;        /* strings owned (copied at open) */
    pthread_mutex_t keys_lock;
    struct oidc_key *keys;
    size_t nkeys;
    int64_t keys_checked;          /* unix seconds of the last look at the table */
    bool keys_making;              /* a thread is making the next key (without keys_lock) */
    char *jwks;                    /* the published set, JSON */
    pthread_mutex_t q_lock;
    pthread_cond_t q_cond;
    struct oidc_outgoing *q_head;
    bool stopping, sender_running;
    pthread_t sender;
};

/* The code of a call that failed with NULL (db_conn_get, db_prepare). */
static inline int oidc__failed(const struct pc_err *err)
{
    return err && err->code < 0 ? err->code : PC_EIO;
}

static inline int oidc__ran(int64_t rows)
{
    return rows < 0 ? (int)rows : 0;
}

/* x and y (base64url) and the RFC 7638 thumbprint of a P-256 key (jose.c). */
int oidc__jwk_of(EVP_PKEY *key, char x[44], char y[44], char kid[44]);

/* Look at the key table when due (making keys as the schedule needs);
 * then the key that signs now, with a reference the caller drops
 * (EVP_PKEY_free).  PC_EUNAVAIL when there is none (keys.c). */
int oidc__signing_key(struct oidc *o, EVP_PKEY **key, char kid[44], struct pc_err *err);
/* With keys_lock held: make the next key when due and reload the ring.
 * The lock is let go while a key is made (the CA may be slow). */
int oidc__keys_refresh(struct oidc *o, bool force, struct pc_err *err);
void oidc__keys_free(struct oidc *o);
/* The public key of one of our published keys (a reference), or NULL. */
EVP_PKEY *oidc__public_key(struct oidc *o, const char *kid);

/* Record a refused request in the audit log, in a transaction of its own
 * (the refusal changes nothing else).  reason is short English; never a
 * secret. */
void oidc__refused(struct oidc *o, const char *client_id, const char *reason, const char *ip);

/* The subject a client sees for a FİN: the FİN, or its pairwise value. */
int oidc__subject(struct oidc *o, struct pc_arena *a, const struct oidc_client *c, const char *fin,
                  const char **sub, struct pc_err *err);

/* Add the userinfo claims of the scopes from the person's record to
 * claims (a json_t object). */
int oidc__person_claims(struct oidc *o, struct pc_arena *a, const char *fin, unsigned scopes, void *claims,
                        struct pc_err *err);

/* The login level and method of a session, as acr and amr (claims.c).
 * The session does not record them yet: every session is code-password
 * (NULL p: the level every login reaches, for the discovery document). */
const char *oidc__acr_of(const struct id_principal *p);
const char *oidc__amr_of(const struct id_principal *p);   /* JSON array text */

/* Hand a logout token to the sender (sender.c). */
void oidc__send(struct oidc *o, const char *uri, const char *logout_token);
int oidc__sender_start(struct oidc *o, struct pc_err *err);
void oidc__sender_stop(struct oidc *o);

/* The known scopes of a space-separated list (provider.c). */
unsigned oidc__scopes_parse(const char *text);

/* SHA-256 of text as 64 hex digits (codes and tokens are kept hashed). */
void oidc__hash(const char *text, char out[65]);
/* A random token of 256 bits in base64url (43 characters) into out[44]. */
int oidc__token(char out[44], struct pc_err *err);

#endif
