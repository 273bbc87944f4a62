#!/usr/bin/env bash
# Wire benchmark (part of make bench): bench_wire.sh BUILD WORKDIR DEFAULTS
set -eu
B=$1 W=$2
echo
echo "== Wire: repairs on the channel under the ctl profile, ogrh vs a model of OGAddonMsg"
echo "   (document: the factory defaults with generated assignments, ogrh gen --seed 1)"
"$B/bench_wire" "$W/gen1.lua"
