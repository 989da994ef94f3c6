"""Execute notebooks/evaluation.ipynb in place (cwd notebooks/, kernel python3), so its outputs are current.

Usage: .venv/bin/python scripts/run_notebook.py [NOTEBOOK] [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent


def run(path: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """Execute the notebook at ``path`` with its own folder as the working directory; return it."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return nb


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", nargs="?", default=str(REPO / "notebooks" / "evaluation.ipynb"))
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args()
    path = Path(args.notebook).resolve()
    nb = run(path, args.timeout)
    nbformat.write(nb, path)
    print(f"executed and wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
