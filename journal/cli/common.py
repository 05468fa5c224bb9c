"""What every command group of the command line shares: the shape of a command
(:class:`Command`), the ``ERROR`` prefix of every error line, which journal a command
opens, and the day-filter, feed and date options more than one command takes.

Light on purpose: ``journal --help`` imports this module, so the journal itself (and
pyarrow) load only inside a handler, through :func:`open_journal`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: How every error line of every command begins (usage errors too).
ERROR = "journal: error: "

#: What runs a command: its parsed arguments in, the exit status out.
Handler = Callable[[argparse.Namespace], int]

#: What adds a command's arguments to its parser; the second parser is the parent of
#: every parser (``--journal``), for commands with actions of their own (``journal tags``).
Arguments = Callable[[argparse.ArgumentParser, argparse.ArgumentParser], None]


def no_arguments(parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    """For a command that takes only the options every command takes."""


@dataclass(frozen=True)
class Command:
    """One ``journal COMMAND``: its name, its line in ``journal --help``, the longer text of
    ``journal COMMAND --help`` (default: the same line), its arguments and its handler."""

    name: str
    help: str
    handler: Handler
    arguments: Arguments = no_arguments
    description: str | None = None
    #: The positional list that takes words the parser does not know, when they are not
    #: options (``journal search diffusion -distillation``: ``-word`` excludes a word).
    loose_words: str | None = None


def default_journal() -> str:
    """The journal a command opens without ``--journal``: ``$JOURNAL``, else ./entries.parquet."""
    return os.environ.get("JOURNAL") or "entries.parquet"


def open_journal(args: argparse.Namespace) -> Any:
    """The journal of ``--journal`` (a :class:`journal.facade.Journal`, imported only now)."""
    from journal.facade import Journal

    journal = Journal(args.journal)
    if hasattr(journal.backend, "notify"):  # a store's note (writes its outbox keeps) goes to stderr
        journal.backend.notify = note
    return journal


def note(message: str) -> None:
    """One line on stderr that is no error: ``journal: note: ...``."""
    print(f"journal: note: {message}", file=sys.stderr)


#: The date options of every command, by attribute: a bad date names the option as typed.
DATE_OPTIONS = {"date": "--date", "start": "--from", "end": "--to", "until": "--until"}


def check_dates(args: argparse.Namespace) -> None:
    """Refuse a date option that is not a date, naming that option (not the library's
    parameter): ``journal list --date 2024-02-30`` is about ``--date``."""
    for dest, flag in DATE_OPTIONS.items():
        value = getattr(args, dest, None)
        if isinstance(value, str) and value != "-":  # add/edit: '-' reads standard input
            from journal.model import parse_date

            parse_date(value, flag)


def add_filter_options(p: argparse.ArgumentParser) -> None:
    """``--date``, ``--from``, ``--to`` and ``--tag``: which entries a command takes."""
    p.add_argument("--date", help="only this day (YYYY-MM-DD)")
    p.add_argument("--from", dest="start", metavar="DATE", help="from this day on (inclusive)")
    p.add_argument("--to", dest="end", metavar="DATE", help="up to this day (inclusive)")
    p.add_argument("--tag", help="only entries with this tag (any case; - and _ ignored)")
    add_reader_option(p)


def add_reader_option(p: argparse.ArgumentParser) -> None:
    """``--reader``: only one reader's entries (default: everyone's)."""
    p.add_argument("--reader", metavar="NAME", help="only the entries NAME wrote (default: everyone's)")


def add_any_reader_option(p: argparse.ArgumentParser) -> None:
    """``--any-reader``: change an entry another reader wrote."""
    p.add_argument(
        "--any-reader",
        action="store_true",
        help="also when another reader wrote the entry (default: only yours)",
    )


def filters(args: argparse.Namespace) -> dict[str, Any]:
    """The options of :func:`add_filter_options`, as the keyword arguments of ``Journal.entries``."""
    return {"date": args.date, "start": args.start, "end": args.end, "tag": args.tag, "reader": args.reader}


def add_feed_options(p: argparse.ArgumentParser, prefix: str) -> None:
    """``--feed-days`` and ``--base-url`` of a site's feed.xml; ``prefix`` begins their help."""
    p.add_argument(
        "--feed-days",
        type=int,
        metavar="N",
        help=prefix + "DIR/feed.xml holds the N most recent days with entries (default 30)",
    )
    p.add_argument(
        "--base-url",
        metavar="URL",
        help=prefix
        + "the site's address, for absolute links in feed.xml (default: links relative to the feed)",
    )
