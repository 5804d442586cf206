/* test_registries.c — the synthetic registers: FİNs and VÖENs are
 * bijections with the index, a family's links point at each other, the
 * same index gives the same person, taxpayers' representatives are people
 * of the population, and the generator fills a database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/registries/registries.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_fins(void **state)
{
    (void)state;
    char fin[8], prev[8] = "";
    for (uint64_t i = 0; i < 200000; i += 7) {
        reg_fin_of(i, fin);
        assert_int_equal(strlen(fin), 7);
        assert_null(strpbrk(fin, "IO"));
        assert_int_equal(reg_index_of(fin), (int64_t)i);
        assert_string_not_equal(fin, prev);
        memcpy(prev, fin, 8);
    }
    reg_fin_of(9999999, fin);
    assert_int_equal(reg_index_of(fin), 9999999);
    assert_int_equal(reg_index_of("1AB2CIO"), -1);
    assert_int_equal(reg_index_of("1ab2c3d"), -1);
    assert_int_equal(reg_index_of("1AB2C3"), -1);
    assert_int_equal(reg_index_of(NULL), -1);
}

static void test_voens_and_taxpayers(void **state)
{
    (void)state;
    char v[11];
    for (uint64_t i = 0; i < 100000; i += 13) {
        reg_voen_of(i, v);
        assert_int_equal(strlen(v), 10);
        assert_int_equal(reg_voen_index(v), (int64_t)i);
    }
    assert_int_equal(reg_voen_index("12345"), -1);
    assert_int_equal(reg_voen_index("12345678x0"), -1);
    struct pc_arena a;
    pc_arena_init(&a);
    int entrepreneurs = 0;
    for (uint64_t i = 0; i < 400; i++) {
        json_error_t je;
        json_t *t = json_loads(reg_taxpayer_json(&a, i, 50), 0, &je);
        assert_non_null(t);
        reg_voen_of(i, v);
        assert_string_equal(json_string_value(json_object_get(t, "voen")), v);
        bool ie = pc_str_eq(json_string_value(json_object_get(t, "kind")), "individual_entrepreneur");
        entrepreneurs += ie;
        /* whoever may act for it is a person of the population, the director or owner first */
        json_t *reps = json_object_get(t, "representatives");
        assert_true(json_array_size(reps) >= 1 && json_array_size(reps) <= 3);
        assert_string_equal(json_string_value(json_array_get(reps, 0)),
                            json_string_value(json_object_get(t, ie ? "owner_fin" : "director_fin")));
        size_t k;
        json_t *r;
        json_array_foreach(reps, k, r) {
            int64_t idx = reg_index_of(json_string_value(r));
            assert_true(idx >= 0 && idx < 50);
        }
        json_decref(t);
    }
    assert_int_equal(entrepreneurs, 100);
    pc_arena_release(&a);
}

static void test_holdings(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    int with_property = 0, mortgages = 0, pensions = 0;
    for (uint64_t i = 0; i < 400; i++) {
        json_error_t je;
        char fin[8];
        reg_fin_of(i, fin);
        json_t *p = json_loads(reg_properties_json(&a, i), 0, &je), *c = json_loads(reg_contracts_json(&a, i, 50), 0, &je),
               *s = json_loads(reg_insurance_json(&a, i), 0, &je);
        assert_true(p && c && s);
        assert_string_equal(json_string_value(json_object_get(p, "fin")), fin);
        assert_string_equal(json_string_value(json_object_get(c, "fin")), fin);
        assert_string_equal(json_string_value(json_object_get(s, "fin")), fin);
        size_t k;
        json_t *x;
        json_array_foreach(json_object_get(p, "properties"), k, x) {
            with_property++;
            mortgages += json_array_size(json_object_get(x, "encumbrances")) > 0;
            assert_int_equal(strlen(json_string_value(json_object_get(x, "cadastre_no"))), 12);
        }
        /* employers are taxpayers of the synthetic tax register */
        json_array_foreach(json_object_get(c, "contracts"), k, x) {
            int64_t t = reg_voen_index(json_string_value(json_object_get(x, "employer_voen")));
            assert_true(t >= 0 && t < 50);
        }
        pensions += json_is_object(json_object_get(s, "pension"));
        json_decref(p);
        json_decref(c);
        json_decref(s);
    }
    assert_true(with_property > 100 && mortgages > 10 && pensions > 10);
    /* the same FİN, the same answer */
    assert_string_equal(reg_contracts_json(&a, 77, 50), reg_contracts_json(&a, 77, 50));
    pc_arena_release(&a);
}

/* Vehicles by the owner's FİN: plates 10-AB-123, only parents own, the
 * same FİN the same answer; an entrepreneur's owner is the FİN its
 * taxpayer document names, with the year's income (vemtas2). */
static void test_vehicles_and_entrepreneurs(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    int owners = 0, pledged = 0;
    for (uint64_t i = 0; i < 400; i++) {
        json_t *v = json_loads(reg_vehicles_json(&a, i), 0, NULL), *x;
        assert_non_null(v);
        size_t n = json_array_size(json_object_get(v, "vehicles")), k;
        assert_int_equal((int)n, reg_vehicles_of(i));
        assert_true(n <= 2 && (i % 4 < 2 || n == 0));
        owners += n > 0;
        json_array_foreach(json_object_get(v, "vehicles"), k, x) {
            const char *plate = json_string_value(json_object_get(x, "plate"));
            assert_int_equal(strlen(plate), 9);
            assert_true(plate[2] == '-' && plate[5] == '-' && plate[3] >= 'A' && plate[3] <= 'Z' && plate[6] >= '0');
            assert_true(json_integer_value(json_object_get(x, "year")) >= 1995);
            assert_true(json_is_boolean(json_object_get(x, "arrested")));
            pledged += json_is_true(json_object_get(x, "pledged"));
        }
        json_decref(v);
    }
    assert_true(owners > 40 && owners < 200 && pledged > 0);
    assert_string_equal(reg_vehicles_json(&a, 76), reg_vehicles_json(&a, 76));
    char fin[8];
    for (uint64_t i = 0; i < 40; i++) {
        json_t *t = json_loads(reg_taxpayer_json(&a, i, 50), 0, NULL);
        bool ie = reg_entrepreneur_of(i, 50, fin);
        assert_int_equal(ie, pc_str_eq(json_string_value(json_object_get(t, "kind")), "individual_entrepreneur"));
        if (ie) {
            assert_string_equal(json_string_value(json_object_get(t, "owner_fin")), fin);
            assert_true(json_integer_value(json_object_get(t, "income_last_year_azn")) >= 1200);
        }
        json_decref(t);
    }
    pc_arena_release(&a);
}

static json_t *person(struct pc_arena *a, uint64_t i, uint64_t n)
{
    json_error_t je;
    json_t *j = json_loads(reg_person_json(a, i, n), 0, &je);
    assert_non_null(j);
    return j;
}

static const char *s(json_t *j, const char *k)
{
    return json_string_value(json_object_get(j, k));
}

static void test_families(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    const uint64_t n = 1000;
    for (uint64_t f = 0; f < 50; f++) {
        json_t *father = person(&a, 4 * f, n), *mother = person(&a, 4 * f + 1, n), *child = person(&a, 4 * f + 2, n);
        assert_string_equal(s(father, "sex"), "M");
        assert_string_equal(s(mother, "sex"), "F");
        assert_string_equal(s(father, "spouse_fin"), s(mother, "fin"));
        assert_string_equal(s(mother, "spouse_fin"), s(father, "fin"));
        assert_string_equal(s(child, "father_fin"), s(father, "fin"));
        assert_string_equal(s(child, "mother_fin"), s(mother, "fin"));
        assert_string_equal(json_string_value(json_array_get(json_object_get(father, "children_fins"), 0)),
                            s(child, "fin"));
        /* the child's patronymic is the father's name */
        assert_true(pc_str_has_prefix(s(child, "patronymic"), s(father, "name")));
        assert_true(strcmp(s(child, "birth_date"), s(mother, "birth_date")) > 0);
        assert_true(json_equal(json_object_get(father, "address"), json_object_get(child, "address")));
        json_decref(father);
        json_decref(mother);
        json_decref(child);
    }
    /* the same index, the same person */
    assert_string_equal(reg_person_json(&a, 123, n), reg_person_json(&a, 123, n));
    /* a family cut by n names no one beyond it */
    json_t *last = person(&a, 1000 - 2, 999);
    assert_true(json_is_null(json_object_get(last, "mother_fin")) == false);
    json_decref(last);
    json_t *lone = person(&a, 996, 997);
    assert_int_equal(json_array_size(json_object_get(lone, "children_fins")), 0);
    json_decref(lone);
    pc_arena_release(&a);
}

static void test_generate(void **state)
{
    (void)state;
    char dir[] = "/tmp/pencere-test-reg.XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.db", dir);
    struct pc_err err = {0};
    struct db *db = db_open(path, &err);
    assert_non_null(db);
    assert_int_equal(db_migrate(db, &err), 0);
    double rate;
    assert_int_equal(reg_generate(db, REG_POPULATION, 2500, 2500, &rate, &err), 0);
    assert_true(rate > 0);
    struct db_conn *c = db_conn_get(db, &err);
    struct db_stmt *st = db_prepare(c, "SELECT COUNT(*) FROM reg_persons", &err);
    assert_int_equal(db_step(st, &err), 1);
    assert_int_equal(db_col_int(st, 0), 2500);
    db_idle(db);
    /* again: replaced, not added */
    assert_int_equal(reg_generate(db, REG_POPULATION, 10, 10, &rate, &err), 0);
    st = db_prepare(c, "SELECT COUNT(*) FROM reg_persons", &err);
    assert_int_equal(db_step(st, &err), 1);
    assert_int_equal(db_col_int(st, 0), 10);
    db_idle(db);
    /* the taxpayers' entrepreneurs are found by their owner's FİN */
    assert_int_equal(reg_generate(db, REG_TAXPAYERS, 40, 50, &rate, &err), 0);
    assert_int_equal(reg_generate(db, REG_VEHICLES, 20, 20, &rate, &err), 0);
    char fin[8];
    assert_true(reg_entrepreneur_of(3, 50, fin));
    st = db_prepare(c, "SELECT COUNT(*) FROM reg_taxpayers WHERE owner_fin = ?", &err);
    db_bind_text(st, 1, fin);
    assert_int_equal(db_step(st, &err), 1);
    assert_true(db_col_int(st, 0) >= 1);
    st = db_prepare(c, "SELECT COUNT(*) FROM reg_taxpayers WHERE owner_fin IS NOT NULL", &err);
    assert_int_equal(db_step(st, &err), 1);
    assert_int_equal(db_col_int(st, 0), 10);
    db_idle(db);
    db_close(db);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fins),
        cmocka_unit_test(test_families),
        cmocka_unit_test(test_voens_and_taxpayers),
        cmocka_unit_test(test_holdings),
        cmocka_unit_test(test_vehicles_and_entrepreneurs),
        cmocka_unit_test(test_generate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
