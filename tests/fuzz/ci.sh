#!/bin/sh
# ci.sh — the short fuzz pass for the test suite: every target for
# FUZZ_CI_SECONDS (default 20) seconds, from its seeds plus what earlier runs
# found. Prints and (when $RESULTS is set) appends "ok fuzz_TARGET" /
# "not ok fuzz_TARGET" lines; exits non-zero on any failure.
exec sh "$(dirname "$0")/run.sh" "${FUZZ_CI_SECONDS:-20}" "$@"
