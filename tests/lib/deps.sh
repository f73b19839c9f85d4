#!/bin/sh
# deps.sh check|install — the Debian packages rds-migrate needs to build, test and bench.
# check: exit 0 when everything is present; install: apt-get install what is missing.
PKGS="build-essential pkg-config libncurses-dev libpq-dev libcurl4-openssl-dev libinih-dev
libexpat1-dev libcmocka-dev postgresql postgresql-client tmux valgrind clang libclang-rt-14-dev
pgcopydb time ca-certificates openssl curl procps python3 util-linux locales"

missing() {
	for p in $PKGS; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
	done
}

case "$1" in
check)
	m=$(missing)
	[ -z "$m" ] && exit 0
	echo "missing packages:" $m >&2
	exit 1
	;;
install)
	m=$(missing)
	[ -z "$m" ] && { echo "all packages present"; exit 0; }
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -q || exit 1
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -q $m || exit 1
	;;
*)
	echo "usage: deps.sh check|install" >&2
	exit 2
	;;
esac
