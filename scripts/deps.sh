#!/bin/sh
# deps.sh check|install|list GROUP… — the Debian packages each make target
# needs, in groups, so that `make run` installs only what the wizard needs:
#   build  compile and run the wizard: a C compiler, make, pkg-config, the -dev
#          packages of the libraries it links, and the CA certificates its
#          TLS connections check against
#   test   build + what `make test` uses: cmocka, clang-format, a PostgreSQL server and
#          client, tmux, valgrind, openssl, curl, python3 and venv (for
#          moto_server, see scripts/moto.sh), python3-dotenv (a .env reader
#          the env test reads with), procps, util-linux, locales, and the rest
#          of the live-mode tests' application stack (python3-sqlalchemy,
#          python3-psycopg2)
#   bench  test + the peers it times (pgcopydb) and GNU time
#   fuzz   build + clang and its sanitizer runtime (libFuzzer)
#   all    every group
# check: exit 0 when every package of the groups is installed, else name the
# missing ones. install: apt-get install the missing ones (apt-get update
# first; sudo when not root), saying which. list: print the packages.
BUILD_PKGS="gcc make libc6-dev pkg-config libncurses-dev libpq-dev libcurl4-openssl-dev
libinih-dev libexpat1-dev libjansson-dev libssl-dev ca-certificates"
TEST_PKGS="libcmocka-dev clang-format postgresql postgresql-client tmux valgrind openssl curl procps
util-linux python3 python3-venv python3-dotenv locales python3-sqlalchemy python3-psycopg2"
BENCH_PKGS="pgcopydb time"
FUZZ_PKGS="clang libclang-rt-14-dev"

usage() {
	echo "usage: deps.sh check|install|list build|test|bench|fuzz|all…" >&2
	exit 2
}

# packages GROUP…: the packages of the groups, one per line, each once.
packages() {
	for g in "$@"; do
		case "$g" in
		build) echo $BUILD_PKGS ;;
		test) echo $BUILD_PKGS $TEST_PKGS ;;
		bench) echo $BUILD_PKGS $TEST_PKGS $BENCH_PKGS ;;
		fuzz) echo $BUILD_PKGS $FUZZ_PKGS ;;
		all) echo $BUILD_PKGS $TEST_PKGS $BENCH_PKGS $FUZZ_PKGS ;;
		esac
	done | tr ' ' '\n' | awk 'NF && !seen[$0]++'
}

missing() {
	for p in $(packages "$@"); do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
	done
}

[ $# -ge 2 ] || usage
cmd=$1
shift
for g in "$@"; do
	case "$g" in build | test | bench | fuzz | all) ;; *) usage ;; esac
done
case "$cmd" in
list)
	packages "$@"
	;;
check)
	m=$(missing "$@")
	[ -z "$m" ] && exit 0
	echo "missing packages:" $m >&2
	exit 1
	;;
install)
	m=$(missing "$@")
	[ -z "$m" ] && exit 0
	command -v apt-get >/dev/null 2>&1 || {
		echo "deps.sh: missing packages:" $m "(install them by hand: this is not a Debian system)" >&2
		exit 1
	}
	SUDO=
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || {
			echo "deps.sh: missing packages:" $m "(run as root, or install sudo)" >&2
			exit 1
		}
		SUDO=sudo
	fi
	echo "installing the packages that \`$*\` needs:" $m
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -q || exit 1
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -q --no-install-recommends $m || exit 1
	;;
*)
	usage
	;;
esac
