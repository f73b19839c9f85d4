#!/usr/bin/python3
"""liveapp.py — the live-mode tests' application, made of its users' own stack:
SQLAlchemy over psycopg2, DATABASE_URL read from a .env by python-dotenv.

It writes without pause (inserts, updates, deletes) into two tables, one with a
primary key (live_items) and one without (live_events, REPLICA IDENTITY FULL),
each write in its own transaction, and appends a line to the log for every
write the server acknowledged (COMMIT returned):

    I items ID V DB T     inserted live_items row ID with v = V
    U items ID V DB T     set v = V
    D items ID DB T       deleted it
    I events KEY N DB T   inserted the live_events row KEY with n = N
    U events KEY N DB T   set n = N
    D events KEY DB T     deleted it
    ? …                   a COMMIT whose outcome is unknown (the connection broke)

DB is host:port/dbname of the server written to, T the time (Unix seconds). A failed write is not logged
(it is retried with another one after a short pause). SIGTERM ends it after
the write in progress. It serves GET /health on 127.0.0.1:PORT: 200 when a
SELECT 1 works, else 500; GET /broken always answers 500 (a health check that
fails). It needs Debian's python3 (/usr/bin/python3) with python3-sqlalchemy,
python3-psycopg2 and python3-dotenv.

usage: liveapp.py --env FILE --log FILE --port N [--rate WRITES_PER_S] [--schema]
  --schema creates the two tables (if missing) and exits.
"""
import argparse
import http.server
import os
import random
import signal
import threading
import time
import uuid

import sqlalchemy as sa
from dotenv import dotenv_values

SCHEMA = """
CREATE TABLE IF NOT EXISTS live_items (
    id bigserial PRIMARY KEY,
    v integer NOT NULL,
    note text
);
CREATE TABLE IF NOT EXISTS live_events (
    item_key text NOT NULL,
    n integer NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE live_events REPLICA IDENTITY FULL;
"""

stopping = threading.Event()


def engine_from(env_file):
    url = dotenv_values(env_file).get("DATABASE_URL")
    if not url:
        raise SystemExit("liveapp: no DATABASE_URL in %s" % env_file)
    eng = sa.create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=0,
                           connect_args={"connect_timeout": 5})
    u = eng.url
    return eng, "%s:%s/%s" % (u.host, u.port or 5432, u.database)


class Writer:
    """Picks writes at random among the rows it knows and logs each acknowledged one."""

    def __init__(self, eng, db, log):
        self.eng, self.db, self.log = eng, db, log
        self.items = {}   # id -> v
        self.events = {}  # key -> n
        self.load()

    def load(self):
        with self.eng.connect() as c:
            for i, v in c.execute(sa.text("SELECT id, v FROM live_items ORDER BY id DESC LIMIT 300")):
                self.items[i] = v
            for k, n in c.execute(sa.text("SELECT item_key, n FROM live_events LIMIT 300")):
                self.events[k] = n

    def ack(self, line):
        self.log.write("%s %s %.3f\n" % (line, self.db, time.time()))
        self.log.flush()

    def one(self):
        op = random.random()
        with self.eng.connect() as c:
            tx = c.begin()
            try:
                line = self.write(c, op)
            except Exception:
                tx.rollback()
                raise
            try:
                tx.commit()
            except sa.exc.OperationalError:
                if line:
                    self.ack("? " + line)
                raise
        if line:
            self.apply(line)
            self.ack(line)

    def write(self, c, op):
        if op < 0.35 or not self.items:
            v = random.randint(0, 1000)
            i = c.execute(sa.text("INSERT INTO live_items (v, note) VALUES (:v, :n) RETURNING id"),
                          {"v": v, "n": "w%d" % v}).scalar()
            return "I items %d %d" % (i, v)
        if op < 0.55:
            i = random.choice(list(self.items))
            v = self.items[i] + 1
            n = c.execute(sa.text("UPDATE live_items SET v = :v WHERE id = :i"), {"v": v, "i": i}).rowcount
            return "U items %d %d" % (i, v) if n == 1 else None
        if op < 0.65:
            i = random.choice(list(self.items))
            n = c.execute(sa.text("DELETE FROM live_items WHERE id = :i"), {"i": i}).rowcount
            return "D items %d" % i if n == 1 else None
        if op < 0.85 or not self.events:
            k = uuid.uuid4().hex[:12]
            c.execute(sa.text("INSERT INTO live_events (item_key, n) VALUES (:k, 0)"), {"k": k})
            return "I events %s 0" % k
        if op < 0.95:
            k = random.choice(list(self.events))
            n = self.events[k] + 1
            r = c.execute(sa.text("UPDATE live_events SET n = :n WHERE item_key = :k"), {"n": n, "k": k}).rowcount
            return "U events %s %d" % (k, n) if r == 1 else None
        k = random.choice(list(self.events))
        r = c.execute(sa.text("DELETE FROM live_events WHERE item_key = :k"), {"k": k}).rowcount
        return "D events %s" % k if r == 1 else None

    def apply(self, line):
        w = line.split()
        table = self.items if w[1] == "items" else self.events
        key = int(w[2]) if w[1] == "items" else w[2]
        if w[0] == "D":
            table.pop(key, None)
        else:
            table[key] = int(w[3])
        for t in (self.items, self.events):  # keep the choice cheap
            while len(t) > 500:
                t.pop(next(iter(t)))


def serve(eng, port):
    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            code, body = 500, "broken\n"
            if self.path == "/health":
                try:
                    with eng.connect() as c:
                        c.execute(sa.text("SELECT 1"))
                    code, body = 200, "ok\n"
                except Exception as e:  # the database is not there
                    body = "db: %s\n" % str(e).splitlines()[0]
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Health)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--env", required=True)
    ap.add_argument("--log")
    ap.add_argument("--port", type=int)
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--schema", action="store_true")
    a = ap.parse_args()
    eng, db = engine_from(a.env)
    if a.schema:
        with eng.begin() as c:
            c.execute(sa.text(SCHEMA))
        return
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    srv = serve(eng, a.port)
    with open(a.log, "a") as log:
        w = None
        pause = 1.0 / a.rate
        while not stopping.is_set():
            t0 = time.monotonic()
            try:
                w = w or Writer(eng, db, log)
                w.one()
            except sa.exc.SQLAlchemyError as e:
                print("write failed: %s" % str(e).splitlines()[0], flush=True)
                time.sleep(0.2)
            left = pause - (time.monotonic() - t0)
            if left > 0:
                time.sleep(left)
    eng.dispose()
    os._exit(0)  # the log is closed; no wait for the health server's threads


if __name__ == "__main__":
    main()
