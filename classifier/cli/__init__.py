"""The ``classifier`` command: train, predict, evaluate, report, info (a thin layer over the API).

Heavy modules (scikit-learn, jieba, pyarrow) are imported inside the commands so that
``--help`` is instant and ``predict`` pays only for what it uses.
"""

from __future__ import annotations

import click

from ._common import (
    EXIT_ERRORS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
    FORMATS,
)
from ._info import info
from ._predict import predict
from ._report_review import report, review, suggest
from ._train_evaluate import convert, evaluate, train

__all__ = [
    "EXIT_ERRORS",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "FORMATS",
    "convert",
    "evaluate",
    "info",
    "main",
    "predict",
    "report",
    "review",
    "suggest",
    "train",
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="classifier")
def main() -> None:
    """Label scraped Chinese education news articles with topic and region.

    \b
    Topic: one of the model's topics (`classifier info` lists them); the shipped
    model has the default four, `classifier train` learns any set.
    Region: the province-level division (or 全国), with city and county.
    """


for _command in (train, predict, evaluate, convert, report, info, suggest, review):
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
