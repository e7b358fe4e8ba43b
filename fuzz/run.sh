#!/usr/bin/env bash
# fuzz/run.sh SECONDS JOBS TARGET... - runs each libFuzzer target of build-fuzz/fuzz/ for SECONDS
# seconds, JOBS of them at once (each is one process on one core), from the seeds in
# fuzz/corpus/<t>/ and fuzz/regressions/<t>/; new inputs go to build-fuzz/corpus/<t>/, findings
# to build-fuzz/findings/<t>-*. Prints each target's last status line and execution count in the
# order given; exits 1 if any target found something (its log's tail is printed). `make fuzz`
# calls it.
set -u
seconds=$1 jobs=$2; shift 2
mkdir -p build-fuzz/findings
run_one() {
  local t=$1
  mkdir -p "build-fuzz/corpus/$t" "fuzz/regressions/$t"
  build-fuzz/fuzz/"$t" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/findings/$t-" "build-fuzz/corpus/$t" "fuzz/corpus/$t" "fuzz/regressions/$t" \
    > "build-fuzz/$t.log" 2>&1
  echo $? > "build-fuzz/$t.rc"
}
# shellcheck source=test/pool.sh
. "$(dirname "$0")/../test/pool.sh"
pool_run "$jobs" run_one "$@"
fail=0
for t in "$@"; do
  echo "== fuzz $t ($seconds s)"
  if [ "$(cat "build-fuzz/$t.rc" 2>/dev/null)" != 0 ]; then
    tail -40 "build-fuzz/$t.log"; echo "fuzz $t: FINDING (input in build-fuzz/findings/)"; fail=1; continue
  fi
  grep -E '^#[0-9]+.*(DONE|cov:)' "build-fuzz/$t.log" | tail -1
  grep -E 'stat::number_of_executed_units' "build-fuzz/$t.log"
done
exit $fail
