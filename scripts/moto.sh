#!/bin/sh
# moto.sh path|ensure — moto_server, the AWS stand-in the AWS tests talk to
# (RDS, EC2, STS, IAM and more on loopback). No Debian package provides it.
#   path    print the moto_server to use and exit 0, or exit 1 (nothing printed)
#   ensure  path, or else install moto[server] $MOTO_VERSION into a virtual
#           environment under the build directory (build/moto-venv), saying so;
#           when that fails, one line naming what is missing and how to get it
#           (exit 1)
# Looked for in order: $MOTO_SERVER, moto_server on PATH, the pip installs of
# pyenv's Pythons, build/moto-venv ($MOTO_VENV).
MOTO_VERSION=5.2.1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${MOTO_VENV:-$ROOT/build/moto-venv} # one for every build (build, build-asan)
LOG=$VENV.log

find_moto() {
	for m in "${MOTO_SERVER:-}" "$(command -v moto_server 2>/dev/null)" \
		"${PYENV_ROOT:-$HOME/.pyenv}"/versions/*/bin/moto_server "$VENV/bin/moto_server"; do
		[ -n "$m" ] && [ -x "$m" ] || continue
		# the Python beside it must import moto (a venv left half-made does
		# not); with none beside it, the script's own interpreter is used
		py="$(dirname "$m")/python"
		if ! [ -x "$py" ] || "$py" -c 'import moto.server' 2>/dev/null; then
			echo "$m"
			return 0
		fi
	done
	return 1
}

missing_line() { # why
	echo "moto_server is missing ($1): the AWS tests cannot run. Install it with" \
		"python3 -m venv $VENV && $VENV/bin/pip install 'moto[server]==$MOTO_VERSION'" \
		"(or put moto_server on PATH, or set MOTO_SERVER)" >&2
}

case "${1:-}" in
path)
	find_moto
	;;
ensure)
	find_moto >/dev/null && exit 0
	echo "moto_server not found: installing moto[server] $MOTO_VERSION into $VENV"
	mkdir -p "$(dirname "$VENV")"
	python3 -m venv "$VENV" >"$LOG" 2>&1 ||
		{ rm -rf "$VENV"; missing_line "python3 -m venv failed: is python3-venv installed?"; exit 1; }
	"$VENV/bin/pip" install -q --disable-pip-version-check --retries 1 --timeout 20 \
		"moto[server]==$MOTO_VERSION" >>"$LOG" 2>&1 ||
		{ rm -rf "$VENV"; missing_line "pip could not install it, see $LOG"; exit 1; }
	find_moto >/dev/null || { missing_line "the install left no moto_server"; exit 1; }
	;;
*)
	echo "usage: moto.sh path|ensure" >&2
	exit 2
	;;
esac
