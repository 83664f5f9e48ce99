"""Vectorized numpy/scipy implementation of the same formulas as brink-effects
(Brode 1986 overpressure, CEX-62.2 eq. 2-106 thermal fluence, WSEG-10 7-day dose on a
1000 x 1000 grid; 5 psi range inversion for 10,000 (yield, height) pairs by a vectorized
geometric scan plus bisection), timed and compared with brink's output files.
Written from the published equations, the way an analyst would in Python: every cell is
evaluated (no use of the grid's symmetry, which brink's optimized grid exploits; brink's
`grid_per_point` figures are the like-for-like comparison).
Usage: python numpy_effects.py OUT_DIR RUST_TIMINGS_JSON
"""
import json, math, sys, time
import numpy as np
from scipy.special import ndtr

KM_PER_MI = 1.609344
KFT_PER_KM = 1 / 0.3048

def brode_psi(x, y):
    x = np.maximum(x, 1e-9)
    r = np.maximum(np.sqrt(x * x + y * y), 1e-6)
    z = y / x
    a = 1.22 - 3.908 * z**2 / (1 + 810.2 * z**5)
    b = 2.321 + 6.195 * z**18 / (1 + 1.113 * z**18) - 0.03831 * z**17 / (1 + 0.02415 * z**17) + 0.6692 / (1 + 4164 * z**8)
    c = 4.153 - 1.149 * z**18 / (1 + 1.641 * z**18) - 1.1 / (1 + 2.771 * z**2.5)
    d = -4.166 + 25.76 * z**1.75 / (1 + 1.382 * z**18) + 8.257 * z / (1 + 3.219 * z)
    e = 1 - 0.004642 * z**18 / (1 + 0.003886 * z**18)
    f = 0.6096 + 2.879 * z**9.25 / (1 + 2.359 * z**14.5) - 17.5 * z**2 / (1 + 71.66 * z**3)
    g = 1.83 + 5.361 * z**2 / (1 + 0.3139 * z**6)
    h = (8.808 * z**1.5 / (1 + 154.5 * z**3.5) - (0.2905 + 64.67 * z**5) / (1 + 441.5 * z**5)
         - 1.389 * z / (1 + 49.03 * z**5) + 1.094 * r**2 / ((781.2 - 123.4 * r + 37.98 * r**1.5 + r**2) * (1 + 2 * y)))
    j = 0.000629 * y**4 / (3.493e-9 + y**4) - 2.67 * y**2 / (1 + 1e7 * y**4.3)
    k = 5.18 + 0.2803 * y**3.5 / (3.788e-6 + y**4)
    return 10.47 / r**a + b / r**c + d * e / (1 + f * r**g) + h + j / r**k

EQ_2_106 = [-0.0401874, -2.0823477, -0.0511744, -0.0074958]

def thermal(w_eff, slant_km):
    l = np.log10(slant_km / KM_PER_MI)
    p = EQ_2_106[3]
    for c in EQ_2_106[2::-1]:
        p = p * l + c
    return 10.0**p * w_eff

def wseg10_dose(east, north, yield_kt, ff, wind_kmh, from_deg, shear, t_end=168.0):
    Y = yield_kt / 1000.0
    lnY = math.log(Y)
    v = wind_kmh / KM_PER_MI
    d = lnY + 2.42
    hc = 44 + 6.1 * lnY - 0.205 * abs(d) * d
    s0 = math.exp(0.7 + lnY / 3 - 3.25 / (4 + (lnY + 5.4) ** 2))
    sh = 0.18 * hc
    h60 = hc / 60
    tc = 1.0573203 * (12 * h60 - 2.5 * h60**2) * (1 - 0.5 * math.exp(-((hc / 25) ** 2)))
    l0 = v * tc
    sx2 = s0**2 * (l0**2 + 8 * s0**2) / (l0**2 + 2 * s0**2)
    sx = math.sqrt(sx2)
    lsq = l0**2 + 2 * sx2
    L = math.sqrt(lsq)
    n = (ff * l0**2 + sx2) / (l0**2 + 0.5 * sx2)
    hw = 0.001 * hc * v / s0
    a1 = 1 / (1 + hw)
    gnorm = 1 / (L * math.gamma(1 + 1 / n))
    b = math.radians(from_deg + 180.0)
    de, dn = math.sin(b), math.cos(b)
    x = (east * de + north * dn) / KM_PER_MI
    y = (-east * dn + north * de) / KM_PER_MI
    g = np.exp(-((np.abs(x) / L) ** n)) * gnorm
    phi = ndtr((l0 / L) * x / (sx * a1))
    fx = Y * 2e6 * phi * g * ff
    xs = x + 2 * sx
    kk = tc * sh * shear
    sy = np.sqrt(s0**2 + 8 * np.abs(xs) * s0**2 / L + 2 * (sx * kk) ** 2 / lsq + (xs * l0 * kk) ** 2 / (lsq * lsq))
    a2 = 1 / (1 + hw * (1 - ndtr(2 * x / v)))
    w = a2 * sy
    r1 = fx * np.exp(-0.5 * (y / w) ** 2) / (math.sqrt(2 * math.pi) * sy)
    den = l0**2 + 0.5 * sx2
    ta = np.sqrt(0.25 + l0**2 * xs * xs * tc * tc / (lsq * den) + 2 * sx2 / den)
    return np.where(t_end > ta, 5 * r1 * (ta**-0.2 - t_end**-0.2), 0.0)

def grid(n=1000, half=20.0, W=100.0, from_deg=270.0):
    c = -half + 2 * half * (np.arange(n) + 0.5) / n
    east, north = np.meshgrid(c, c)
    gkm = np.sqrt(east * east + north * north)
    w13 = W ** (1 / 3)
    op = brode_psi(gkm * 1000 / w13 * 1e-3 * KFT_PER_KM, np.zeros_like(gkm))
    th = thermal(0.7 * W, np.maximum(gkm, 0.05 * KM_PER_MI))
    dose = wseg10_dose(east, north, W, 1.0, 24.0, from_deg, 0.23)
    return op, th, dose

def pairs():
    i = np.arange(10_000, dtype=float)
    phi, s2 = 0.6180339887498949, 0.41421356237309515
    w = 10.0 ** (3.0 * np.modf(i * phi)[0])
    shob = 500.0 * np.modf(i * s2)[0]
    return w, shob * np.cbrt(w)

def invert(w, h, level=5.0, scan=96, smin=1.0, smax=200_000.0, iters=100):
    """Outermost scaled range where Brode overpressure = level: geometric scan + bisection."""
    w13 = np.cbrt(w)
    shob = (h / w13)[:, None]
    s = smin * (smax / smin) ** (np.arange(scan) / (scan - 1))
    f = np.log(brode_psi(s[None, :] * 1e-3 * KFT_PER_KM, shob * 1e-3 * KFT_PER_KM)) - math.log(level)
    ok = f >= 0
    idx = scan - 1 - np.argmax(ok[:, ::-1], axis=1)
    lo = s[idx]
    hi = s[np.minimum(idx + 1, scan - 1)]
    y = h / w13 * 1e-3 * KFT_PER_KM
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        fm = np.log(brode_psi(mid * 1e-3 * KFT_PER_KM, y)) - math.log(level)
        lo = np.where(fm >= 0, mid, lo)
        hi = np.where(fm >= 0, hi, mid)
    r = 0.5 * (lo + hi) * w13 / 1000.0
    return np.where(ok.any(axis=1), r, np.nan)

def timeit(fn, reps):
    ts, out = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts)), out

def maxrel(a, b):
    m = np.isfinite(a) & np.isfinite(b) & (b != 0)
    return float(np.max(np.abs(a[m] - b[m]) / np.abs(b[m]))), int(np.count_nonzero(~m))

def main():
    out, rust_json = sys.argv[1], sys.argv[2]
    rust = json.loads(open(rust_json).read())
    reps = 5
    t_grid, (op, th, dose) = timeit(grid, reps)
    t_obl, (_, _, dose_obl) = timeit(lambda: grid(from_deg=250.0), reps)
    w, h = pairs()
    t_inv, inv = timeit(lambda: invert(w, h), reps)
    load = lambda name: np.fromfile(f"{out}/{name}", dtype="<f8")
    res = {
        "numpy_grid_median_s": t_grid,
        "numpy_grid_oblique_median_s": t_obl,
        "numpy_inversion_median_s": t_inv,
        "rust_threads": rust["threads"],
    }
    # brink's variants, each against the numpy time of the same task.
    for key, np_time in [
        ("grid", t_grid),
        ("grid_per_point", t_grid),
        ("grid_reference", t_grid),
        ("grid_oblique", t_obl),
    ]:
        for suffix in ["", "_1thread"]:
            rt = rust[f"{key}{suffix}_median_s"]
            res[f"rust_{key}{suffix}_median_s"] = rt
            res[f"speedup_{key}{suffix}"] = np_time / rt
    res["rust_inversion_median_s"] = rust["inversion_median_s"]
    res["speedup_inversion"] = t_inv / rust["inversion_median_s"]
    res.update({
        "max_rel_diff_overpressure": maxrel(load("rust_op.bin"), op.ravel())[0],
        "max_rel_diff_thermal": maxrel(load("rust_th.bin"), th.ravel())[0],
        "max_rel_diff_dose": maxrel(load("rust_dose.bin"), dose.ravel())[0],
        "max_rel_diff_dose_oblique": maxrel(load("rust_dose_oblique.bin"), dose_obl.ravel())[0],
        "max_rel_diff_inversion": maxrel(load("rust_inv.bin"), inv)[0],
        "numpy": np.__version__,
    })
    print(json.dumps(res, indent=2))
    bad = [k for k in res if k.startswith("max_rel_diff") and not res[k] <= 1e-9]
    if bad:
        print("MISMATCH above 1e-9:", bad, file=sys.stderr)
        sys.exit(1)

if __name__ == "__main__":
    main()
