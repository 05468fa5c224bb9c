"""The commands that move entries between the journal and files: ``journal import``
(all or nothing; a markdown vault kept in sync) and ``journal export``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from journal.cli.common import Command, add_feed_options, add_filter_options, filters, open_journal
from journal.errors import ValidationError
from journal.text.wording import entries_count

# --- import ----------------------------------------------------------------------------


def import_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    from journal.formats import IMPORTERS

    p.add_argument("format", metavar="FORMAT", help=f"one of: {', '.join(sorted(IMPORTERS))}")
    p.add_argument("source", metavar="SOURCE", help="the file (or folder) to import")
    p.add_argument("--date", help="the journal day of every imported entry, YYYY-MM-DD (bibtex)")
    p.add_argument(
        "--strict",
        action="store_true",
        help="markdown: a note that cannot be read fails the whole import (nothing is imported)",
    )
    p.add_argument(
        "--prune",
        action="store_true",
        help="markdown: remove the entries of notes that are gone from the vault (unless edited since)",
    )


def cmd_import(args: argparse.Namespace) -> int:
    from journal.formats import importer
    from journal.text.wording import import_line

    reader = importer(args.format)
    options = {}
    if args.date is not None:
        import inspect

        if "date" not in inspect.signature(reader.read).parameters:
            raise ValidationError("date", f"--date does not apply to {args.format} imports")
        options["date"] = args.date
    if args.format == "markdown":
        from journal.formats.markdown_sync import sync

        # the location as given, not a Journal (nor a Path: s3://...): an unchanged vault never opens the store
        report = sync(args.journal, Path(args.source), strict=args.strict, prune=args.prune)
        print(report)
        for line in report.details():
            print(line)
        for line in report.problems():
            print(f"journal: {line}", file=sys.stderr)
        return report.exit_code
    for flag in ("strict", "prune"):
        if getattr(args, flag):
            raise ValidationError(flag, f"--{flag} applies to markdown imports only, not {args.format}")
    j = open_journal(args)
    entries = reader.read(Path(args.source), journal=j, **options)
    result = j.add_many(entries, on_existing="skip")
    print(import_line(result, args.source))
    return 0


# --- export ----------------------------------------------------------------------------


def export_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    from journal.formats import EXPORTERS

    p.add_argument("format", metavar="FORMAT", help=f"one of: {', '.join(sorted(EXPORTERS))}")
    p.add_argument("dest", metavar="DEST", help="the file (or folder) to write; '-' for standard output")
    p.add_argument(
        "--force",
        action="store_true",
        default=None,
        help="jsonl, csv, bibtex, digest: replace DEST even if it is not a file this journal exported",
    )
    add_filter_options(p)
    p.add_argument("--lang", choices=["ko", "en"], default="ko", help="date line language for digests")
    add_feed_options(p, "html: ")
    p.add_argument(
        "--template-dir",
        metavar="DIR",
        help="html: templates that replace the shipped ones by file name (day.html.j2, index.html.j2, "
        "tags.html.j2, entry.html.j2, page.html.j2, journal.css)",
    )


def options_for(
    fn: Callable[..., Any], args: argparse.Namespace, what: str, names: Sequence[str]
) -> dict[str, Any]:
    """The options among ``names`` that were given, refused where ``fn`` takes none of them."""
    import inspect

    given = {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}
    accepted = inspect.signature(fn).parameters
    for name in given:
        if name not in accepted or accepted[name].kind is inspect.Parameter.VAR_KEYWORD:
            flag = "--" + name.replace("_", "-")
            raise ValidationError(name.replace("_", "-"), f"{flag} does not apply to {what}")
    return given


def cmd_export(args: argparse.Namespace) -> int:
    from journal.formats import exporter

    writer = exporter(args.format)
    j = open_journal(args)
    entries = j.entries(**filters(args))
    options = options_for(
        writer.write, args, "export " + args.format, ("feed_days", "base_url", "template_dir", "force")
    )
    count = writer.write(
        entries, Path(args.dest) if args.dest != "-" else args.dest, journal=j, lang=args.lang, **options
    )
    if args.dest != "-":
        print(f"exported {entries_count(count)} to {args.dest}", file=sys.stderr)
    return 0


COMMANDS = (
    Command(
        "import",
        "import entries from a file (all or nothing; importing twice adds nothing); a markdown "
        "vault is kept in sync: importing it again updates changed notes' entries, adds new "
        "notes and reports gone ones; a note that cannot be read is skipped and reported "
        "(exit status 3 when notes were skipped or are in conflict)",
        cmd_import,
        import_arguments,
    ),
    Command(
        "export",
        "export entries to a file or folder",
        cmd_export,
        export_arguments,
        description="Export entries to a file (jsonl, csv, bibtex, digest) or a folder (html, markdown). "
        "An existing file is replaced only when an earlier export of this journal wrote it and "
        "it is unchanged since (or it is empty); any other file is refused, unchanged, unless "
        "--force. A folder for html is only reused when an export made it. Files are replaced "
        "whole (a temporary file, then a rename).",
    ),
)
