#!/usr/bin/env bash
# Checks a brink HTML report in headless Chromium (see check_report.py).
#   tests/browser/check_report.sh                      # a 200-run study of the default scenario
#   tests/browser/check_report.sh REPORT.html [SHOT.png] [--expect TITLE]...
# Skips (exit 0, with a note) when chromium is missing, unless BRINK_REQUIRE_BROWSER is set.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
chromium="${BRINK_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
    if [ -n "${BRINK_REQUIRE_BROWSER:-}" ]; then
        echo "FAIL: $chromium not found and BRINK_REQUIRE_BROWSER is set (apt-get install chromium)" >&2
        exit 1
    fi
    echo "skipped: $chromium not found (apt-get install chromium; set BRINK_REQUIRE_BROWSER=1 to make this an error)"
    exit 0
fi
if [ $# -eq 0 ]; then
    dir="$(mktemp -d)"
    trap 'rm -rf "$dir"' EXIT
    (cd "$root" && cargo run -q -p brink-cli -- run --runs 200 --out "$dir/study" -q >/dev/null)
    (cd "$root" && cargo run -q -p brink-cli -- report "$dir/study" -o "$dir/report.html")
    set -- "$dir/report.html" "$root/target/report-screenshot.png" \
        --expect "Outcome probabilities at the horizon" --expect "Forces at the front"
fi
report="$1"; shift
shot="${1:-$root/target/report-screenshot.png}"; [ $# -gt 0 ] && shift
python3 "$root/tests/browser/check_report.py" "$report" "$shot" "$@"
