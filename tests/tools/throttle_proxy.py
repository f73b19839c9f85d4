#!/usr/bin/env python3
"""throttle_proxy.py UPSTREAM_PORT RATE|RATEFILE — a loopback TCP proxy to
127.0.0.1:UPSTREAM_PORT that forwards server->client bytes at most RATE bytes per
second per connection (0: no limit), so that a COPY of a small sample lasts long
enough to be interrupted in the middle. With RATEFILE the rate is read from that
file when each connection opens (the tests slow down only the runs they hit).

It listens on a free loopback port, prints that port on stdout (one line) and
runs until killed. Client->server bytes are not limited. When either side
closes, both are closed (a dropped source backend reaches the client as such).
"""
import socket
import sys
import threading
import time


def pump(src, dst, rate):
    start = time.monotonic()
    sent = 0
    try:
        while True:
            data = src.recv(16384)
            if not data:
                break
            dst.sendall(data)
            if rate:
                sent += len(data)
                ahead = sent / rate - (time.monotonic() - start)
                if ahead > 0:
                    time.sleep(ahead)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def current_rate(spec):
    try:
        return float(spec)
    except ValueError:
        pass
    try:
        with open(spec) as f:
            return float(f.read().strip() or 0)
    except (OSError, ValueError):
        return 0.0


def serve(client, upstream_port, spec):
    rate = current_rate(spec)
    try:
        up = socket.create_connection(("127.0.0.1", upstream_port))
    except OSError:
        client.close()
        return
    for s in (client, up):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    a = threading.Thread(target=pump, args=(client, up, 0), daemon=True)
    b = threading.Thread(target=pump, args=(up, client, rate), daemon=True)
    a.start()
    b.start()
    a.join()
    b.join()
    client.close()
    up.close()


def main():
    upstream_port = int(sys.argv[1])
    spec = sys.argv[2]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    print(ls.getsockname()[1], flush=True)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c, upstream_port, spec), daemon=True).start()


if __name__ == "__main__":
    main()
