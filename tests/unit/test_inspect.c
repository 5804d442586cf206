/* test_inspect.c — the checks of a field visit's record (src/inspect):
 * every field's bounds, and the names of the choices both ways. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "../../src/inspect/inspect.h"

#define GIVEN 1700000000
#define NOW (GIVEN + 3600)

static struct inspect_record good(void)
{
    return (struct inspect_record){.client_id = "0123456789abcdef", .visited_at = NOW - 60,
                                   .housing = INSPECT_HOUSING_RENTED, .condition = INSPECT_CONDITION_POOR,
                                   .rooms = 2, .present = {"5ABC12D"}, .npresent = 1, .notes = "Damp walls"};
}

static int check(const struct inspect_record *r)
{
    struct pc_err err = {0};
    return inspect_record_check(r, GIVEN, NOW, &err);
}

static void test_a_good_record_passes(void **state)
{
    (void)state;
    struct inspect_record r = good();
    assert_int_equal(check(&r), 0);
    r.notes = "";
    r.npresent = 0;
    r.rooms = 0;
    assert_int_equal(check(&r), 0);
}

static void test_every_bound_is_checked(void **state)
{
    (void)state;
    struct inspect_record r;
    const char *ids[] = {NULL, "short", "has space in it", "ŞəkilŞəkil", "0123456789012345678901234567890123456789012345678901234567890123x"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        r = good();
        r.client_id = ids[i];
        assert_int_equal(check(&r), PC_EINVAL);
    }
    r = good();
    r.visited_at = NOW + 601;            /* the phone's clock far ahead */
    assert_int_equal(check(&r), PC_EINVAL);
    r.visited_at = GIVEN - 601;          /* before the visit was given */
    assert_int_equal(check(&r), PC_EINVAL);
    r.visited_at = NOW + 600;            /* a little ahead is a clock, not a lie */
    assert_int_equal(check(&r), 0);
    r = good();
    r.housing = INSPECT_HOUSING_COUNT;
    assert_int_equal(check(&r), PC_EINVAL);
    r = good();
    r.condition = INSPECT_CONDITION_COUNT;
    assert_int_equal(check(&r), PC_EINVAL);
    r = good();
    r.rooms = INSPECT_ROOMS_MAX + 1;
    assert_int_equal(check(&r), PC_EINVAL);
    r.rooms = -1;
    assert_int_equal(check(&r), PC_EINVAL);
    r = good();
    r.present[0] = "5abc12d";            /* FİNs are upper case */
    assert_int_equal(check(&r), PC_EINVAL);
    r = good();
    r.npresent = INSPECT_MEMBERS_MAX + 1;
    assert_int_equal(check(&r), PC_EINVAL);
    r = good();
    char notes[INSPECT_NOTES_MAX + 2];
    memset(notes, 'a', sizeof notes - 1);
    notes[sizeof notes - 1] = 0;
    r.notes = notes;
    assert_int_equal(check(&r), PC_EINVAL);
    notes[INSPECT_NOTES_MAX] = 0;
    assert_int_equal(check(&r), 0);
    r.notes = "\xff\xfe not UTF-8";
    assert_int_equal(check(&r), PC_EINVAL);
    r.notes = NULL;
    assert_int_equal(check(&r), PC_EINVAL);
}

static void test_names_go_both_ways(void **state)
{
    (void)state;
    for (int i = 0; i < INSPECT_HOUSING_COUNT; i++)
        assert_int_equal(inspect_housing_parse(inspect_housing_name((enum inspect_housing)i)), i);
    for (int i = 0; i < INSPECT_CONDITION_COUNT; i++)
        assert_int_equal(inspect_condition_parse(inspect_condition_name((enum inspect_condition)i)), i);
    assert_int_equal(inspect_housing_parse("castle"), -1);
    assert_int_equal(inspect_condition_parse(NULL), -1);
    assert_string_equal(inspect_sync_name(INSPECT_SYNC_LATE), "late");
    assert_string_equal(inspect_sync_name((enum inspect_sync)99), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_good_record_passes),
        cmocka_unit_test(test_every_bound_is_checked),
        cmocka_unit_test(test_names_go_both_ways),
    };
    return cmocka_run_group_tests_name("inspect", tests, NULL, NULL);
}
