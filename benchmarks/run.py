"""Benchmarks of batch prediction; prints figures (nothing here is a test).

On the dev corpus replicated to --n articles (a temporary JSONL, never in the repo):

* throughput (articles/s) of ``run_batch`` JSONL → JSONL (mirror copies marked, as ``classifier
  predict`` does) with jobs=1 and jobs=2, against
  jieba segmentation alone (jieba's ``Tokenizer.lcut(text, HMM=False)`` with our dictionary,
  the cut our segmenter reproduces) on the same texts in the same run, one core; targets:
  ratio ≥ 0.8, jobs 2 / jobs 1 ≥ 1.6.  Also printed: our segmenter alone
  (``classifier.segment.cut``, same pieces as jieba's) and the ratio against it, i.e. what
  everything but segmenting costs.  Jieba and ours are measured side by side in --rounds
  interleaved rounds and the medians reported, so that the drift of a shared machine's
  speed does not fall on one side of a ratio;
* cold start: ``classifier predict seeds/000_*.txt`` as a whole process, median of --runs
  (target ≤ 1.5 s; when over, the slowest imports from ``python -X importtime``);
* training time on the full dev corpus (one fit, no cross-validation);
* peak memory (RSS of the process and all its children) of a streaming run over --memory-n
  articles with all cores (target ≤ 500 MB);
* the same figures for the textbook baseline (TF-IDF over jieba tokens + LinearSVC).

Usage (from the repo root)::

    python benchmarks/run.py                     # everything; the 200 000-article run is long
    python benchmarks/run.py --quick             # memory run on 20 000 articles
    python benchmarks/run.py --parts throughput,coldstart --no-baseline
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "dev.jsonl"
SEED = sorted((ROOT / "seeds").glob("000_*.txt"))
PARTS = ("throughput", "coldstart", "train", "memory")
TARGETS = {"ratio": 0.8, "speedup": 1.6, "cold": 1.5, "memory_mb": 500}


def log(msg: str) -> None:
    print(msg, flush=True)


def read_corpus() -> list[dict]:
    if not CORPUS.is_file():
        sys.exit(f"dev corpus not found at {CORPUS}")
    with open(CORPUS, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def replicate(corpus: list[dict], n: int, path: Path) -> Path:
    """Write the corpus texts cycled to ``n`` records with unique ids."""
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            rec = corpus[i % len(corpus)]
            f.write(json.dumps({"id": f"{rec['id']}#{i}", "text": rec["text"]}, ensure_ascii=False) + "\n")
    return path


def cores() -> str:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return f"{os.cpu_count()} cores ({usable} usable by this process)"


# ----------------------------------------------------------------------------- models


def fitted_baseline(corpus: list[dict]):
    from classifier.topic import textbook_baseline

    start = time.perf_counter()
    pipe = textbook_baseline().fit([r["text"] for r in corpus], [r["topic"] for r in corpus])
    return pipe, time.perf_counter() - start


def model_path(args, tmp: Path, corpus: list[dict]) -> Path:
    """--model, else the shipped model, else one trained here on the dev corpus."""
    if args.model:
        return Path(args.model)
    from classifier.model import default_model_path

    path = default_model_path()
    if path.is_file():
        return path
    log("  (no shipped model yet: training one on the dev corpus for the benchmark)")
    from classifier.model import ArticleClassifier, save

    model = ArticleClassifier().fit([r["text"] for r in corpus], corpus)
    return save(model, tmp / "model.joblib")


# ----------------------------------------------------------------------------- parts


def load() -> str:
    """The machine's load average: other processes share the cores and skew wall times."""
    try:
        return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def bench_segmenter(cut, texts: list[str]) -> tuple[float, float]:
    """Articles per wall second and per CPU second of ``cut`` alone over ``texts``."""
    start, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        cut(text)
    return len(texts) / (time.perf_counter() - start), len(texts) / (time.process_time() - cpu)


def bench_jieba(texts: list[str]) -> tuple[float, float, float, float]:
    """Articles per wall and CPU second of jieba's own cut, then of ``segment.cut``.

    jieba's cut uses the private tokenizer (our dictionary) without HMM: the pieces
    ``segment.cut`` returns, and the fastest jieba call giving them.
    """
    from classifier import segment

    tok = segment.get_tokenizer()
    segment.dictionary()  # both loaded before timing
    return (*bench_segmenter(lambda t: tok.lcut(t, HMM=False), texts), *bench_segmenter(segment.cut, texts))


def check_same_pieces(texts: list[str]) -> None:
    """Warn if ``segment.cut`` and jieba's cut (the floor) cut a sample of ``texts`` differently."""
    from classifier import segment

    tok = segment.get_tokenizer()
    sample = texts[:500]
    if [segment.cut(t) for t in sample] != [tok.lcut(t, HMM=False) for t in sample]:
        log("  warning: segment.cut and jieba cut the texts differently")


class TreeCPU:
    """CPU seconds (user + system) used by this process and its descendants while active.

    Pool workers are not our direct children (they hang off the forkserver), so their
    times are sampled by a thread, keeping the last value seen for each process.
    """

    def __init__(self, interval: float = 0.2):
        import threading

        import psutil

        self.interval, self.me, self.seen = interval, psutil.Process(), {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        import psutil

        for p in self.me.children(recursive=True):
            try:
                t = p.cpu_times()
                self.seen[p.pid] = t.user + t.system
            except psutil.Error:
                pass

    def _run(self) -> None:
        while not self.done.wait(self.interval):
            self._sample()

    def __enter__(self) -> TreeCPU:
        t = self.me.cpu_times()
        self.start = t.user + t.system
        self.before = dict(self.seen)
        self._sample()
        self.before = dict(self.seen)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()
        t = self.me.cpu_times()
        children = sum(v - self.before.get(pid, 0.0) for pid, v in self.seen.items())
        self.seconds = t.user + t.system - self.start + children


def bench_predict(src: Path, out: Path, model, jobs: int) -> tuple[float, float]:
    """Articles per wall second, and per CPU second of all the processes of the run."""
    from classifier import batch
    from classifier.batch import _chunks

    _chunks._LOADED.clear()  # model loading counts, as it would in a real run
    given = {"predictor": model} if hasattr(model, "predict") else {"model_path": model}
    if "model_path" in given:  # ours, as `classifier predict` runs it: mirror copies marked
        from classifier.events import MirrorDetector

        given["mirrors"] = MirrorDetector()
    with TreeCPU() as cpu:
        summary = batch.run_batch([src], out=out, jobs=jobs, quiet=True, **given)
    if summary.errors:
        log(f"  warning: {summary.errors} records ended in an error")
    out.unlink()
    return summary.records / summary.seconds, summary.records / cpu.seconds


def add_ratios(r: dict, floor: dict) -> None:
    """Add to ``r`` (jobs=1 and jobs=2 rates) its ratios to the segmenters' rates in ``floor``."""
    r["ratio_to_jieba"] = r["jobs1_per_s"] / floor["jieba_per_s"]
    r["cpu_ratio_to_jieba"] = r["jobs1_per_cpu_s"] / floor["jieba_per_cpu_s"]
    r["ratio_to_segmenter"] = r["jobs1_per_s"] / floor["segment_per_s"]
    r["speedup_jobs2"] = r["jobs2_per_s"] / r["jobs1_per_s"]
    # what 2 idle cores would give if the CPU work spreads evenly over them
    r["cpu_speedup_jobs2"] = 2 * r["jobs2_per_cpu_s"] / r["jobs1_per_cpu_s"]


def throughput_rounds(results: dict, src: Path, texts: list[str], model, rounds: int, tmp: Path) -> None:
    """Our throughputs and jieba's, measured in interleaved rounds; medians into ``results``.

    The cores of a shared machine speed up and slow down by a fifth from one minute to the
    next; measuring jieba and us side by side in each round and taking the median of the
    per-round ratios keeps that drift out of the ratios.
    """
    check_same_pieces(texts)
    per_round: list[dict] = []
    for r in range(1, rounds + 1):
        row: dict = {}
        row["jieba_per_s"], row["jieba_per_cpu_s"], row["segment_per_s"], row["segment_per_cpu_s"] = bench_jieba(texts)
        for jobs in (1, 2):
            row[f"jobs{jobs}_per_s"], row[f"jobs{jobs}_per_cpu_s"] = bench_predict(src, tmp / "out.jsonl", model, jobs)
        add_ratios(row, row)
        per_round.append(row)
        log(
            f"round {r}: jieba alone {row['jieba_per_s']:,.0f}/s, our segmenter alone {row['segment_per_s']:,.0f}/s, "
            f"ours jobs=1 {row['jobs1_per_s']:,.0f}/s ({row['jobs1_per_cpu_s']:,.0f} per CPU s), "
            f"jobs=2 {row['jobs2_per_s']:,.0f}/s; jobs=1 / jieba {row['ratio_to_jieba']:.2f}, "
            f"jobs=2 / jobs=1 {row['speedup_jobs2']:.2f}; {load()}"
        )
    ours = results["ours"]
    for key in per_round[0]:
        value = statistics.median(row[key] for row in per_round)
        (results if key.startswith(("jieba", "segment")) else ours)[key] = value
    results["throughput_rounds"] = per_round
    log(
        f"jieba segmentation alone (lcut, HMM off, our dictionary), 1 core, median: "
        f"{results['jieba_per_s']:,.0f} articles/s; our segmenter alone (segment.cut, same pieces): "
        f"{results['segment_per_s']:,.0f} articles/s"
    )
    log(
        "per-round ratios: "
        + ", ".join(f"{row['ratio_to_jieba']:.2f}" for row in per_round)
        + f" (median {ours['ratio_to_jieba']:.2f})"
    )


def classifier_command() -> list[str]:
    exe = Path(sys.executable).with_name("classifier")
    return [str(exe)] if exe.is_file() else [sys.executable, "-m", "classifier"]


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_runs(cmd: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall seconds and CPU seconds (user + system) of ``runs`` runs of ``cmd``."""
    subprocess.run(cmd, capture_output=True, check=False)  # fill OS and jieba caches once
    times, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), _children_cpu()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - cpu)
        if done.returncode not in (0, 1):
            log(f"  command failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
            break
    return times, cpus


_STAGES = r"""
import sys, time
t0 = time.perf_counter()
import classifier.cli
t1 = time.perf_counter()
from classifier.model import load
m = load(sys.argv[2] if len(sys.argv) > 2 else None)
t2 = time.perf_counter()
from classifier.io import iter_records
recs = list(iter_records([sys.argv[1]]))
m.predict([r["text"] for r in recs if "text" in r])
t3 = time.perf_counter()
print(f"import cli {t1 - t0:.2f} s, load model {t2 - t1:.2f} s, read + first predict (jieba) {t3 - t2:.2f} s")
"""


def importtime_culprits(cmd_args: list[str], top: int = 12) -> list[str]:
    """The costliest packages imported by the predict command (python -X importtime).

    For each top-level package, its largest cumulative import time, wherever it was first
    imported from (sklearn pulls in scipy.stats and pandas, for example).
    """
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "classifier", *cmd_args], capture_output=True, text=True, check=False
    )
    best: dict[str, int] = {}
    for line in done.stderr.splitlines():
        parts = line[len("import time:") :].split("|")
        if not line.startswith("import time:") or len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2].strip()
        root = name.split(".")[0]
        if root == "classifier":
            root = name  # our own modules one by one
        best[root] = max(best.get(root, 0), int(parts[1]))
    rows = sorted(best.items(), key=lambda kv: -kv[1])[:top]
    return [f"{cum / 1e6:6.2f} s  {name}" for name, cum in rows]


def bench_coldstart(model: Path, runs: int, shipped: bool) -> tuple[float, float, list[str]]:
    """Median wall and CPU seconds of the predict command on one seed, and notes."""
    args = ["predict", str(SEED[0]), "--format", "jsonl"] + ([] if shipped else ["--model", str(model)])
    times, cpus = timed_runs(classifier_command() + args, runs)
    median = statistics.median(times)
    notes = [
        f"runs: {', '.join(f'{t:.2f}' for t in times)} s wall; "
        f"{', '.join(f'{t:.2f}' for t in cpus)} s CPU (user + system)"
    ]
    stages = subprocess.run(
        [sys.executable, "-c", _STAGES, str(SEED[0])] + ([] if shipped else [str(model)]),
        capture_output=True,
        text=True,
        check=False,
    )
    notes.append("stages: " + (stages.stdout.strip() or stages.stderr.strip()[-300:]))
    if median > TARGETS["cold"]:
        notes.append("slowest imports (cumulative, python -X importtime -m classifier " + " ".join(args) + "):")
        notes.extend("  " + line for line in importtime_culprits(args))
    return median, statistics.median(cpus), notes


_BASELINE_COLD = r"""
import sys, joblib
pipe = joblib.load(sys.argv[1])
print(pipe.predict([open(sys.argv[2], encoding="utf-8").read()])[0])
"""


def bench_baseline_coldstart(pipe_path: Path, runs: int) -> tuple[float, float]:
    times, cpus = timed_runs([sys.executable, "-c", _BASELINE_COLD, str(pipe_path), str(SEED[0])], runs)
    return statistics.median(times), statistics.median(cpus)


_MEMORY_RUN = r"""
import sys
from classifier.batch import run_batch
model = sys.argv[3]
if model.endswith(".baseline"):
    import joblib
    from classifier.topic import TextbookPredictor
    summary = run_batch([sys.argv[1]], out=sys.argv[2], predictor=TextbookPredictor(joblib.load(model)), quiet=True)
else:
    from classifier.events import MirrorDetector
    summary = run_batch([sys.argv[1]], out=sys.argv[2], model_path=model, quiet=True, mirrors=MirrorDetector())
print(summary)
"""


def bench_memory(src: Path, out: Path, model: str) -> tuple[float, float, float, str]:
    """Peak summed RSS and PSS (MB) of the run and all its children, seconds, summary line.

    RSS counts the pages shared between processes (libraries) once per process; PSS splits
    them among the sharers, so the PSS sum is what the run really occupies.
    """
    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _MEMORY_RUN, str(src), str(out), model], stdout=subprocess.PIPE, text=True
    )
    root = psutil.Process(proc.pid)
    peak_rss = peak_pss = 0
    while proc.poll() is None:
        rss = pss = 0
        try:
            for p in [root, *root.children(recursive=True)]:
                try:
                    info = p.memory_full_info()
                    rss, pss = rss + info.rss, pss + getattr(info, "pss", info.rss)
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.25)
    seconds = time.perf_counter() - start
    line = proc.stdout.read().strip()
    out.unlink(missing_ok=True)
    return peak_rss / 2**20, peak_pss / 2**20, seconds, line


# ----------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}")
    ap.add_argument("--n", type=int, default=20_000, help="articles for the throughput runs (default 20000)")
    ap.add_argument("--memory-n", type=int, default=200_000, help="articles of the streaming memory run")
    ap.add_argument("--quick", action="store_true", help="memory run on 20 000 articles instead of 200 000")
    ap.add_argument("--runs", type=int, default=5, help="cold-start runs (median)")
    ap.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="interleaved throughput rounds, jieba and ours side by side (median; default 3)",
    )
    ap.add_argument("--model", help="model file (default: the shipped model)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the textbook baseline figures")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    args = ap.parse_args()
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        ap.error(f"unknown parts: {', '.join(sorted(unknown))}")
    if args.quick:
        args.memory_n = min(args.memory_n, 20_000)
    baseline = not args.no_baseline

    import classifier

    log(
        f"machine: {cores()}, {platform.machine()}, Python {platform.python_version()}, "
        f"classifier {classifier.__version__}"
    )
    corpus = read_corpus()
    results: dict[str, dict] = {"ours": {}, "baseline": {}}
    ours, base = results["ours"], results["baseline"]
    with tempfile.TemporaryDirectory(prefix="classifier-bench-") as tmpdir:
        tmp = Path(tmpdir)
        model = model_path(args, tmp, corpus)
        shipped = not args.model and model.parent.name == "data"
        log(f"model: {model}")
        pipe = None
        if baseline:
            pipe, base["train_s"] = fitted_baseline(corpus)
            import joblib

            pipe_path = tmp / "pipe.baseline"
            joblib.dump(pipe, pipe_path)

        if "throughput" in parts:
            src = replicate(corpus, args.n, tmp / "throughput.jsonl")
            texts = [corpus[i % len(corpus)]["text"] for i in range(args.n)]
            log(f"\n== throughput on {args.n:,} articles (dev corpus replicated), {args.rounds} rounds, {load()} ==")
            throughput_rounds(results, src, texts, model, args.rounds, tmp)
            if baseline:
                import jieba

                from classifier.topic import TextbookPredictor

                jieba.initialize()
                for jobs in (1, 2):
                    base[f"jobs{jobs}_per_s"], base[f"jobs{jobs}_per_cpu_s"] = bench_predict(
                        src, tmp / "out.jsonl", TextbookPredictor(pipe), jobs
                    )
                    log(
                        f"baseline, jobs={jobs}: {base[f'jobs{jobs}_per_s']:,.0f} articles/s "
                        f"({base[f'jobs{jobs}_per_cpu_s']:,.0f} per CPU second, all processes) {load()}"
                    )
                add_ratios(base, results)
            src.unlink()

        if "coldstart" in parts:
            log(f"\n== cold start: classifier predict {SEED[0].relative_to(ROOT)} (median of {args.runs}), {load()} ==")
            ours["cold_s"], ours["cold_cpu_s"], notes = bench_coldstart(model, args.runs, shipped)
            log(f"ours: {ours['cold_s']:.2f} s wall, {ours['cold_cpu_s']:.2f} s CPU")
            for note in notes:
                log("  " + note)
            if baseline:
                base["cold_s"], base["cold_cpu_s"] = bench_baseline_coldstart(pipe_path, args.runs)
                log(
                    f"baseline (python -c: joblib.load + predict): {base['cold_s']:.2f} s wall, "
                    f"{base['cold_cpu_s']:.2f} s CPU"
                )

        if "train" in parts:
            log("\n== training on the full dev corpus (one fit, no cross-validation) ==")
            from classifier.model import ArticleClassifier

            start = time.perf_counter()
            ArticleClassifier().fit([r["text"] for r in corpus], corpus)
            ours["train_s"] = time.perf_counter() - start
            log(f"ours: {ours['train_s']:.1f} s ({len(corpus)} articles)")
            if baseline:
                log(f"baseline: {base['train_s']:.1f} s")

        if "memory" in parts:
            log(f"\n== peak memory of a streaming run over {args.memory_n:,} articles, all cores, {load()} ==")
            src = replicate(corpus, args.memory_n, tmp / "memory.jsonl")
            log(f"input: {src.stat().st_size / 2**20:,.0f} MB of JSONL")
            runs = [("ours", ours, str(model))] + ([("baseline", base, str(pipe_path))] if baseline else [])
            for name, r, spec in runs:
                rss, pss, seconds, line = bench_memory(src, tmp / "memory-out.jsonl", spec)
                r["peak_rss_mb"], r["peak_pss_mb"], r["memory_run_s"] = rss, pss, seconds
                log(
                    f"{name}: peak RSS {rss:,.0f} MB, PSS {pss:,.0f} MB (process + children), "
                    f"{seconds:,.0f} s wall; {line}"
                )
            src.unlink()

    summary(results, args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


def summary(results: dict, args) -> None:
    ours, base = results["ours"], results["baseline"]

    def fmt(r: dict, key: str, spec: str) -> str:
        return format(r[key], spec) if key in r else "-"

    rows = [
        ("predict jobs=1 (articles/s)", "jobs1_per_s", ",.0f", ""),
        ("predict jobs=2 (articles/s)", "jobs2_per_s", ",.0f", ""),
        ("jobs=1 / jieba alone", "ratio_to_jieba", ".2f", f">= {TARGETS['ratio']}"),
        ("same, per CPU second", "cpu_ratio_to_jieba", ".2f", f">= {TARGETS['ratio']}"),
        ("jobs=1 / our segmenter alone", "ratio_to_segmenter", ".2f", ""),
        ("jobs=2 / jobs=1", "speedup_jobs2", ".2f", f">= {TARGETS['speedup']}"),
        ("same, from CPU seconds (idle cores)", "cpu_speedup_jobs2", ".2f", f">= {TARGETS['speedup']}"),
        ("cold start, median (s)", "cold_s", ".2f", f"<= {TARGETS['cold']}"),
        ("cold start, median CPU (s)", "cold_cpu_s", ".2f", ""),
        ("training on dev (s)", "train_s", ".1f", ""),
        (f"peak RSS, {args.memory_n:,} articles (MB)", "peak_rss_mb", ",.0f", f"<= {TARGETS['memory_mb']}"),
        (f"peak PSS, {args.memory_n:,} articles (MB)", "peak_pss_mb", ",.0f", ""),
    ]
    log(f"\n== summary ({cores()}; {load()}) ==")
    if "jieba_per_s" in results:
        log(
            f"jieba segmentation alone, 1 core: {results['jieba_per_s']:,.0f} articles/s; "
            f"our segmenter alone: {results['segment_per_s']:,.0f} articles/s"
        )
    log(f"{'figure':<36}{'ours':>12}{'baseline':>12}   target")
    for label, key, spec, target in rows:
        log(f"{label:<36}{fmt(ours, key, spec):>12}{fmt(base, key, spec):>12}   {target}")


if __name__ == "__main__":
    main()
