#!/usr/bin/env bash
# Runs every libFuzzer target: scripts/fuzz.sh BUILD_DIR runs N | seconds S
# Inputs up to 64 KiB (-max_len=65536). -malloc_limit_mb makes any single allocation of that
# size a failure: a decoder bounded by a small multiple of its input (docs/PROTOCOL.md) never
# comes near it. A target may get a larger limit below while its decoder is being bounded;
# every run says so. Progress is printed at least every 30 seconds.
set -eu
dir=$1 mode=$2 n=$3
corpus_root=$(dirname "$0")/../fuzz/corpus
MALLOC_LIMIT_MB=${MALLOC_LIMIT_MB:-16}
# Targets allowed more (name:megabytes), with the reason printed at every run.
RELAXED=${FUZZ_RELAXED:-}

limit_of() {
  for r in $RELAXED; do
    [ "${r%%:*}" = "$1" ] && { echo "${r#*:}"; return; }
  done
  echo "$MALLOC_LIMIT_MB"
}

for bin in "$dir"/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  work=$(mktemp -d)
  seeds="$corpus_root/${name#fuzz_}"
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
  if [ "$mode" = runs ]; then arg="-runs=$n"; else arg="-max_total_time=$n"; fi
  limit=$(limit_of "$name")
  note=""
  [ "$limit" != "$MALLOC_LIMIT_MB" ] &&
    note=" -- RELAXED: malloc limit $limit MB, not $MALLOC_LIMIT_MB (its decoder still allocates what the input claims)"
  echo "fuzz: $name ($mode $n, inputs up to 64 KiB, malloc limit $limit MB)$note"
  "$bin" $arg -max_len=65536 -malloc_limit_mb="$limit" -rss_limit_mb=2048 -timeout=10 \
    "$work" >"$work.log" 2>&1 &
  pid=$!
  last=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if [ $((SECONDS - last)) -ge 30 ]; then
      last=$SECONDS
      echo "fuzz: $name: $(grep -a '^#' "$work.log" | tail -1 | cut -c1-100)"
    fi
  done
  if ! wait "$pid"; then
    tail -40 "$work.log"
    echo "fuzz: $name FAILED"
    exit 1
  fi
  tail -1 "$work.log"
  rm -rf "$work" "$work.log"
done
