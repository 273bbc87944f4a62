#!/usr/bin/env bash
# Installs the Debian packages ogrh-sync needs to build, test, benchmark and run its demo.
# As root it uses apt-get; otherwise it prints the exact command to run.
set -eu
pkgs="cmake make gcc clang curl libclang-rt-14-dev pkg-config libcmocka-dev zlib1g-dev libzstd-dev \
libxxhash-dev libjansson-dev lua5.1 luajit zstd valgrind clang-format \
libmosquitto-dev mosquitto libmicrohttpd-dev chromium chromium-driver python3-selenium"
missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
echo "deps: missing Debian packages:$missing" >&2
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
  echo "deps: installed$missing" >&2
else
  echo "deps: run this as root, then try again:" >&2
  echo "  apt-get install -y$missing" >&2
  exit 1
fi
