"""scipy.optimize.least_squares on the same model and data as `brink fit --method least-squares`.

Usage: compare.py IWO_JIMA_BRINK.csv RUST_BENCH.json [PY_BOOTSTRAP]

The model is a line-by-line re-implementation of brink-fit's (crates/brink-fit/src/model.rs and
crates/brink-lanchester): RK4 with the same substep rule, reinforcements spread over their step
in the same midpoint pieces, the same clamping, the same parameterisation (log of the coefficient
at reference strengths, exponents through tanh onto [-1, 3]) and the same starting points (read
from the Rust benchmark's JSON). The solver is MINPACK's Levenberg-Marquardt (method="lm"),
the algorithm the Rust `levenberg-marquardt` crate ports, with scipy's default finite
differences. Python is only used here, never at run time.
"""
import json
import math
import statistics
import sys
import time

import numpy as np
from scipy.optimize import least_squares

SUBSTEP_RATE = 0.05
MAX_SUBSTEPS = 400
PULSES = 8
LO, HI = -1.0, 3.0
LAWS = {"square": (1.0, 0.0), "linear": (1.0, 1.0), "logarithmic": (0.0, 1.0), "helmbold": None}



def ratio_text(ratio):
    """scipy time over Rust time: '83x' when Rust is faster, '0.38x (scipy faster)' when not."""
    return f"{ratio:.0f}x" if ratio >= 1.5 else f"{ratio:.2f}x" + (" (scipy faster)" if ratio < 1 else "")

def read(path):
    rows = []
    for line in open(path):
        t = line.strip()
        if not t or t.startswith("#") or t.startswith("time"):
            continue
        f = t.split(",")
        num = lambda x: float(x) if x.strip() else None
        rows.append((float(f[0]), num(f[1]), num(f[2]), num(f[3]) or 0.0, num(f[4]) or 0.0))
    return rows


def pw(x, e):
    if e == 0.0:
        return 1.0
    if e == 1.0:
        return max(x, 0.0)
    return max(x, 0.0) ** e


def loss_rates(p, q, ca, cb, a, b):
    if a <= 0.0 or b <= 0.0:
        return 0.0, 0.0
    return ca * pw(b, p) * pw(a, q), cb * pw(a, p) * pw(b, q)


def rk4(p, q, ca, cb, a, b, h):
    def d(x, y):
        la, lb = loss_rates(p, q, ca, cb, x, y)
        return -la, -lb
    k1 = d(a, b)
    k2 = d(a + h / 2 * k1[0], b + h / 2 * k1[1])
    k3 = d(a + h / 2 * k2[0], b + h / 2 * k2[1])
    k4 = d(a + h * k3[0], b + h * k3[1])
    return (max(a + h / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]), 0.0),
            max(b + h / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]), 0.0))


def substeps_for(p, q, ca, cb, a, b, dt):
    la, lb = loss_rates(p, q, ca, cb, a, b)
    a1, b1 = max(a, 1.0), max(b, 1.0)
    own = abs(q) * max(la / a1, lb / b1)
    coupling = abs(p) * math.sqrt(la * lb / (a1 * b1))
    n = math.ceil(max(own, coupling) * dt / SUBSTEP_RATE)
    return MAX_SUBSTEPS if not math.isfinite(n) else min(max(int(n), 1), MAX_SUBSTEPS)


def advance(p, q, ca, cb, a, b, ra, rb, dt, n):
    if ra == 0.0 and rb == 0.0:
        h = dt / n
        for _ in range(n):
            a, b = rk4(p, q, ca, cb, a, b, h)
        return a, b
    rel = max(ra / max(a, ra, 1e-300), rb / max(b, rb, 1e-300))
    pieces = max(min(max(math.ceil(2 * PULSES * rel), 1), PULSES), n)
    h = dt / pieces
    sa, sb = ra / pieces, rb / pieces
    for _ in range(pieces):
        ea, eb = a <= 0.0 and sa > 0.0, b <= 0.0 and sb > 0.0
        if ea:
            a += sa
        if eb:
            b += sb
        a, b = rk4(p, q, ca, cb, a, b, h / 2)
        if not ea:
            a += sa
        if not eb:
            b += sb
        a, b = rk4(p, q, ca, cb, a, b, h / 2)
    return a, b


def simulate(rows, p, q, ca, cb, plan=None):
    dt = rows[1][0] - rows[0][0]
    a, b = rows[0][1], rows[0][2]
    out, used = [(a, b)], []
    for i in range(1, len(rows)):
        ra, rb = rows[i][3], rows[i][4]
        n = plan[i - 1] if plan else substeps_for(p, q, ca, cb, a + ra, b + rb, dt)
        used.append(n)
        a, b = advance(p, q, ca, cb, a, b, ra, rb, dt, n)
        out.append((a, b))
    return out, used


def refs(rows):
    r = []
    for side in (1, 2):
        pos = [row[side] for row in rows if row[side] is not None and row[side] > 0]
        r.append(sum(pos) / len(pos) if pos else 1.0)
    return r


def decode(law, theta, ref):
    if LAWS[law] is None:
        p = LO + (HI - LO) * 0.5 * (1 + math.tanh(theta[2]))
        q = LO + (HI - LO) * 0.5 * (1 + math.tanh(theta[3]))
    else:
        p, q = LAWS[law]
    ca = math.exp(theta[0]) / (ref[1] ** p * ref[0] ** q)
    cb = math.exp(theta[1]) / (ref[0] ** p * ref[1] ** q)
    return p, q, ca, cb


def encode(law, start, ref):
    ca, cb, p, q = start
    t = [math.log(ca * ref[1] ** p * ref[0] ** q), math.log(cb * ref[0] ** p * ref[1] ** q)]
    if LAWS[law] is None:
        to = lambda e: math.atanh(max(min(2 * (e - LO) / (HI - LO) - 1, 0.999999), -0.999999))
        t += [to(p), to(q)]
    return np.array(t)


def observations(rows):
    return [(side, i, rows[i][side + 1]) for side in (0, 1) for i in range(1, len(rows))
            if rows[i][side + 1] is not None]


def fit(rows, law, start, obs=None):
    ref = refs(rows)
    obs = obs or observations(rows)
    theta0 = encode(law, start, ref)
    _, plan = simulate(rows, *decode(law, theta0, ref))

    def resid(th):
        traj, _ = simulate(rows, *decode(law, th, ref), plan=plan)
        return np.array([traj[i][s] - v for s, i, v in obs])

    r = least_squares(resid, theta0, method="lm", xtol=1e-10, ftol=1e-10)
    p, q, ca, cb = decode(law, r.x, ref)
    return (ca, cb, p, q), float(np.sum(r.fun ** 2)), r.nfev


def bootstrap(rows, law, point, n, seed=1):
    rng = np.random.default_rng(seed)
    obs = observations(rows)
    traj, _ = simulate(rows, point[2], point[3], point[0], point[1])
    fitted = [traj[i][s] for s, i, _ in obs]
    res = {0: [], 1: []}
    for (s, i, v), f in zip(obs, fitted):
        res[s].append(v - f)
    draws = []
    for _ in range(n):
        new = [(s, i, f + res[s][rng.integers(len(res[s]))]) for (s, i, _), f in zip(obs, fitted)]
        draws.append(fit(rows, law, point, new)[0])
    return draws


def main():
    rows = read(sys.argv[1])
    rust = json.load(open(sys.argv[2]))
    nboot = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    print("| law | Rust point fit (ms, min / median) | scipy least_squares (ms, min / median) "
          "| scipy / Rust (median) | Rust SSE | scipy SSE | max rel. diff of coefficients |")
    print("|---|---|---|---|---|---|---|")
    points = {}
    for pf in rust["point_fits"]:
        law = pf["law"]
        reps = 3 if law == "helmbold" else 10
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            est, sse, nfev = fit(rows, law, pf["start"])
            times.append(time.perf_counter() - t)
        points[law] = est
        rust_est = [pf["attrition_of_a"], pf["attrition_of_b"], pf["p"], pf["q"]]
        diff = max(abs(x - y) / max(abs(y), 1e-12) for x, y in zip(est[:2], rust_est[:2]))
        med = statistics.median(times)
        print(f"| {law} | {pf['min_s'] * 1e3:.3f} / {pf['median_s'] * 1e3:.3f} | "
              f"{min(times) * 1e3:.1f} / {med * 1e3:.1f} | {ratio_text(med / pf['median_s'])} | "
              f"{pf['sse']:.6e} | {sse:.6e} | {diff:.1e} |")
    print()
    total = 0.0
    for law in LAWS:
        t = time.perf_counter()
        bootstrap(rows, law, points[law], nboot)
        dt = time.perf_counter() - t
        total += dt
        print(f"scipy residual bootstrap, {law}: {nboot} refits in {dt:.2f} s")
    rust_all = [r for r in rust["all_laws"] if r["what"].startswith("all laws, least-squares")]
    best = min(r["median_s"] for r in rust_all)
    print(f"scipy, all laws, {nboot} bootstrap refits each: {total:.2f} s "
          f"(x{1000 / nboot:.0f} for 1,000 refits: about {total * 1000 / nboot:.0f} s, extrapolated)")
    print(f"Rust,  all laws, 1,000 bootstrap refits each (incl. point fits and standard errors): "
          f"{best:.3f} s (median)")


if __name__ == "__main__":
    main()
