#!/usr/bin/env python3
"""liveapp_check.py ACKS ITEMS EVENTS — whether a database holds exactly the
writes liveapp.py saw acknowledged: ACKS is its log, ITEMS the live_items rows
("id|v" lines) and EVENTS the live_events rows ("item_key|n" lines) as psql
-At prints them. Every acknowledged insert, update and delete must be there,
once; nothing else may be (a row of an unknown outcome, "?", may be either).
Prints one line per problem (at most 20) and a summary; exit 1 on a problem."""
import collections
import sys


def replay(path):
    items, events, unsure = {}, {}, set()
    for line in open(path):
        w = line.split()
        if not w:
            continue
        if w[0] == "?":
            unsure.add((w[2], w[3]))
            continue
        table = items if w[1] == "items" else events
        if w[0] == "D":
            table.pop(w[2], None)
        else:
            table[w[2]] = w[3]
    return items, events, unsure


def rows(path):
    out = collections.defaultdict(list)
    for line in open(path):
        line = line.rstrip("\n")
        if line:
            k, v = line.split("|", 1)
            out[k].append(v)
    return out


def compare(name, want, got, unsure, problems):
    for k, v in want.items():
        if (name, k) in unsure:
            continue
        if k not in got:
            problems.append("%s %s: acknowledged (v/n = %s) but missing" % (name, k, v))
        elif got[k] != [v]:
            problems.append("%s %s: want %s once, found %s" % (name, k, v, got[k]))
    for k, vs in got.items():
        if k not in want and (name, k) not in unsure:
            problems.append("%s %s: present (%s) but deleted or never acknowledged" % (name, k, vs))


def main():
    items, events, unsure = replay(sys.argv[1])
    problems = []
    compare("items", items, rows(sys.argv[2]), unsure, problems)
    compare("events", events, rows(sys.argv[3]), unsure, problems)
    for p in problems[:20]:
        print(p)
    print("%d items and %d events acknowledged, %d unsure, %d problems" %
          (len(items), len(events), len(unsure), len(problems)))
    sys.exit(1 if problems else 0)


main()
