"""Fault injection: kill `classifier predict` runs at random points, resume them, count the damage.

Each trial runs `classifier predict INPUT --out OUT` (JSONL, CSV or Parquet; --jobs 1 or 2) and:

1. kills it at a random moment once it has written to its journal (SIGKILL or SIGTERM);
2. resumes it with `--resume` and a fault-injection point (``CLASSIFIER_FAULT``) at which the
   process SIGKILLs itself: inside the final write, between the final rename and the journal
   clean-up, or after the clean-up; some trials first finish a run on half of the input, so
   that the final write (previous output + journal) happens in JSONL too;
3. resumes it again to completion.

Then it compares the output with a clean reference run: records lost (ids missing), duplicated
(ids written twice), changed (labels that differ from the reference), and counts the worker
processes still alive 20 s after their parent was killed (orphans). Leftover journals, ``.done``
and temp files are counted too.

Usage: python benchmarks/chaos.py [--trials 18] [--records 2500] [--seed 0]
(about 4 minutes on 2 cores; uses ../shared/corpus/dev.jsonl when present, else invented text).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.io import read_output  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "dev.jsonl"
FIELDS = ("topic", "region", "city", "county", "title", "date", "duplicate_of")
FAULTS = ("in-final-write", "after-rename", "after-journal-cleanup")


def make_input(folder: Path, n: int) -> tuple[Path, Path]:
    """The full input and its first half (same ids), as JSONL."""
    if CORPUS.is_file():
        texts = [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        texts = [f"第{i}次全省义务教育优质均衡发展督导评估反馈会在丹阳市召开。" for i in range(50)]
    recs = [{"id": f"a{i:05d}", "text": texts[i % len(texts)] + f"（{i}）"} for i in range(n)]
    full, half = folder / "in.jsonl", folder / "half.jsonl"
    full.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    half.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs[: n // 2]), encoding="utf-8")
    return full, half


def command(src: Path, out: Path, jobs: int, resume: bool) -> list[str]:
    cmd = [sys.executable, "-m", "classifier", "predict", str(src), "--out", str(out), "--jobs", str(jobs), "-q"]
    return cmd + (["--resume"] if resume else [])


def run(cmd: list[str], fault: str | None = None) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if fault:
        env["CLASSIFIER_FAULT"] = fault
    return subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False).returncode


def run_and_kill(cmd: list[str], out: Path, sig: int, rng: random.Random) -> tuple[int, bool, int]:
    """(exit code, killed before finishing?, orphan processes) of a run killed at a random moment."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = out.with_name(out.name + ".partial")
    while proc.poll() is None and not (journal.exists() and journal.stat().st_size > 0):
        time.sleep(0.02)
    time.sleep(rng.uniform(0.0, 0.8))
    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    killed = proc.poll() is None
    if killed:
        proc.send_signal(sig)
    code = proc.wait()
    _, alive = psutil.wait_procs(family, timeout=20)
    for p in alive:
        p.kill()
    return code, killed, len(alive)


def check(out: Path, ids: list[str], reference: dict[str, dict]) -> tuple[int, int, int]:
    """(lost, duplicated, changed) records of ``out`` against the input ids and the reference."""
    recs = list(read_output(out))
    seen = Counter(str(r["id"]) for r in recs)
    lost = sum(1 for i in ids if seen[i] == 0)
    duplicated = sum(c - 1 for c in seen.values() if c > 1)
    changed = 0
    for r in recs:
        ref = reference.get(str(r["id"]))
        got = tuple(str(r.get(f) or "") for f in FIELDS)
        want = tuple(str(ref.get(f) or "") for f in FIELDS) if ref else None
        proba = {k: round(float(v), 4) for k, v in (r.get("topic_proba") or {}).items()}
        ref_proba = {k: round(float(v), 4) for k, v in ((ref or {}).get("topic_proba") or {}).items()}
        if got != want or proba != ref_proba:
            changed += 1
    return lost, duplicated, changed


def leftovers(folder: Path) -> int:
    return sum(1 for p in folder.iterdir() if p.name.endswith((".partial", ".done", ".tmp")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=18)
    parser.add_argument("--records", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="chaos-") as tmp:
        folder = Path(tmp)
        full, half = make_input(folder, args.records)
        ids = [json.loads(line)["id"] for line in full.read_text(encoding="utf-8").splitlines()]
        ref_out = folder / "reference.jsonl"
        assert run(command(full, ref_out, 1, False)) == 0, "the reference run failed"
        reference = {str(r["id"]): r for r in read_output(ref_out)}
        totals = Counter()
        kills = Counter()
        start = time.perf_counter()
        for trial in range(args.trials):
            fmt = ("jsonl", "csv", "parquet")[trial % 3]
            jobs = 1 + (trial // 3) % 2
            sig = (signal.SIGKILL, signal.SIGTERM)[(trial // 6) % 2]
            fault = FAULTS[trial % len(FAULTS)] if trial % 4 != 3 else FAULTS[rng.randrange(len(FAULTS))]
            # finish the first half first: the final write then merges (previous output + journal) in JSONL too
            grow = trial % 2 == 1 or fmt == "jsonl"
            work = folder / f"t{trial:02d}"
            work.mkdir()
            out = work / f"out.{fmt}"
            if grow:
                assert run(command(half, out, jobs, False)) == 0
            code, killed, orphans = run_and_kill(command(full, out, jobs, grow), out, sig, rng)
            totals["orphans"] += orphans
            if killed:
                kills[f"{signal.Signals(sig).name} --jobs {jobs} {fmt}"] += 1
                if sig == signal.SIGTERM and code != 143:
                    totals["bad_sigterm_exit"] += 1
            fault_code = run(command(full, out, jobs, True), fault=fault)
            if fault_code == -signal.SIGKILL:
                kills[f"fault {fault} --jobs {jobs} {fmt}"] += 1
            final = run(command(full, out, jobs, True))
            if final != 0:
                totals["failed_resumes"] += 1
            lost, duplicated, changed = check(out, ids, reference)
            totals["lost"] += lost
            totals["duplicated"] += duplicated
            totals["changed"] += changed
            totals["leftover_files"] += leftovers(work)
            print(
                f"trial {trial:2d}: {fmt:7s} --jobs {jobs} {signal.Signals(sig).name:7s} "
                f"{'killed' if killed else 'finished first'} (exit {code}), fault {fault} (exit {fault_code}): "
                f"lost {lost}, duplicated {duplicated}, changed {changed}, orphans {orphans}",
                flush=True,
            )
        n_kills = sum(kills.values())
        seconds = time.perf_counter() - start
        print(f"\n{args.trials} trials over {args.records:,} records in {seconds:.0f} s; kills: {n_kills}")
        for what, n in sorted(kills.items()):
            print(f"  {n:2d} × {what}")
        print(
            f"records lost {totals['lost']}, duplicated {totals['duplicated']}, changed {totals['changed']}, "
            f"orphan processes {totals['orphans']}"
        )
        print(
            f"leftover journal/.done/temp files {totals['leftover_files']}, resumes that failed "
            f"{totals['failed_resumes']}, SIGTERM runs not exiting 143 {totals['bad_sigterm_exit']}"
        )


if __name__ == "__main__":
    main()
