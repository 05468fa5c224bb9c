"""``python -m journal`` runs the command line."""

from journal.cli.commands import run

run()
