"""Mirror-copy detection on the planted set: precision, recall, speed and index memory.

    python benchmarks/mirrors.py [--corpus DIR] [--seed 0] [--lsh compact|datasketch] [--errors] [--scale N]

The planted set (``classifier.evaluation.planted_mirror_set``) is built at run time from the
dev corpus (``../shared/corpus`` beside the checkout by default): copies of its articles in
traditional script, with pinyin glosses, spam headers, footers, another page's navigation or
cut to 60 %; non-copies: its templated reports of different provinces, its same-event
write-ups by different outlets, releases rewritten for another province.

Precision and recall are over links (a record's ``duplicate_of`` pointing at an earlier
record): precision = links into the record's own cluster / links made; recall = records that
have an earlier copy and got a link into their cluster / such records. "exact" is the share
of records whose ``duplicate_of`` is exactly the expected first copy's id. Speed: µs per
article for ``signature`` (on already normalised text, as the workers run it) and for
``MirrorIndex.add`` (the parent's sequential part), CPU time, best of 3 passes. Memory: the index's
own estimate and the Python heap it grew by (tracemalloc), per indexed article.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

from classifier.evaluation import mirror_scores, planted_mirror_set
from classifier.events import MirrorIndex, signature
from classifier.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]
#: The labeled corpus beside the checkout (``--corpus`` elsewhere).
CORPUS = ROOT.parent / "shared" / "corpus"
CORPUS_FILES = ("dev.jsonl", "dev_round2.jsonl")


def load_corpus(folder: Path) -> list[dict]:
    """The labeled articles of ``folder``'s dev files."""
    paths = [folder / name for name in CORPUS_FILES if (folder / name).is_file()]
    if not paths:
        sys.exit(f"dev corpus not found in {folder} (use --corpus DIR)")
    return [json.loads(line) for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=f"folder of {' and '.join(CORPUS_FILES)}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lsh", choices=("compact", "datasketch"), default="compact")
    parser.add_argument("--errors", action="store_true", help="list the wrong assignments")
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        metavar="N",
        help="also index N distinct synthetic articles (dev sentences, characters replaced): memory and speed",
    )
    args = parser.parse_args()

    articles = load_corpus(args.corpus)
    planted = planted_mirror_set(articles, seed=args.seed)
    recs = planted.records
    clean = [normalize(r["text"]) for r in recs]
    kinds = Counter(r["kind"].split(":")[0] for r in recs)
    print(f"planted set (seed {args.seed}): {len(recs)} records: {dict(kinds)}")
    print(
        f"  templated reports of different provinces in dev: {len(planted.templated_pairs)} pairs; "
        f"same-event write-ups by different outlets: {len(planted.same_event_pairs)} pairs"
    )

    sig_times, add_times = [], []
    for _ in range(3):
        t0 = time.process_time()
        sigs = [signature(c) for c in clean]
        t1 = time.process_time()
        index = MirrorIndex(lsh=args.lsh)
        predicted = [index.add(r["id"], s) for r, s in zip(recs, sigs)]
        t2 = time.process_time()
        sig_times.append(t1 - t0)
        add_times.append(t2 - t1)
    s = mirror_scores(planted, predicted)
    print(
        f"links: precision {s.precision:.4f} ({s.correct_links}/{s.links}), "
        f"recall {s.recall:.4f} ({s.found_links}/{s.expected_links}), exact assignment {s.exact:.4f}"
    )
    cluster = planted.cluster
    for name, pairs in (("templated", planted.templated_pairs), ("same-event", planted.same_event_pairs)):
        merged = sum(1 for r, p in zip(recs, predicted) if p and any({r["id"], p} == set(q) for q in pairs))
        print(f"  {name} pairs merged: {merged}")
    rewrites = [(r, p) for r, p in zip(recs, predicted) if r["kind"] == "rewrite"]
    print(f"  province rewrites merged with their source: {sum(bool(p) for _, p in rewrites)}/{len(rewrites)}")
    by_kind: Counter = Counter()
    missed: Counter = Counter()
    for r, p, want in zip(recs, predicted, planted.expected()):
        if want:
            by_kind[r["kind"]] += 1
            missed[r["kind"]] += not (p and cluster.get(p) == cluster[r["id"]])
    worst = sorted(((missed[k] / by_kind[k], k) for k in by_kind if missed[k]), reverse=True)[:6]
    print("  recall misses by kind: " + (", ".join(f"{k} {missed[k]}/{by_kind[k]}" for _, k in worst) or "none"))
    n = len(recs)
    print(
        f"speed: signature {min(sig_times) / n * 1e6:.0f} us/article, add {min(add_times) / n * 1e6:.0f} us/article "
        f"(CPU time, best of 3, {n} articles)"
    )

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = MirrorIndex(lsh=args.lsh)
    for r, sg in zip(recs, sigs):
        index.add(r["id"], sg)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del sigs  # the signatures given to add() are kept by the index for first copies only
    print(
        f"index: {len(index)} articles, nbytes() {index.nbytes() / len(index):.0f} B/article, "
        f"heap grown {grown / len(index):.0f} B/article (MinHashes are kept in blocks of 1,024 rows allocated ahead: "
        f"see --scale for large indexes)"
    )
    if args.scale:
        scale(args.scale, args.lsh, args.seed, articles)
    if args.errors:
        for r, p, want in zip(recs, predicted, planted.expected()):
            if p != want and not (p and want and cluster.get(p) == cluster[r["id"]]):
                print(f"  {r['id']} [{r['kind']}] predicted {p!r} expected {want!r}")


def scale(n: int, lsh: str, seed: int, articles: list[dict]) -> None:
    """Index ``n`` distinct articles made of random dev sentences: the index's worst case
    (every article is a first copy). Timed without tracemalloc, then rebuilt under it."""
    import random
    import re

    import numpy as np

    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    sentences = [s for a in articles for s in re.findall(r"[^。\n]{8,}。", normalize(a["text"]))]
    chars = np.array(sorted({ord(c) for t in sentences for c in t if "\u4e00" <= c <= "\u9fff"}), dtype=np.uint32)

    def article() -> str:
        # 8 random dev sentences with a quarter of their characters replaced: distinct articles
        # in the corpus's style (about 0.24 of their 5-grams survive), never copies of each other
        codes = np.frombuffer("".join(rng.sample(sentences, 8)).encode("utf-32-le"), dtype=np.uint32).copy()
        swap = nprng.random(len(codes)) < 0.25
        codes[swap] = nprng.choice(chars, int(swap.sum()))
        return codes.tobytes().decode("utf-32-le")

    texts = [article() for _ in range(n)]
    t0 = time.process_time()
    sigs = [signature(t) for t in texts]
    t1 = time.process_time()
    index = MirrorIndex(lsh=lsh)
    links = sum(bool(index.add(f"synthetic-{i:07d}", sg)) for i, sg in enumerate(sigs))
    t2 = time.process_time()
    # the last 1,000 articles queried again: candidates besides the article itself
    candidates = sum(len(index.candidates(sg)) - 1 for sg in sigs[-1000:]) / min(n, 1000)
    print(
        f"scale: {n} synthetic articles (8 of {len(sentences)} dev sentences, a quarter of the characters replaced): "
        f"{len(index)} indexed, {links} linked; signature {(t1 - t0) / n * 1e6:.0f} us, "
        f"add {(t2 - t1) / n * 1e6:.0f} us per article; {candidates:.2f} other LSH candidates per query at the end"
    )
    del index
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = MirrorIndex(lsh=lsh)
    for i, sg in enumerate(sigs):
        index.add(f"synthetic-{i:07d}", sg)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    print(
        f"  index memory: heap grown {grown / len(index):.0f} B per indexed article "
        f"({grown / 2**20:.1f} MiB), nbytes() {index.nbytes() / len(index):.0f} B"
    )


if __name__ == "__main__":
    main()
