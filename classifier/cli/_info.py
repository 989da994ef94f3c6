"""``classifier info``: a model's metadata."""

from __future__ import annotations

import json

import click

from ..errors import ClassifierError
from ._common import _MODEL, _TRUST_HELP, _fail


@click.command()
@_MODEL
@click.option("--trust-pickle", is_flag=True, help=_TRUST_HELP)
def info(model: str | None, trust_pickle: bool) -> None:
    """Show a model's metadata: its topics, versions, training data and cross-validated scores."""
    from ..model import default_model_path, load

    try:
        loaded = load(model, trusted=trust_pickle)
    except ClassifierError as exc:
        raise _fail(exc) from None
    meta = {"path": str(model or default_model_path()), "topics": [str(c) for c in loaded.classes_]}
    meta.update({k: v for k, v in loaded.metadata_.items() if k != "topics"})
    click.echo(json.dumps(meta, ensure_ascii=False, indent=2))
