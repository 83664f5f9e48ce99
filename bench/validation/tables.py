"""Prints the figures quoted in docs/model/validation.md from the studies run.sh writes."""
import csv
import sys
from pathlib import Path


def weekly(path):
    rows = {}
    with open(path / "weekly.csv", newline="") as f:
        for r in csv.DictReader(f):
            rows[(int(r["week"]), r["side"], r["variable"])] = r
    return rows


def survival(path):
    rows = {}
    with open(path / "survival.csv", newline="") as f:
        for r in csv.DictReader(f):
            rows[(int(r["week"]), r["event"])] = float(r["survival"])
    return rows


def num(r, k):
    return float(r[k])


def main(out):
    out = Path(out)
    w = weekly(out / "pipeline")
    print("The pipeline on 28 October 2022 (RU recruitment off, 10,000 runs)")
    print("| week | reported (mean) | in the pipeline (mean) | arrived: mean [5%, 50%, 95%] |")
    for week in (5, 6):
        g = lambda v: w[(week, "RU", v)]
        reported = num(g("summoned"), "mean") - num(g("evaded"), "mean")
        pipeline = sum(num(g(v), "mean") for v in ("inducted", "in_training", "quartered", "assigned"))
        a = g("arrived_total")
        print(f"| {week} ({a['date']}) | {reported:,.0f} | {pipeline:,.0f} | "
              f"{num(a, 'mean'):,.0f} [{num(a, 'p05'):,.0f}, {num(a, 'p50'):,.0f}, {num(a, 'p95'):,.0f}] |")

    w = weekly(out / "default")
    print("\nDomestic support (RU), mean [5%, 95%]")
    for week in (1, 13):
        r = w[(week, "RU", "support")]
        print(f"  week {week}: {100 * num(r, 'mean'):.1f}% [{100 * num(r, 'p05'):.1f}%, {100 * num(r, 'p95'):.1f}%]")

    s = survival(out / "default")
    print("\nShare of runs with the event by the given week (1 - survival)")
    for event, weeks in (("annexation", (1, 2)), ("withdraw_to_holdable_lines", (7, 12)),
                         ("general_mobilization", (14,)), ("nuclear_use", (14,))):
        shares = []
        for week in weeks:
            surv = s.get((week, event))
            shares.append("n/a" if surv is None else f"{100 * (1 - surv):.1f}% by week {week}")
        print(f"  {event}: " + ", ".join(shares))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/brink-validation")
