"""Side-by-side: SALib vs `brink sensitivity --test-function ishigami` at N = 2^16.

Both do the same work: a Saltelli design without second-order terms (N (k + 2) = 327,680
points), the Ishigami function (a = 7, b = 0.1) at every point, first-order indices by the
Saltelli et al. (2010) estimator and total indices by Jansen's (1999), bootstrap intervals over
the N rows. Timings are wall-clock medians of REPEATS runs; brink's include process start-up.

usage: python salib_ishigami.py BRINK_BINARY [N] [REPEATS]
"""

import json
import statistics
import subprocess
import sys
import time

import numpy as np
from importlib.metadata import version
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami

brink = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1 << 16
REPEATS = int(sys.argv[3]) if len(sys.argv) > 3 else 5

problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def salib(resamples):
    t = time.perf_counter()
    x = sobol_sample.sample(problem, N, calc_second_order=False, seed=1)
    y = Ishigami.evaluate(x)
    si = sobol_analyze.analyze(
        problem, y, calc_second_order=False, num_resamples=resamples, seed=1
    )
    return time.perf_counter() - t, si


def brink_run(resamples, threads):
    cmd = [brink, "sensitivity", "--test-function", "ishigami", "--method", "sobol",
           "--n", str(N), "--json", "--bootstrap", str(resamples), "--threads", str(threads)]
    t = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - t, json.loads(out)


def median(f, *a):
    runs = [f(*a) for _ in range(REPEATS)]
    return statistics.median(r[0] for r in runs), runs[0][1]


print(f"SALib {version('SALib')}, numpy {np.__version__}; N = {N}, {N * 5} evaluations; "
      f"median of {REPEATS}")
rows = []
for resamples in (100, 1):
    ts, si = median(salib, resamples)
    for threads in (1, 2):
        tb, bj = median(brink_run, resamples, threads)
        rows.append((resamples, threads, ts, tb))
        print(f"bootstrap {resamples:>3} resamples, brink --threads {threads}: "
              f"SALib {ts * 1e3:8.1f} ms   brink {tb * 1e3:7.1f} ms   ratio {ts / tb:6.1f}x")
    if resamples == 100:
        print("  S1 SALib", np.round(si["S1"], 4), " brink", np.round(bj["S1"], 4))
        print("  ST SALib", np.round(si["ST"], 4), " brink", np.round(bj["ST"], 4))
        print("  exact S1 [0.3139 0.4424 0.    ]  ST [0.5576 0.4424 0.2437]")
