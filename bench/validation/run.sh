#!/usr/bin/env bash
# Recomputes the out-of-sample figures of docs/model/validation.md from two 10,000-run studies of
# the embedded default scenario. Python's standard library only; takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p brink-cli
out=${1:-/tmp/brink-validation}
rm -rf "$out" && mkdir -p "$out"
# The pipeline on 28 October 2022, with Russian recruitment off to isolate the mobilized.
target/release/brink run --runs 10000 -q --out "$out/pipeline" \
  --set recruitment.RU.sources.0.base_per_week=0 \
  --set recruitment.RU.sources.1.base_per_week=0 >/dev/null
# The default study: domestic support and the autumn 2022 event sequence.
target/release/brink run --runs 10000 -q --out "$out/default" >/dev/null
python3 bench/validation/tables.py "$out"
