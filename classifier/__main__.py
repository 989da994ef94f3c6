"""``python -m classifier`` runs the command line."""

from .cli import main

main()
