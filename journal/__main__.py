"""``python -m journal`` runs the command line."""

from .cli import run

run()
