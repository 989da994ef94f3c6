"""Benchmark of `classifier report`: time to build the report from a synthetic prediction file.

Generates --n synthetic prediction records (``classifier.report.synthetic_predictions``: real division
names, ~20 % mirror copies, ~1 % error records) into a temporary JSONL file, then times
``build_report`` on one core (it is single-process) and prints the seconds, the rate, the
peak memory of the process and the size of each output file. Target: 200 000 records in
under a minute.

Usage (from the repo root)::

    python benchmarks/report.py               # 200 000 records
    python benchmarks/report.py --n 20000 --keep out/
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from classifier.report import build_report, write_synthetic_predictions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200_000, help="synthetic prediction records")
    parser.add_argument("--keep", type=Path, help="write the report here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "predictions.jsonl"
        t0 = time.perf_counter()
        write_synthetic_predictions(src, args.n, seed=1)
        print(
            f"generated {args.n:,} records ({src.stat().st_size / 2**20:.1f} MiB) in {time.perf_counter() - t0:.1f} s"
        )
        out = args.keep or Path(tmp) / "report"
        t0, c0 = time.perf_counter(), time.process_time()
        summary = build_report(src, out)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(summary)
        print(
            f"build_report: {seconds:.1f} s for {args.n:,} records ({args.n / seconds:,.0f} records/s; "
            f"target < 60 s for 200,000); {cpu:.1f} CPU s; load average {os.getloadavg()[0]:.1f}"
        )
        print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
        for f in summary.files:
            print(f"  {f.name}: {f.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
