#!/usr/bin/env python3
"""Reads a study's Parquet tables with pyarrow/pandas and with DuckDB and compares them with
its CSV tables: same column names, same values (NaN/NULL for empty cells), expected types.

Not a runtime dependency of brink. Use a throwaway venv:
    python3 -m venv /tmp/pqvenv && /tmp/pqvenv/bin/pip install pyarrow duckdb pandas
    brink run --runs 2000 --format both --out /tmp/study
    /tmp/pqvenv/bin/python bench/report/check_parquet.py /tmp/study
"""
import sys

import duckdb
import pandas as pd
import pyarrow.parquet as pq

EXPECTED_TYPES = {
    "runs": {"run": "int64", "seed": "uint64", "outcome": "string", "outcome_week": "int32",
             "highest_kahn_rung": "int32", "nuclear_killed": "double"},
    "weekly": {"week": "int32", "date": "date32[day]", "side": "string", "variable": "string",
               "mean": "double", "p95": "double"},
    "events": {"run": "int64", "week": "int32", "actor": "string", "event": "string",
               "rung": "string", "kahn_rung": "int32", "threshold": "string",
               "killed": "double", "injured": "double"},
}


def main(d):
    failures = 0
    for table in ["runs", "weekly", "events"]:
        pqf, csvf = f"{d}/{table}.parquet", f"{d}/{table}.csv"
        at = pq.read_table(pqf)
        types = {f.name: str(f.type) for f in at.schema}
        for col, ty in EXPECTED_TYPES[table].items():
            if types.get(col) != ty:
                print(f"FAIL {table}: column {col} has type {types.get(col)}, expected {ty}")
                failures += 1
        p = at.to_pandas()
        c = pd.read_csv(csvf, keep_default_na=False, na_values=[""], dtype=str)
        if list(p.columns) != list(c.columns):
            print(f"FAIL {table}: columns differ")
            failures += 1
            continue
        if len(p) != len(c):
            print(f"FAIL {table}: {len(p)} parquet rows vs {len(c)} csv rows")
            failures += 1
            continue
        bad_cols = []
        for col in p.columns:
            pc, cc = p[col], c[col]
            if pd.api.types.is_numeric_dtype(pc):
                cv = pd.to_numeric(cc).astype("float64")
                pv = pc.astype("float64")
                if pc.dtype == "uint64":
                    same = (pc.astype(str) == cc).all()
                else:
                    same = ((pv == cv) | (pv.isna() & cv.isna())).all()
            else:
                pv = pc.astype(str).where(pc.notna(), "<NULL>")
                cv = cc.where(cc.notna(), "<NULL>")
                same = (pv.values == cv.values).all()
            if not same:
                bad_cols.append(col)
        if bad_cols:
            print(f"FAIL {table}: values differ in {bad_cols[:5]}")
            failures += 1
        # DuckDB reads the same file: same row count, same sums.
        con = duckdb.connect()
        n, = con.execute(f"SELECT count(*) FROM read_parquet('{pqf}')").fetchone()
        num = [f.name for f in at.schema if str(f.type) in ("double", "int32", "int64")]
        col = num[-1]
        s_duck, = con.execute(f'SELECT sum("{col}") FROM read_parquet(\'{pqf}\')').fetchone()
        s_csv = pd.to_numeric(c[col]).sum()
        dtypes = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{pqf}')").fetchall()
        duck_types = {r[0]: r[1] for r in dtypes}
        ok = n == len(c) and (s_duck is None or abs(s_duck - s_csv) <= 1e-9 * max(1.0, abs(s_csv)))
        if not ok:
            print(f"FAIL {table}: duckdb count {n} sum({col}) {s_duck} vs csv {len(c)} {s_csv}")
            failures += 1
        print(f"{table}: {len(p)} rows x {len(p.columns)} columns, pandas == csv"
              f"{'' if not bad_cols else ' (DIFF)'}; duckdb rows {n}, sum({col}) matches; "
              f"duckdb types e.g. {dict(list(duck_types.items())[:4])}")
    print("OK" if failures == 0 else f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
