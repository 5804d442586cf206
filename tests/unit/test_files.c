/* test_files.c — the store of uploaded files (src/cases/file_store.c),
 * the folder and the database kind, on SQLite and PostgreSQL: a received
 * file is stored only when kept, the rest leaves nothing behind; a file
 * several chunks long reads back byte for byte; the same content is kept
 * once; a damaged chunk is an error, not a short file; parts left by
 * stopped processes are swept at start, parts of live ones are not;
 * files move between the two kinds whole and once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>
#include <utime.h>

#include "fixture.h"
#include "../../src/cases/internal.h"

#define BIG (2 * CASE_CHUNK + 12345) /* three chunks, the last one short */

static unsigned char *big_pdf(unsigned seed)
{
    unsigned char *p = malloc(BIG);
    assert_non_null(p);
    memcpy(p, "%PDF-1.4\n", 9);
    for (size_t i = 9; i < BIG; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (unsigned char)(seed >> 16);
    }
    return p;
}

static int count_in(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static int64_t chunks(struct fixture *f, const char *sha256)
{
    struct pc_err err = {0};
    struct db_stmt *s = db_prepare(fx_conn(f), "SELECT COUNT(*) FROM stored_file_chunks WHERE sha256 = ?", &err);
    assert_non_null(s);
    db_bind_text(s, 1, sha256);
    assert_int_equal(db_step(s, &err), 1);
    int64_t n = db_col_int(s, 0);
    db_conn_idle(fx_conn(f));
    return n;
}

/* A received file: written in uneven pieces, finished. */
static struct case_file_writer *receive(struct case_store *st, const unsigned char *p, size_t n, struct case_file *out)
{
    struct pc_err err = {0};
    struct case_file_writer *w = case_file_writer_new(st, &err);
    assert_non_null(w);
    for (size_t off = 0; off < n; off += 100000)
        assert_int_equal(case_file_write(w, p + off, n - off < 100000 ? n - off : 100000), 0);
    assert_int_equal(case_file_finish(w, out, &err), 0);
    return w;
}

static struct case_app app_naming(struct pc_arena *a, const char *sha256)
{
    json_t *j = json_pack("{s:{s:s,s:s,s:i,s:s}}", "scan", "sha256", sha256, "name", "scan.pdf", "size", 1, "type",
                          "image/png");
    return (struct case_app){.answers = form_answers_own(a, j)};
}

static void stored_only_when_kept(struct fixture *f, enum case_store_kind kind)
{
    char dir[] = "/tmp/pencere-test-store.XXXXXX", tmp[64];
    assert_non_null(mkdtemp(dir));
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    struct pc_err err = {0};
    struct case_store *st = case_store_open(kind, dir, f->db, &err);
    assert_non_null(st);
    struct pc_arena a;
    pc_arena_init(&a);
    unsigned char *pdf = big_pdf(kind + 7u * f->pg);
    char hex[65];
    pc_sha256_hex(pdf, BIG, hex);
    struct case_app app = app_naming(&a, hex);
    struct case_file_reader *rd;
    struct case_file info, got;

    /* received whole, not kept: nothing stored, and nothing left when freed */
    struct case_file_writer *w = receive(st, pdf, BIG, &got);
    assert_string_equal(got.sha256, hex);
    assert_string_equal(got.mime, "application/pdf");
    assert_int_equal(count_in(tmp), 1);
    assert_int_equal(case_file_open(st, &app, hex, &rd, &info, &a, &err), PC_ENOTFOUND);
    case_file_writer_free(w);
    assert_int_equal(count_in(tmp), 0);
    assert_int_equal(case_file_open(st, &app, hex, &rd, &info, &a, &err), PC_ENOTFOUND);

    /* kept: read back byte for byte, its type and size from the content */
    w = receive(st, pdf, BIG, &got);
    if (case_file_keep(w, &err))
        fail_msg("keep: %s", err.msg);
    assert_int_equal(case_file_keep(w, &err), 0);
    case_file_writer_free(w);
    assert_int_equal(count_in(tmp), 0);
    assert_int_equal(case_file_open(st, &app, hex, &rd, &info, &a, &err), 0);
    assert_string_equal(info.mime, "application/pdf");
    assert_int_equal(info.size, BIG);
    assert_string_equal(info.name, "scan.pdf");
    unsigned char *back = malloc(BIG + 1);
    size_t n = 0;
    for (int64_t k; (k = case_file_read(rd, back + n, 7000)) > 0;)
        n += (size_t)k;
    case_file_reader_free(rd);
    assert_int_equal(n, BIG);
    assert_memory_equal(back, pdf, BIG);
    if (kind == CASE_STORE_DB) {
        assert_int_equal(chunks(f, hex), 3);
        assert_int_equal(count_in(dir), 1); /* only tmp: nothing in the folder */
    } else {
        char path[200];
        snprintf(path, sizeof path, "%s/%.2s/%s", dir, hex, hex);
        assert_int_equal(access(path, R_OK), 0);
    }

    /* the same content again is kept once */
    w = receive(st, pdf, BIG, &got);
    assert_int_equal(case_file_keep(w, &err), 0);
    case_file_writer_free(w);
    if (kind == CASE_STORE_DB) {
        assert_int_equal(chunks(f, hex), 3);
        /* a chunk lost: an error while reading, never a short file */
        char sql[200];
        snprintf(sql, sizeof sql, "DELETE FROM stored_file_chunks WHERE sha256 = '%s' AND seq = 1", hex);
        fx_exec(fx_conn(f), sql);
        assert_int_equal(case_file_open(st, &app, hex, &rd, &info, &a, &err), 0);
        int64_t k;
        n = 0;
        while ((k = case_file_read(rd, back + n, 100000)) > 0)
            n += (size_t)k;
        case_file_reader_free(rd);
        assert_true(k < 0);
        assert_int_equal(n, CASE_CHUNK);
    }
    free(back);
    free(pdf);
    pc_arena_release(&a);
    case_store_close(st);
    char cmd[100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_the_folder_store(void **state)
{
    stored_only_when_kept(*state, CASE_STORE_DIR);
}

static void test_the_database_store(void **state)
{
    stored_only_when_kept(*state, CASE_STORE_DB);
}

static void touch(const char *dir, const char *name, int64_t age)
{
    char path[300];
    snprintf(path, sizeof path, "%s/tmp/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    struct utimbuf t = {.actime = (time_t)(pc_now_unix() - age), .modtime = (time_t)(pc_now_unix() - age)};
    assert_int_equal(utime(path, &t), 0);
}

static void test_parts_of_stopped_processes_are_swept(void **state)
{
    struct fixture *f = *state;
    char dir[] = "/tmp/pencere-test-sweep.XXXXXX", tmp[64], host[256] = "", part[400];
    assert_non_null(mkdtemp(dir));
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    struct pc_err err = {0};
    struct case_store *st = case_store_open(CASE_STORE_DB, dir, f->db, &err);
    assert_non_null(st);
    case_store_close(st);
    gethostname(host, sizeof host - 1);
    for (char *h = host; *h; h++)
        if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') || (*h >= '0' && *h <= '9') || *h == '.'))
            *h = '_';
    snprintf(part, sizeof part, "part-%s-%ld-aaaaaa", host, (long)getpid()); /* an earlier process with our pid */
    touch(dir, part, 0);
    snprintf(part, sizeof part, "part-%s-%d-bbbbbb", host, INT32_MAX); /* a process that is gone */
    touch(dir, part, 0);
    touch(dir, "part-elsewhere-1-cccccc", 2 * 86400); /* anyone's, two days old */
    touch(dir, "part-elsewhere-1-dddddd", 60);        /* another node's, receiving now */
    st = case_store_open(CASE_STORE_DB, dir, f->db, &err);
    assert_non_null(st);
    assert_int_equal(count_in(tmp), 1);
    snprintf(part, sizeof part, "%s/part-elsewhere-1-dddddd", tmp);
    assert_int_equal(access(part, F_OK), 0);
    case_store_close(st);
    char cmd[100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* From the folder to the database and back: every file, byte for byte,
 * once; a file whose content no longer matches its name is not moved. */
static void test_files_move_between_stores(void **state)
{
    struct fixture *f = *state;
    char one[] = "/tmp/pencere-test-move.XXXXXX", two[] = "/tmp/pencere-test-move.XXXXXX";
    assert_non_null(mkdtemp(one));
    assert_non_null(mkdtemp(two));
    struct pc_err err = {0};
    struct case_store *dir = case_store_open(CASE_STORE_DIR, one, f->db, &err);
    struct case_store *db = case_store_open(CASE_STORE_DB, one, f->db, &err);
    assert_non_null(dir);
    assert_non_null(db);
    char hex[2][65];
    unsigned char *pdf[2];
    for (int i = 0; i < 2; i++) {
        pdf[i] = big_pdf(100u + (unsigned)i + 10u * f->pg);
        struct case_file got;
        struct case_file_writer *w = receive(dir, pdf[i], BIG - (size_t)i * CASE_CHUNK, &got);
        assert_int_equal(case_file_keep(w, &err), 0);
        case_file_writer_free(w);
        memcpy(hex[i], got.sha256, 65);
    }
    /* a file damaged on disk: its name is not its content's */
    char bad[200];
    snprintf(bad, sizeof bad, "%s/ab", one);
    assert_int_equal(mkdir(bad, 0700), 0);
    snprintf(bad, sizeof bad, "%s/ab/ab%062d", one, 0);
    FILE *out = fopen(bad, "w");
    fputs("%PDF-1.4\nnot what the name says", out);
    fclose(out);
    struct case_move_stats st;
    assert_int_equal(case_store_move(dir, db, &st, &err), 0);
    assert_int_equal(st.moved, 2);
    assert_int_equal(st.damaged, 1);
    assert_int_equal(st.bytes, 2 * BIG - CASE_CHUNK);
    assert_int_equal(case_store_move(dir, db, &st, &err), 0);
    assert_int_equal(st.moved, 0);
    assert_int_equal(st.present, 2);
    /* and back, into a folder of its own */
    struct case_store *back = case_store_open(CASE_STORE_DIR, two, f->db, &err);
    assert_non_null(back);
    assert_int_equal(case_store_move(db, back, &st, &err), 0);
    assert_int_equal(st.moved, 2);
    for (int i = 0; i < 2; i++) {
        char path[200];
        snprintf(path, sizeof path, "%s/%.2s/%s", two, hex[i], hex[i]);
        FILE *in = fopen(path, "rb");
        assert_non_null(in);
        unsigned char *copy = malloc(BIG);
        size_t n = fread(copy, 1, BIG, in);
        fclose(in);
        assert_int_equal(n, BIG - (size_t)i * CASE_CHUNK);
        assert_memory_equal(copy, pdf[i], n);
        free(copy);
        free(pdf[i]);
    }
    case_store_close(back);
    case_store_close(db);
    case_store_close(dir);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", one, two);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_folder_store),
        cmocka_unit_test(test_the_database_store),
        cmocka_unit_test(test_parts_of_stopped_processes_are_swept),
        cmocka_unit_test(test_files_move_between_stores),
    };
    return fx_run("files", tests, sizeof tests / sizeof tests[0]);
}
