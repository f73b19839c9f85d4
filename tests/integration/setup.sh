#!/bin/sh
# What a clone needs to build, run and test, and nothing more: `make run`'s
# package group holds no server and no test tool; moto_server is found or
# installed, and when it can be neither the AWS checks fail with one line that
# names it; the repository reads nothing outside itself.
. "$(dirname "$0")/../lib/testlib.sh"

DEPS="$ROOT/scripts/deps.sh"
MOTO="$ROOT/scripts/moto.sh"

# --- scripts/deps.sh: the groups ----------------------------------------------
sh "$DEPS" list build >"$T_TMP/build.pkgs"
for p in gcc make pkg-config libncurses-dev libpq-dev libcurl4-openssl-dev libinih-dev \
	libexpat1-dev ca-certificates; do
	expect_match "make run installs $p" "^$p\$" "$T_TMP/build.pkgs"
done
for p in postgresql postgresql-client tmux valgrind clang libclang-rt-14-dev pgcopydb \
	libcmocka-dev python3 curl; do
	expect_no_match "make run does not install $p" "^$p\$" "$T_TMP/build.pkgs"
done
sh "$DEPS" list test >"$T_TMP/test.pkgs"
expect_match "make test installs a PostgreSQL server" '^postgresql$' "$T_TMP/test.pkgs"
expect_match "make test installs python3-venv (for moto_server)" '^python3-venv$' "$T_TMP/test.pkgs"
expect_no_match "make test does not install the bench's peers" '^pgcopydb$' "$T_TMP/test.pkgs"
sh "$DEPS" list bench >"$T_TMP/bench.pkgs"
expect_match "make bench installs pgcopydb" '^pgcopydb$' "$T_TMP/bench.pkgs"
sh "$DEPS" list fuzz >"$T_TMP/fuzz.pkgs"
expect_match "make fuzz installs clang's sanitizer runtime" '^libclang-rt-14-dev$' "$T_TMP/fuzz.pkgs"
if apt-cache show gcc >/dev/null 2>&1; then
	expect_eq "every group's packages exist in Debian's lists" "" \
		"$(sh "$DEPS" list all | while read -r p; do
			apt-cache show "$p" >/dev/null 2>&1 || echo "$p"; done)"
else
	echo "# apt has no package lists here (apt-get update): the packages' names are not checked"
fi
sh "$DEPS" check build
expect_eq "deps.sh check: the build group is installed here" 0 $?
sh "$DEPS" check nosuch 2>"$T_TMP/usage.err"
expect_eq "deps.sh: an unknown group is a usage error" 2 $?

# --- scripts/moto.sh ------------------------------------------------------------
# No moto_server anywhere and no package index: one line naming it, exit 1.
mkdir -p "$T_TMP/nopyenv" "$T_TMP/bin"
for c in sh dirname mkdir rm cat; do ln -sf "$(command -v $c)" "$T_TMP/bin/$c"; done
# the Python itself, not a version manager's shim (which needs its own setup)
ln -sf "$(python3 -c 'import sys; print(sys.executable)')" "$T_TMP/bin/python3"
env -u MOTO_SERVER PATH="$T_TMP/bin" PYENV_ROOT="$T_TMP/nopyenv" MOTO_VENV="$T_TMP/venv" \
	PIP_INDEX_URL=http://127.0.0.1:9/simple PIP_NO_CACHE_DIR=1 \
	sh "$MOTO" ensure >"$T_TMP/moto.out" 2>"$T_TMP/moto.err"
expect_eq "moto.sh ensure without moto and without an index: exit 1" 1 $?
expect_match "moto.sh ensure says it tries to install moto" \
	'installing moto\[server\] 5\.2\.1 into .*/venv' "$T_TMP/moto.out"
expect_eq "moto.sh ensure: the failure is one line" 1 "$(wc -l <"$T_TMP/moto.err")"
expect_match "the line names moto_server and how to install it" \
	"^moto_server is missing \(pip could not install it.*pip install 'moto\[server\]==5\.2\.1'" "$T_TMP/moto.err"
check "no half-made virtual environment is left" test ! -e "$T_TMP/venv"
# MOTO_SERVER names the one to use.
printf '#!/bin/sh\n' >"$T_TMP/bin/my_moto"
chmod +x "$T_TMP/bin/my_moto"
expect_eq "moto.sh path takes \$MOTO_SERVER" "$T_TMP/bin/my_moto" \
	"$(PATH="$T_TMP/bin" PYENV_ROOT="$T_TMP/nopyenv" MOTO_SERVER="$T_TMP/bin/my_moto" sh "$MOTO" path)"
# The AWS tests then fail, naming it: never a silent skip.
(
	PATH="$T_TMP/bin:/usr/bin:/bin" PYENV_ROOT="$T_TMP/nopyenv" MOTO_VENV="$T_TMP/venv"
	export PATH PYENV_ROOT MOTO_VENV
	unset MOTO_SERVER
	if moto_start; then echo "started"; else echo "$MOTO_WHY"; fi
) >"$T_TMP/start.out" 2>&1
expect_match "moto_start without moto_server says why in one line" \
	'^moto_server is missing: `make test` installs it' "$T_TMP/start.out"

# --- one format ---------------------------------------------------------------------
# Every C source is as .clang-format writes it (`make format`).
if command -v clang-format >/dev/null 2>&1; then
	(cd "$ROOT" && clang-format --dry-run --Werror main.c plain.[ch] core/*.[ch] tui/*.[ch] \
		tests/unit/*.[ch] tests/tools/*.c tests/fuzz/*.[ch]) >"$T_TMP/format.out" 2>&1
	if [ $? -eq 0 ]; then ok "the C sources are formatted by .clang-format"; else
		not_ok "the C sources are formatted by .clang-format" "run make format"
		head -20 "$T_TMP/format.out" | sed 's/^/#   /'
	fi
else
	not_ok "the C sources are formatted by .clang-format" "clang-format is missing (make test installs it)"
fi

# --- nothing outside the repository ----------------------------------------------
# Our own checkouts have a sibling folder of shared notes beside them; a
# user's clone has none, so no tracked file may read it. (The folder's name
# is put together here so that this file does not name it itself.)
sibling="../$(printf 'sha%s' red)"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$ROOT" grep -n -F -e "$sibling" -- . >"$T_TMP/shared.hits"
	expect_eq "no tracked file names $sibling" "" "$(cat "$T_TMP/shared.hits")"
fi

# --- scripts/moto.sh installs from the pip index when moto_server is missing -----
# pip reaches no package index on our machines, so the index here is a
# directory of the test's own holding a stand-in wheel named moto 5.2.1 (a
# moto.server module and a moto_server entry point that print a line): it
# checks our install path (a virtual environment, pip with the pinned
# version, the program found afterwards), not moto.
python3 - "$T_TMP/wheels" <<'PY'
import base64, hashlib, os, sys, zipfile
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
files = {
    "moto/__init__.py": "__version__ = '5.2.1'\n",
    "moto/server.py": "def main():\n    print('stand-in moto_server')\n",
    "moto-5.2.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: moto\nVersion: 5.2.1\nProvides-Extra: server\n",
    "moto-5.2.1.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: rds-migrate-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    "moto-5.2.1.dist-info/entry_points.txt": "[console_scripts]\nmoto_server = moto.server:main\n",
}
rec = []
with zipfile.ZipFile(os.path.join(d, "moto-5.2.1-py3-none-any.whl"), "w") as z:
    for name, text in files.items():
        data = text.encode()
        z.writestr(name, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rec.append(f"{name},sha256={digest},{len(data)}")
    rec.append("moto-5.2.1.dist-info/RECORD,,")
    z.writestr("moto-5.2.1.dist-info/RECORD", "\n".join(rec) + "\n")
PY
env -u MOTO_SERVER PATH="$T_TMP/bin" PYENV_ROOT="$T_TMP/nopyenv" MOTO_VENV="$T_TMP/venv2" \
	PIP_NO_INDEX=1 PIP_FIND_LINKS="$T_TMP/wheels" \
	sh "$MOTO" ensure >"$T_TMP/moto2.out" 2>"$T_TMP/moto2.err"
expect_eq "moto.sh ensure installs moto from the index into the virtual environment: exit 0" 0 $?
expect_match "moto.sh ensure says it installs moto[server] 5.2.1" \
	'installing moto\[server\] 5\.2\.1 into .*/venv2' "$T_TMP/moto2.out"
expect_eq "moto.sh path then finds the installed moto_server" "$T_TMP/venv2/bin/moto_server" \
	"$(env -u MOTO_SERVER PATH="$T_TMP/bin" PYENV_ROOT="$T_TMP/nopyenv" MOTO_VENV="$T_TMP/venv2" sh "$MOTO" path)"
expect_eq "the installed moto_server runs" "stand-in moto_server" "$("$T_TMP/venv2/bin/moto_server" 2>&1)"
