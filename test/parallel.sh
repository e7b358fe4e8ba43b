#!/usr/bin/env bash
# parallel.sh NAME=COMMAND ... - the parts of `make test` that run independently of each other
# (the doctest suite, cli_smoke.sh, hashes.sh), run at once: each is mostly one process on one
# core, so on two cores the suite takes as long as its longest part instead of their sum.
#
# Each COMMAND runs under `bash -c` with its output in a log; when all have ended, each log is
# printed in the order given, under a "== NAME" line with its status and seconds. Exit status 1
# when any part failed (its name is in the last line), else 0. The parts must not share files:
# doctest writes under build/test-runs/, cli_smoke.sh and hashes.sh in their own mktemp folders.
set -u
[ $# -gt 0 ] || { echo "usage: test/parallel.sh NAME=COMMAND ..." >&2; exit 2; }
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
names=() pids=()
i=0
for job in "$@"; do
  name=${job%%=*} cmd=${job#*=}
  [ "$name" != "$job" ] && [ -n "$name" ] || { echo "parallel.sh: '$job' is not NAME=COMMAND" >&2; exit 2; }
  names+=("$name")
  ( start=$(date +%s); bash -c "$cmd" > "$logs/$i.log" 2>&1; rc=$?
    echo "$rc $(( $(date +%s) - start ))" > "$logs/$i.rc" ) &
  pids+=($!)
  i=$((i + 1))
done
echo "running at once: ${names[*]} (each one's output follows when all have ended)"
wait "${pids[@]}"
failed=()
for j in "${!names[@]}"; do
  read -r rc secs < "$logs/$j.rc" || { rc=1 secs=?; }
  cat "$logs/$j.log"
  if [ "$rc" = 0 ]; then echo "== ${names[$j]}: passed ($secs s)"
  else echo "== ${names[$j]}: FAILED (exit $rc, $secs s)"; failed+=("${names[$j]}"); fi
done
if [ ${#failed[@]} -gt 0 ]; then echo "make test: failed: ${failed[*]}"; exit 1; fi
exit 0
