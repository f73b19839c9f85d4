#!/bin/sh
# run.sh [SECONDS_PER_TARGET] [TARGET…] — build the libFuzzer targets into
# build/fuzz/ with clang (ASan + UBSan) and run each, one after the other, for
# SECONDS (default 60), after replaying its old crash inputs
# (tests/fuzz/crashes/TARGET-*). Each target starts from a scratch copy of its
# seed corpus (tests/fuzz/corpus/TARGET, never modified); inputs found are
# kept in build/fuzz/corpus/TARGET across runs. Prints "ok fuzz_TARGET" or
# "not ok fuzz_TARGET" per target (also appended to $RESULTS when set) and
# exits non-zero when a target fails to build or finds a crash, naming the
# file that reproduces it:  build/fuzz/fuzz_TARGET FILE
#
# Environment: CC (default clang), FUZZ_OUT (default build/fuzz),
# FUZZ_FRESH=1 to start from the seeds only, FUZZ_ARGS for extra libFuzzer flags.
# One process per target, one target at a time: no -jobs/-workers, which
# would fork and write fuzz-N.log into the current directory.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
SECONDS_PER=${1:-60}
[ $# -gt 0 ] && shift
TARGETS=${*:-config dotenv aws_xml dburl aws_json}
CC=${CC:-clang}
case "$CC" in cc|gcc|*/gcc|*/cc) CC=clang ;; esac # the Makefile's CC is not ours
OUT=${FUZZ_OUT:-build/fuzz}
FUZZ=tests/fuzz
RESULTS=${RESULTS:-}

CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -Icore -I/usr/include/postgresql -fno-omit-frame-pointer"
SAN="address,undefined"
LIBS="$(pkg-config --libs libpq libcurl inih expat jansson libcrypto 2>/dev/null || echo -lpq -lcurl -linih -lexpat -ljansson -lcrypto) -lpthread -lm"

report() { # ok|not_ok TARGET [WHY]
	if [ "$1" = ok ]; then line="ok fuzz_$2"; else line="not ok fuzz_$2"; fi
	echo "$line"
	[ -n "$RESULTS" ] && echo "$line" >>"$RESULTS"
	[ $# -gt 2 ] && echo "#   $3"
	return 0
}

max_len() {
	case "$1" in
	config) echo 70000 ;;  # long lines: the loader's limit is 65534 bytes
	aws_xml) echo 16384 ;;
	aws_json) echo 4096 ;;
	dotenv) echo 4096 ;;
	*) echo 1024 ;;
	esac
}

if ! command -v "$CC" >/dev/null 2>&1; then
	for t in $TARGETS; do report not_ok "$t" "$CC not found"; done
	exit 2
fi
mkdir -p "$OUT/obj" "$OUT/logs" "$OUT/crashes"

# Core objects, instrumented; a file that does not compile (someone is
# editing it) is left out, and only a target that needs it fails to link.
rm -f "$OUT/libcore.a" "$OUT"/obj/*.o
for src in core/*.c; do
	obj="$OUT/obj/$(basename "$src" .c).o"
	$CC $CFLAGS -fsanitize=fuzzer-no-link,$SAN -fno-sanitize-recover=all \
		-c -o "$obj" "$src" 2>"$OUT/logs/build-$(basename "$src" .c).log" ||
		{ echo "# fuzz: $src does not compile; left out (see $OUT/logs/build-$(basename "$src" .c).log)"; rm -f "$obj"; }
done
ar rcs "$OUT/libcore.a" "$OUT"/obj/*.o || { echo "fuzz: cannot make $OUT/libcore.a" >&2; exit 2; }

failed=0
for t in $TARGETS; do
	bin="$OUT/fuzz_$t"
	extra=""
	[ "$t" = aws_xml ] && extra="-Wl,--wrap=aws_query"
	if ! $CC $CFLAGS -I"$FUZZ" -fsanitize=fuzzer,$SAN -fno-sanitize-recover=all \
		-o "$bin" "$FUZZ/fuzz_$t.c" "$OUT/libcore.a" $extra $LIBS >"$OUT/logs/build-fuzz_$t.log" 2>&1; then
		cat "$OUT/logs/build-fuzz_$t.log" >&2
		report not_ok "$t" "does not build: $OUT/logs/build-fuzz_$t.log"
		failed=1
		continue
	fi
	[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && continue
	# The inputs of bugs found before (tests/fuzz/crashes/TARGET-*) first.
	set -- "$FUZZ"/crashes/"$t"-*
	if [ -e "$1" ] && ! "$bin" "$@" >"$OUT/logs/replay_$t.log" 2>&1; then
		grep -E 'property failed|ERROR|runtime error' "$OUT/logs/replay_$t.log" | head -n 3 | sed 's/^/#   /'
		report not_ok "$t" "an input in $FUZZ/crashes fails again: $OUT/logs/replay_$t.log"
		failed=1
		continue
	fi
	work="$OUT/corpus/$t"
	[ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$work"
	mkdir -p "$work"
	cp "$FUZZ/corpus/$t"/* "$work"/ 2>/dev/null
	dict=""
	[ -f "$FUZZ/$t.dict" ] && dict="-dict=$FUZZ/$t.dict"
	log="$OUT/logs/fuzz_$t.log"
	echo "# fuzz_$t: ${SECONDS_PER}s, log $log"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		"$bin" -max_total_time="$SECONDS_PER" -max_len="$(max_len "$t")" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$OUT/crashes/$t-" $dict ${FUZZ_ARGS:-} "$work" >"$log" 2>&1
	rc=$?
	stats=$(grep -E '^stat::number_of_executed_units|^stat::average_exec_per_sec' "$log" | tr '\n' ' ')
	echo "# fuzz_$t: exit $rc; $stats"
	if [ $rc -ne 0 ]; then
		crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
		grep -E 'property failed|ERROR: (Address|Leak)Sanitizer|runtime error|SUMMARY' "$log" | head -n 5 | sed 's/^/#   /'
		report not_ok "$t" "crash input: ${crash:-none written, see $log}; reproduce: $bin ${crash:-}"
		failed=1
	else
		report ok "$t"
	fi
done
exit $failed
