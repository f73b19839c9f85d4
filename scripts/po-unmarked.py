#!/usr/bin/env python3
"""po-unmarked.py [--fix] FILE.c...: list the strings people read that are
not marked for translation.

Each string literal (adjacent literals joined) is looked at with the call it
is an argument of. It is marked when that call is _(), N_() or P_(). It is
for people when it holds two words or more and is not SQL; such a string
left unmarked is reported as FILE:LINE: "STRING", unless the call is one of
the functions po/not-translated names (their strings are for programs: libpq
messages matched, log lines, SQL) or the string matches one of its patterns.
Exit 1 when any is found. --fix wraps each in _() (N_() outside functions,
where a call cannot be made), to be looked over before committing."""
import os
import re
import sys

SQL_WORD = re.compile(r"\b(SELECT|FROM|WHERE|CREATE|ALTER|INSERT|UPDATE|DELETE|COPY|BEGIN|"
                      r"COMMIT|SET|GRANT|DROP|TRUNCATE|ANALYZE|WITH|JOIN|UNION|RETURNING|LIMIT|"
                      r"ORDER|GROUP|BY|CASE|WHEN|THEN|ELSE|END|AND|NOT|SAVEPOINT|ROLLBACK|"
                      r"RELEASE|SHOW|ON|IN|IS|NULL|AS|TO)\b")
SQL_SIGN = re.compile(r"pg_catalog|::|\$[0-9]|%I|\bformat\(|\brel[a-z]+\b")
MARKS = {"_", "N_", "P_"}
HERE = os.path.dirname(os.path.abspath(__file__))


def sql(s):
    """SQL: it starts with a keyword, holds two, or looks like a catalog query."""
    words = SQL_WORD.findall(s)
    return (SQL_SIGN.search(s) is not None or len(set(words)) >= 2
            or SQL_WORD.match(s.lstrip(" (")) is not None)


def prose(s):
    """Two words or more, not SQL."""
    return not sql(s) and re.search(r"[A-Za-z]{2,} [A-Za-z(]{2,}", s) is not None


def load_skips(path):
    funcs, pats = set(), []
    for line in open(path, encoding="utf-8"):
        line = line.split("#", 1)[0].strip() if not line.startswith("re:") else line.rstrip("\n")
        if not line:
            continue
        if line.startswith("re:"):
            pats.append(re.compile(line[3:], re.S))
        else:
            funcs.add(line)
    return funcs, pats


def unescape(body):
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def literals(src):
    """Yield (start, end, line, text, call, depth, in_init) for each group of
    adjacent string literals: CALL is the innermost function the group is an
    argument of ('' when none), DEPTH the brace depth."""
    i, n, line = 0, len(src), 1
    stack = []  # names of the open calls ('' for a bare parenthesis)
    braces = 0
    last_ident = ""
    group = None
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            line += src.count("\n", i, j)
            i = j + 2
            continue
        if c == "#" and (i == 0 or src[i - 1] == "\n"):  # a preprocessor line (with continuations)
            j = i
            while True:
                k = src.find("\n", j)
                if k < 0:
                    k = n
                    break
                if src[k - 1] != "\\":
                    break
                j = k + 1
            if not src.startswith("#define", i):
                line += src.count("\n", i, k)
                i = k
                continue
        if c == "'":
            m = re.compile(r"'(\\.|[^'\\])*'").match(src, i)
            i = m.end()
            continue
        if c == '"':
            m = re.compile(r'"((?:\\.|[^"\\\n])*)"').match(src, i)
            body = unescape(m.group(1))
            if group:
                group[1] = m.end()
                group[3] += body
            else:
                group = [i, m.end(), line, body, stack[-1] if stack else "", braces]
            i = m.end()
            continue
        if c in " \t\n\\":
            if c == "\n":
                line += 1
            i += 1
            continue
        if group:
            yield tuple(group)
            group = None
        if c.isalpha() or c == "_":
            m = re.compile(r"[A-Za-z_][A-Za-z_0-9]*").match(src, i)
            last_ident = m.group(0)
            i = m.end()
            continue
        if c == "(":
            stack.append(last_ident)
        elif c == ")":
            if stack:
                stack.pop()
        elif c == "{":
            braces += 1
        elif c == "}":
            braces -= 1
        last_ident = ""
        i += 1


def in_function(src, start):
    """Whether START is inside a function body (not a file-scope initializer)."""
    depth, i = 0, 0
    # the nearest top-level '{' before START: a function body when a ')' precedes it
    top = -1
    for m in re.finditer(r"[{}]", src[:start]):
        if m.group(0) == "{":
            if depth == 0:
                top = m.start()
            depth += 1
        else:
            depth -= 1
    if depth == 0 or top < 0:
        return False
    before = src[:top].rstrip()
    return before.endswith(")")


def main():
    args = sys.argv[1:]
    fix = "--fix" in args
    files = [a for a in args if a != "--fix"]
    funcs, pats = load_skips(os.path.join(HERE, "..", "po", "not-translated"))
    bad = 0
    for path in files:
        src = open(path, encoding="utf-8").read()
        edits = []
        for start, end, line, text, call, _depth in literals(src):
            if call in MARKS or call in funcs or not prose(text):
                continue
            if any(p.fullmatch(text) for p in pats):
                continue
            bad += 1
            print('%s:%d: "%s"' % (path, line, text.replace("\n", "\\n")[:120]))
            edits.append((start, end, "_" if in_function(src, start) else "N_"))
        if fix and edits:
            for start, end, mark in reversed(edits):
                src = src[:start] + mark + "(" + src[start:end] + ")" + src[end:]
            open(path, "w", encoding="utf-8").write(src)
    if bad:
        print("%d string(s) people read are not marked _() N_() or P_() (or named in "
              "po/not-translated)" % bad, file=sys.stderr)
    sys.exit(1 if bad else 0)


main()
