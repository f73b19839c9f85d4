#!/bin/sh
# run.sh unit|integration|e2e|all — run the test suites, print one summary line.
# Unit tests are cmocka binaries in $BUILD/tests; the others are shell scripts
# (tests/integration/*.sh, tests/e2e/*.sh) that report through tests/lib/testlib.sh.
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT BUILD
export RDSM_BIN="$ROOT/$BUILD/rds-migrate"
export RESULTS=$(mktemp)
passed=0
failed=0
failed_names=""

count() { # name rc
	if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else
		failed=$((failed + 1)); failed_names="$failed_names $1"; fi
}

run_unit() {
	for t in "$ROOT/$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		if [ -n "$VALGRIND" ]; then
			valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
				"$t"
		else
			"$t"
		fi
		count "$(basename "$t")" $?
	done
}

run_scripts() { # dir
	for s in "$ROOT/tests/$1"/*.sh; do
		[ -f "$s" ] || continue
		: >"$RESULTS"
		echo "== $1/$(basename "$s")"
		timeout 600 sh "$s"
		rc=$?
		p=$(grep -c '^ok ' "$RESULTS")
		f=$(grep -c '^not ok ' "$RESULTS")
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "$f" -gt 0 ]; then failed_names="$failed_names $(grep '^not ok ' "$RESULTS" | sed 's/^not ok //' | tr ' ' '_' | tr '\n' ' ')"; fi
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			failed=$((failed + 1)); failed_names="$failed_names $1/$(basename "$s")(exit-$rc)"
		fi
	done
}

case "${1:-all}" in
unit) run_unit ;;
integration) run_scripts integration ;;
e2e) run_scripts e2e ;;
all) run_unit; run_scripts integration; run_scripts e2e ;;
*) echo "usage: run.sh unit|integration|e2e|all" >&2; exit 2 ;;
esac
rm -f "$RESULTS"
[ -n "$failed_names" ] && echo "FAILED:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
