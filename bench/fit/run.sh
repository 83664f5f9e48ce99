#!/usr/bin/env bash
# Side-by-side benchmark: brink fit (Rust, release) vs scipy.optimize.least_squares on the
# Iwo Jima record, same model, same laws, same starting points. Python is used only here.
#   bash bench/fit/run.sh            # from the repository root
# Creates a throwaway venv under /tmp with numpy and scipy (never a dependency of brink).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${BRINK_BENCH_VENV:-/tmp/brink-bench-fit-venv}"
source "$root/bench/venv.sh"
python=$(bench_venv "$venv" numpy scipy)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cd "$root"
cargo build --quiet --release -p brink-fit --example bench_fit
csv="$root/crates/brink-fit/examples/iwo_jima.csv"
"$CARGO_TARGET_DIR/release/examples/bench_fit" "$csv" --json > "$here/rust.json"
"$CARGO_TARGET_DIR/release/examples/bench_fit" "$csv"
echo
"$python" "$here/compare.py" "$csv" "$here/rust.json" "${PY_BOOTSTRAP:-100}"
