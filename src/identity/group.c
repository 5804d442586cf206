/* group.c — groups of the population register, for polls open to some of
 * it: an age range on a day and a district (the first part of the
 * registered address, as the register writes it: "Bakı, Nizami küçəsi 5").
 * Other modules ask whether a person is in a group; they never read the
 * persons table. */
#include "identity.h"
#include "internal.h"

#include <string.h>

int id_group_check(const struct id_group *g, struct pc_err *err)
{
    if (g->min_age < 0 || g->min_age > ID_AGE_MAX || g->max_age < 0 || g->max_age > ID_AGE_MAX)
        return pc_err_set(err, PC_EINVAL, "ages must be from 0 to %d", ID_AGE_MAX);
    if (g->max_age && g->max_age < g->min_age)
        return pc_err_set(err, PC_EINVAL, "the highest age is below the lowest");
    if (!g->district)
        return 0;
    size_t n = strlen(g->district);
    if (n == 0 || n > ID_DISTRICT_MAX || !pc_utf8_valid(g->district, n))
        return pc_err_set(err, PC_EINVAL, "a district is 1-%d bytes of UTF-8", ID_DISTRICT_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)g->district[i] < 0x20 || g->district[i] == ',')
            return pc_err_set(err, PC_EINVAL, "a district has no commas or control characters");
    return 0;
}

/* Whole years from born to day, both "YYYY-MM-DD"; -1 when either is not. */
static int age_on(const char *born, const char *day)
{
    long long y1, m1, d1, y2, m2, d2;
    char b[11], t[11];
    if (!born || !day || strlen(born) != 10 || strlen(day) != 10)
        return -1;
    memcpy(b, born, 11);
    memcpy(t, day, 11);
    b[4] = b[7] = t[4] = t[7] = 0;
    if (pc_parse_int(b, 1, 9999, &y1) || pc_parse_int(b + 5, 1, 12, &m1) || pc_parse_int(b + 8, 1, 31, &d1) ||
        pc_parse_int(t, 1, 9999, &y2) || pc_parse_int(t + 5, 1, 12, &m2) || pc_parse_int(t + 8, 1, 31, &d2))
        return -1;
    int age = (int)(y2 - y1);
    if (m2 < m1 || (m2 == m1 && d2 < d1))
        age--; /* the birthday of this year is still to come */
    return age;
}

/* Whether the address lies in the district: its first part, the same
 * letters (the register writes names one way). */
static bool in_district(const char *address, const char *district)
{
    if (!address)
        return false;
    const char *comma = strchr(address, ',');
    size_t n = comma ? (size_t)(comma - address) : strlen(address);
    while (n && address[n - 1] == ' ')
        n--;
    return n == strlen(district) && memcmp(address, district, n) == 0;
}

int id_group_member(struct db_conn *c, const char *fin, const struct id_group *g, const char *day, bool *member,
                    struct pc_err *err)
{
    *member = false;
    struct db_stmt *s = db_prepare(c, "SELECT birth_date, address FROM persons WHERE fin = ?", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, fin);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no person with this FİN");
    int age = age_on(db_col_text(s, 0), day);
    bool ok = age >= 0 && (!g->min_age || age >= g->min_age) && (!g->max_age || age <= g->max_age);
    *member = ok && (!g->district || in_district(db_col_text(s, 1), g->district));
    return 0;
}
