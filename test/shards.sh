#!/usr/bin/env bash
# shards.sh RUNNER TEST_BIN SHARDS JOBS LOGDIR - the doctest suite TEST_BIN cut into SHARDS ranges
# of test cases (doctest's --first/--last, in its file order), JOBS ranges running at once, each
# started under RUNNER (e.g. "qemu-aarch64 -L /usr/aarch64-linux-gnu"; "" runs it natively). More
# shards than jobs keeps every core busy to the end: the ranges differ in cost (a training test
# takes seconds, a formula test microseconds), and a free job takes the next range. Prints each
# range's assertion line; exits 1 (with the failing range's log tail) if any range failed.
set -u
[ $# -eq 5 ] || { echo "usage: test/shards.sh RUNNER TEST_BIN SHARDS JOBS LOGDIR" >&2; exit 2; }
runner=$1 bin=$2 shards=$3 jobs=$4 logs=$5
read -r -a run <<< "$runner"
n=$("${run[@]}" "$bin" --count | sed -n 's/.*filters: *\([0-9][0-9]*\).*/\1/p')
[ -n "$n" ] || { echo "shards.sh: $bin did not run${runner:+ under $runner}"; exit 1; }
[ "$shards" -le "$n" ] || shards=$n
echo "the suite's $n cases in $shards ranges, $jobs at a time"
mkdir -p "$logs"
range() { echo "$(( ($1 - 1) * n / shards + 1 )) $(( $1 * n / shards ))"; }
one() {
  local first last
  read -r first last <<< "$(range "$1")"
  "${run[@]}" "$bin" --first="$first" --last="$last" > "$logs/shard$1.log" 2>&1
  echo $? > "$logs/shard$1.rc"
}
# shellcheck source=test/pool.sh
. "$(dirname "$0")/pool.sh"
pool_run "$jobs" one $(seq 1 "$shards")
fail=0
for i in $(seq 1 "$shards"); do
  read -r first last <<< "$(range "$i")"
  grep -E '^\[doctest\] assertions' "$logs/shard$i.log" | sed "s/^\[doctest\]/cases $first-$last:/"
  if [ "$(cat "$logs/shard$i.rc" 2>/dev/null)" != 0 ]; then tail -60 "$logs/shard$i.log"; fail=1; fi
done
exit $fail
