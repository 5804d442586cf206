/* password.c — passwords: the rules for a new one, Argon2id hashing, and
 * the node's limits on it.
 *
 * Hashing is deliberately slow and memory-hard, so at most one hash per
 * core runs at a time (a semaphore) and the other requests of the server
 * keep their threads and their latency during a login storm.  Hashes for
 * people who are not logged in yet (a login, a wrong password) also pass
 * through a queue of bounded length: a client whose address or login has
 * recent failures gets a place only while the queue is short, so a flood
 * of wrong passwords is turned away before it is hashed and a real login
 * never waits behind it. */
#include "identity.h"
#include "internal.h"

#include <argon2.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

/* 19 MiB, 2 passes (the OWASP baseline for Argon2id): ~60 ms on one core of
 * the 2-core reference machine with Debian 12's libargon2. */
static uint32_t argon_t = 2, argon_m = 19456;
static sem_t hash_slots;
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;

/* Attempts admitted and not yet finished, and the queue's limits: a
 * suspect attempt may wait behind at most SUSPECT_AHEAD others (one hash
 * each, ~60 ms), anyone behind at most QUEUE_MAX. */
#define SUSPECT_AHEAD 2
#define QUEUE_MAX 64
static atomic_int queued;

static void hash_init(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    sem_init(&hash_slots, 0, cores > 0 ? (unsigned)cores : 1);
}

void id_password_params(uint32_t *t_cost, uint32_t *m_cost_kib, uint32_t *parallelism)
{
    *t_cost = argon_t;
    *m_cost_kib = argon_m;
    *parallelism = 1;
}

void id_password_set_params(uint32_t t_cost, uint32_t m_cost_kib)
{
    argon_t = t_cost;
    argon_m = m_cost_kib;
}

int id_password_check(const char *pw, struct pc_err *err)
{
    size_t n = pw ? strlen(pw) : 0;
    if (n < ID_PASSWORD_MIN)
        return pc_err_set(err, PC_EINVAL, "the password must be at least %d characters", ID_PASSWORD_MIN);
    if (n > ID_PASSWORD_MAX)
        return pc_err_set(err, PC_EINVAL, "the password must be at most %d characters", ID_PASSWORD_MAX);
    if (!pc_utf8_valid(pw, n))
        return pc_err_set(err, PC_EINVAL, "the password is not valid text");
    bool letter = false, digit = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)pw[i];
        if (ch >= '0' && ch <= '9')
            digit = true;
        else if ((ch | 32) >= 'a' && (ch | 32) <= 'z')
            letter = true;
        else if (ch >= 0x80)
            letter = true;
    }
    if (!letter || !digit)
        return pc_err_set(err, PC_EINVAL, "the password needs letters and digits");
    return 0;
}

int id_password_hash(const char *pw, char *out, size_t outlen, struct pc_err *err)
{
    unsigned char salt[16];
    if (pc_random_bytes(salt, sizeof salt))
        return pc_err_set(err, PC_EIO, "no randomness for a salt");
    pthread_once(&hash_once, hash_init);
    sem_wait(&hash_slots);
    int rc = argon2id_hash_encoded(argon_t, argon_m, 1, pw, strlen(pw), salt, sizeof salt, 32, out, outlen);
    sem_post(&hash_slots);
    return rc == ARGON2_OK ? 0 : pc_err_set(err, PC_EIO, "password hashing failed: %s", argon2_error_message(rc));
}

/* Constant work whether or not the account exists: an unknown login is
 * checked against this dummy hash so timing does not tell them apart. */
static char dummy_hash[128];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
    id_password_hash("not-a-real-password-0", dummy_hash, sizeof dummy_hash, NULL);
}

bool id_password_verify(const char *encoded, const char *pw)
{
    pthread_once(&hash_once, hash_init);
    if (!encoded) {
        pthread_once(&dummy_once, dummy_init);
        encoded = dummy_hash;
    }
    sem_wait(&hash_slots);
    int rc = argon2id_verify(encoded, pw, strlen(pw));
    sem_post(&hash_slots);
    return rc == ARGON2_OK && encoded != dummy_hash;
}

bool id_hash_queue_enter(bool suspect)
{
    int limit = suspect ? SUSPECT_AHEAD : QUEUE_MAX;
    int n = atomic_load(&queued);
    do {
        if (n >= limit)
            return false;
    } while (!atomic_compare_exchange_weak(&queued, &n, n + 1));
    return true;
}

void id_hash_queue_leave(void)
{
    atomic_fetch_sub(&queued, 1);
}

int id_password_set(struct db *db, const char *account_id, const char *password, struct pc_err *err)
{
    char enc[128];
    int rc = id_password_hash(password, enc, sizeof enc, err);
    if (rc)
        return rc;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "UPDATE accounts SET password_hash = ?, password_set_at = ?,"
                                          " status = 'active', failed_logins = 0 WHERE id = ?", err) : NULL;
    if (!s)
        return id_failed(err);
    char now[21];
    pc_rfc3339(pc_now_unix(), now);
    db_bind_text(s, 1, enc);
    db_bind_text(s, 2, now);
    db_bind_text(s, 3, account_id);
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    return n == 1 ? 0 : pc_err_set(err, PC_ENOTFOUND, "no account %s", account_id);
}
