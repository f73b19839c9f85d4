#!/usr/bin/env python3
"""tui_measure.py — the wizard's two figures for the bench, in a real pty
(100x30, TERM=xterm-256color):

  first BIN CONFIG [RUNS]   time from fork to the first read that completes
                            the Welcome screen's "This wizard moves"; prints
                            the median over RUNS (default 10) in ms
  rate BIN CONFIG           leave every step but schema and data out on the
                            Welcome checklist, walk to the Run screen, start
                            the run, count the bytes the TUI writes until
                            "Done: every step succeeded."; prints
                            "BYTES SECONDS BYTES_PER_SECOND"
"""
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import time

ROWS, COLS = 30, 100
DOWN, ENTER = b"\x1bOB", b"\r"


def spawn(binary, config):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.environ.pop("NO_COLOR", None)
        os.chdir(os.path.dirname(os.path.abspath(config)))
        os.execv(binary, [binary, "-c", os.path.abspath(config)])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    return pid, fd


def read_until(fd, want, timeout, sink=None):
    """Read until WANT (bytes) is in what was read since the call; returns
    the time it appeared, or None on timeout. SINK collects the byte count."""
    buf = b""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if not r:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return None
        if not chunk:
            return None
        if sink is not None:
            sink[0] += len(chunk)
        buf = (buf + chunk)[-65536:]
        if want in buf:
            return time.monotonic()
    return None


def drain(fd, seconds, sink=None):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.02)
        if r:
            try:
                n = len(os.read(fd, 65536))
            except OSError:
                return
            if sink is not None:
                sink[0] += n


def stop(pid, fd):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    drain(fd, 0.2)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os.close(fd)


def first(binary, config, runs):
    times = []
    for _ in range(runs):
        t0 = time.monotonic()
        pid, fd = spawn(binary, config)
        t = read_until(fd, b"This wizard moves", 10)
        stop(pid, fd)
        if t is None:
            sys.exit("the Welcome screen did not appear")
        times.append((t - t0) * 1000)
    print("%.1f" % statistics.median(times))


def keys(fd, *ks):
    for k in ks:
        os.write(fd, k)
        drain(fd, 0.15)


def rate(binary, config):
    pid, fd = spawn(binary, config)
    if read_until(fd, b"This wizard moves", 10) is None:
        sys.exit("the Welcome screen did not appear")
    drain(fd, 0.3)
    # steps 1 source, 2 instance, 3 network, 4 probe, 5 schema, 6 data,
    # 7 replicate, 8 cutover, 9 verify, 10 env, 11 monitor: leave out all
    # but 5 and 6; then Enter through the screens to the Run screen (11)
    keys(fd, b" ", DOWN, b" ", DOWN, b" ", DOWN, b" ", DOWN, DOWN, DOWN,
         b" ", DOWN, b" ", DOWN, b" ", DOWN, b" ", DOWN, b" ")
    for _ in range(10):
        keys(fd, ENTER)
    drain(fd, 1.0)
    n = [0]
    t0 = time.monotonic()
    os.write(fd, ENTER)
    t1 = read_until(fd, b"every step succeeded", 600, n)
    if t1 is None:
        stop(pid, fd)
        sys.exit("the run did not finish")
    stop(pid, fd)
    secs = t1 - t0
    print("%d %.2f %.0f" % (n[0], secs, n[0] / secs))


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] not in ("first", "rate"):
        sys.exit(__doc__)
    if sys.argv[1] == "first":
        first(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 10)
    else:
        rate(sys.argv[2], sys.argv[3])
