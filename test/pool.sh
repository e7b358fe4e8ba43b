# pool.sh - sourced by the scripts that run parts of a check side by side (test/shards.sh,
# fuzz/run.sh): pool_run JOBS FUNC ITEM... calls FUNC ITEM for every ITEM in the background, at
# most JOBS at once (a free slot takes the next item), and returns when all have ended. FUNC
# records its own status (e.g. in a file per item); pool_run's is always 0.
pool_run() {
  local jobs=$1 fn=$2 running=0 item
  shift 2
  for item in "$@"; do
    "$fn" "$item" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
  done
  wait
  return 0
}
