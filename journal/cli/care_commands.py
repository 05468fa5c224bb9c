"""The commands that look after the store: ``journal check`` (validate, repair, list
likely duplicates) and ``journal compact`` (fold pending changes into the Parquet file)."""

from __future__ import annotations

import argparse
import sys

from journal.cli.common import ERROR, Command, open_journal
from journal.text import wording

# --- check -----------------------------------------------------------------------------


def check_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    p.add_argument("--no-repair", action="store_true", help="only report; change nothing")


def cmd_check(args: argparse.Namespace) -> int:
    from journal.store.check import check_journal

    findings = check_journal(open_journal(args), repair=not args.no_repair)
    problems = [f for f in findings if f.severity == "error"]
    for f in findings:  # what is still wrong goes to stderr, as every command's errors do
        if f.severity == "error":
            print(f"{ERROR}{f.message}", file=sys.stderr)
        else:
            print(f)
    if not findings:
        print("ok: the journal is readable and consistent")
    return 1 if problems else 0


# --- compact ---------------------------------------------------------------------------


def cmd_compact(args: argparse.Namespace) -> int:
    folded = open_journal(args).compact()
    unit = "data file" if "://" in str(args.journal) else "pending change"  # a Delta table: its files
    print(f"compacted: {wording.count(folded, unit)} folded into {args.journal}")
    return 0


COMMANDS = (
    Command(
        "check",
        "validate the store, repair what can be repaired, list likely duplicates",
        cmd_check,
        check_arguments,
    ),
    Command(
        "compact",
        "fold pending changes into the Parquet file (on S3: merge small files, checkpoint, vacuum)",
        cmd_compact,
    ),
)
