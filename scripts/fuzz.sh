#!/usr/bin/env bash
# Runs every libFuzzer target: scripts/fuzz.sh BUILD_DIR runs N | seconds S
set -eu
dir=$1 mode=$2 n=$3
corpus_root=$(dirname "$0")/../fuzz/corpus
for bin in "$dir"/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  work=$(mktemp -d)
  seeds="$corpus_root/${name#fuzz_}"
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
  if [ "$mode" = runs ]; then arg="-runs=$n"; else arg="-max_total_time=$n"; fi
  echo "fuzz: $name ($mode $n)"
  "$bin" $arg -max_len=4096 -timeout=10 -rss_limit_mb=2048 "$work" >"$work.log" 2>&1 || {
    tail -40 "$work.log"; echo "fuzz: $name FAILED"; exit 1; }
  tail -1 "$work.log"
  rm -rf "$work" "$work.log"
done
