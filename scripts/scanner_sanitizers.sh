#!/usr/bin/env bash
# Build the compiled scanner with AddressSanitizer + UndefinedBehaviorSanitizer and run the tests that feed it
# hostile input (parse cases, scanner-vs-regex equivalence, hypothesis-mutated lines of every format, mutated
# lines against the reference parser) against that build. Any out-of-bounds read or undefined behaviour aborts the run with the sanitizer's
# report on stderr (--capture=sys leaves file descriptor 2 alone). Needs gcc. .ci/run runs it after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
suffix=$(python -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
include=$(python -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
gcc -shared -fPIC -O1 -g -std=c99 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
  -I"$include" dashboard/ingest/_scanner.c -o "$out/_scanner$suffix"
export DATABLOOM_SCANNER_SO="$out/_scanner$suffix" DATABLOOM_REQUIRE_SCANNER=1
export LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
python -m pytest -q -p no:cacheprovider --capture=sys tests/test_fastscan.py tests/test_parse.py tests/test_reference.py
