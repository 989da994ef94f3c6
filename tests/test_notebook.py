"""notebooks/evaluation.ipynb runs top to bottom without an error and prints no article text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "notebooks" / "evaluation.ipynb"
CORPUS = REPO.parent / "shared" / "corpus" / "dev.jsonl"


def _execute(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return nb


def _outputs_text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            for kind, value in out.get("data", {}).items():
                if kind.startswith("text/"):
                    parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


def _assert_no_corpus_text(text: str) -> None:
    if not CORPUS.is_file():
        return
    # Every labeled file beside dev.jsonl (dev_round2.jsonl too).
    lines = [
        line for path in sorted(CORPUS.parent.glob("*.jsonl")) for line in path.read_text(encoding="utf-8").splitlines()
    ]
    for line in lines:
        article = json.loads(line)["text"]
        for start in range(0, max(len(article) - 20, 0), 25):
            snippet = article[start : start + 20]
            assert snippet not in text, f"corpus text in notebook output: {snippet!r}"


def _copy_repo(tmp_path: Path, with_corpus: bool) -> Path:
    """A copy of the notebook beside the seeds, with ``../shared`` linked in or absent."""
    root = tmp_path / "repo"
    for name in ("seeds", "labels"):
        shutil.copytree(REPO / name, root / name)
    (root / "notebooks").mkdir()
    if with_corpus:
        (tmp_path / "shared").symlink_to(REPO.parent / "shared", target_is_directory=True)
    copy = root / "notebooks" / NOTEBOOK.name
    shutil.copy(NOTEBOOK, copy)
    return copy


def test_notebook_runs_without_the_corpus(tmp_path):
    """On a machine without ../shared/corpus the corpus sections skip and the seed sections run."""
    nb = _execute(_copy_repo(tmp_path, with_corpus=False))
    text = _outputs_text(nb)
    assert "corpus sections are skipped" in text
    assert "Seed articles, leave-one-out" in text


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_file(), reason="../shared/corpus/dev.jsonl is absent")
def test_notebook_runs_on_the_corpus_and_shows_plots(tmp_path):
    nb = _execute(_copy_repo(tmp_path, with_corpus=True))
    images = sum("image/png" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))
    assert images >= 6
    text = _outputs_text(nb)
    assert "Robustness" in text and "Errors" in text
    _assert_no_corpus_text(text)


def test_committed_notebook_outputs_hold_no_corpus_text():
    _assert_no_corpus_text(_outputs_text(nbformat.read(NOTEBOOK, as_version=4)))
