#!/usr/bin/env python3
"""Fail when a module's SQL names a table that another module owns.

A module owns the tables its migrations create (src/MODULE/migrations/*.sql);
src/db owns schema_migrations.  Every other module reads and writes them
through the owner's header.  This reads the SQL inside the string literals
of each src/MODULE/*.c and *.h file (adjacent literals joined, as the
compiler does) and the statements of each module's migrations, and reports
every FROM / JOIN / INTO / UPDATE / DELETE FROM / ALTER TABLE / TABLE of a
table owned elsewhere.  A REFERENCES clause (a foreign key) is allowed: it
names a row, it does not read or write the table.

  scripts/check-tables.py [SRC_DIR]     exit 0 when clean, 1 with a list
  scripts/check-tables.py --owners      print the owner of every table
"""
import os
import re
import sys

SQL_REF = re.compile(r'\b(?:FROM|JOIN|INTO|UPDATE|TABLE(?:\s+IF\s+(?:NOT\s+)?EXISTS)?)\s+([A-Za-z_][A-Za-z0-9_]*)',
                     re.IGNORECASE)
CREATE = re.compile(r'\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)', re.IGNORECASE)
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.DOTALL)
SQL_COMMENT = re.compile(r'--[^\n]*')


def owners(src):
    own = {'schema_migrations': 'db'}
    for mod in sorted(os.listdir(src)):
        mig = os.path.join(src, mod, 'migrations')
        if not os.path.isdir(mig):
            continue
        for name in sorted(os.listdir(mig)):
            if name.endswith('.sql'):
                text = SQL_COMMENT.sub('', open(os.path.join(mig, name), encoding='utf-8').read())
                for t in CREATE.findall(text):
                    prev = own.setdefault(t.lower(), mod)
                    if prev != mod:
                        sys.exit('table %s is created by both %s and %s' % (t, prev, mod))
    return own


def c_sql(path):
    """The text of the file's string literals, adjacent ones joined."""
    text = COMMENT.sub(' ', open(path, encoding='utf-8').read())
    out, last_end, cur = [], None, []
    for m in LITERAL.finditer(text):
        if last_end is not None and text[last_end:m.start()].strip() == '':
            cur.append(m.group(1))
        else:
            if cur:
                out.append((line_of(text, cur_start), ''.join(cur)))
            cur, cur_start = [m.group(1)], m.start()
        last_end = m.end()
    if cur:
        out.append((line_of(text, cur_start), ''.join(cur)))
    return out


def line_of(text, pos):
    return text.count('\n', 0, pos) + 1


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    src = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src')
    own = owners(src)
    if '--owners' in sys.argv:
        for t in sorted(own):
            print('%-24s %s' % (t, own[t]))
        return 0
    bad = []
    for mod in sorted(os.listdir(src)):
        folder = os.path.join(src, mod)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if name.endswith(('.c', '.h')):
                pieces = c_sql(path)
            elif name == 'migrations' and os.path.isdir(path):
                pieces = []
                for m in sorted(os.listdir(path)):
                    if m.endswith('.sql'):
                        t = open(os.path.join(path, m), encoding='utf-8').read()
                        pieces.append((0, SQL_COMMENT.sub('', t)))
                        pieces[-1] = (os.path.join(name, m), pieces[-1][1])
            else:
                continue
            for where, sql in pieces:
                for t in SQL_REF.findall(sql):
                    o = own.get(t.lower())
                    if o and o != mod:
                        loc = '%s:%s' % (path, where) if isinstance(where, int) else os.path.join(folder, where)
                        bad.append('%s: %s names table %s, owned by %s' % (os.path.relpath(loc), mod, t, o))
    for b in sorted(set(bad)):
        print(b)
    if bad:
        print('check-tables: %d references to tables of other modules; call the owner\'s header instead' % len(set(bad)))
        return 1
    print('check-tables: every module names only its own tables (%d tables)' % len(own))
    return 0


if __name__ == '__main__':
    sys.exit(main())
