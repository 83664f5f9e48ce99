#!/usr/bin/env bash
# Benchmark brink-effects against a vectorized numpy implementation of the same formulas.
# numpy/scipy go into a throwaway virtual environment (never a dependency of brink).
# Usage: bash bench/effects/run.sh   (from the repository root)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${BRINK_BENCH_OUT:-/tmp/brink-effects-bench}"
VENV="${BRINK_BENCH_VENV:-/tmp/brink-effects-bench-venv}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/h-effects}"
mkdir -p "$OUT"
echo "machine: $(uname -srm); $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs || true); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
(cd "$ROOT" && BRINK_BENCH_OUT="$OUT" cargo bench -p brink-effects --bench grid 2>"$OUT/rust_stderr.txt") | tail -1 > "$OUT/rust.json"
grep '^strike_casualties' "$OUT/rust_stderr.txt" || true
echo "rust: $(cat "$OUT/rust.json")"
source "$ROOT/bench/venv.sh"
python=$(bench_venv "$VENV" numpy scipy)
"$python" "$ROOT/bench/effects/numpy_effects.py" "$OUT" "$OUT/rust.json" | tee "$OUT/result.json"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
