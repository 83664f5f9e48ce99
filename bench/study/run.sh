#!/usr/bin/env bash
# Sobol' analysis of the Ishigami function at N = 2^16: brink (release) vs SALib, then a
# 6-parameter Sobol' study of the default scenario. Python is used only here, in a throwaway
# venv under /tmp (numpy and SALib from PyPI); it is never a dependency of brink.
#   bash bench/study/run.sh              # from anywhere
#   SCENARIO_STUDY=0 bash bench/study/run.sh   # skip the scenario study
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${VENV:-/tmp/brink-bench-study-venv}"
source "$root/bench/venv.sh"
python=$(bench_venv "$venv" numpy SALib)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cd "$root"
cargo build --quiet --release -p brink-cli
brink="$CARGO_TARGET_DIR/release/brink"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$python" "$here/salib_ishigami.py" "$brink" "${N:-65536}" "${REPEATS:-5}"
if [ "${SCENARIO_STUDY:-1}" != 0 ]; then
  echo
  echo "Sobol' study of 6 parameters of the default scenario, N = 1024, ${RUNS_PER_POINT:-50} runs per point:"
  /usr/bin/time -f "wall %e s, max RSS %M kB" "$brink" sensitivity \
    --params mobilization.RU.p_evade,mobilization.RU.call_up,combat.attacker_loss_multiplier,forces.UA.morale,forces.RU.morale,evasion.RU.emigration_per_summons \
    --outcome ua_military_victory --method sobol --n 1024 --runs-per-point "${RUNS_PER_POINT:-50}" \
    --out "${OUT:-/tmp/brink-bench-study-out}" -q
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
