"""The ``journal`` command line (SPEC section 4): builds the parser from the command groups
(``*_commands.py``, one module per group) and runs one command, its errors as one line
on stderr with a non-zero exit, never a traceback.

Heavy modules load only in the commands that need them, so ``journal add`` starts about
as fast as ``pyarrow.parquet`` and ``journal --help`` loads neither pyarrow nor pandas.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from typing import Any

from journal.cli import (
    care_commands,
    entry_commands,
    feedback_commands,
    io_commands,
    publish_commands,
    search_commands,
    sync_commands,
    triage_commands,
)
from journal.cli.common import ERROR, Command, check_dates, default_journal
from journal.errors import JournalError

__all__ = ["COMMANDS", "build_parser", "main", "run"]

_GROUPS = (
    *(entry_commands, io_commands, publish_commands, search_commands, care_commands, triage_commands),
    feedback_commands,
    sync_commands,
)

#: The order of ``journal --help`` (a command no group names here comes last).
_HELP_ORDER = (
    *("add", "show", "edit", "rm", "list", "digest", "import", "export", "stats"),
    *("check", "compact", "render", "search", "related", "tags", "triage"),
    *("dismiss", "follow", "mute", "feedback"),
)


def _in_help_order() -> dict[str, Command]:
    found = {c.name: c for group in _GROUPS for c in group.COMMANDS}
    return {name: found.pop(name) for name in _HELP_ORDER} | found


#: Every command by name, in the order of ``journal --help``.
COMMANDS: dict[str, Command] = _in_help_order()


class _Parser(argparse.ArgumentParser):
    """Usage errors are one line too (argparse would print the usage first)."""

    def error(self, message: str) -> Any:
        self.exit(2, f"{ERROR}{message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``journal``: ``--journal`` and ``--version``, then every command."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--journal",
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="the journal: a Parquet file or s3://bucket/prefix (default: $JOURNAL, else ./entries.parquet)",
    )
    parser = _Parser(
        prog="journal",
        description="A reading journal for research papers, stored as Parquet (or a Delta Lake table on S3).",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS.values():
        p = sub.add_parser(
            command.name,
            help=command.help,
            description=command.description or command.help,
            parents=[common],
        )
        command.arguments(p, common)
    return parser


def _version() -> str:
    from journal.version import __version__

    return f"journal {__version__}"


def _tolerant_output() -> None:
    """An output that cannot show a character (ASCII, a legacy code page) gets an escape
    for it rather than a traceback."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if isinstance(stream, io.TextIOWrapper) and encoding != "utf8":
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``journal ARGV`` (default: the process's arguments); the exit status."""
    _tolerant_output()
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    command = COMMANDS[args.command]
    if extra:
        if command.loose_words is None or any(a.startswith("--") for a in extra):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        setattr(args, command.loose_words, [*getattr(args, command.loose_words), *extra])
    if not hasattr(args, "journal"):
        args.journal = default_journal()
    from journal.text.rules import terminal_stdout

    try:
        check_dates(args)
        with terminal_stdout():  # an old journal may hold escape sequences: never shown raw
            return command.handler(args)
    except JournalError as e:
        print(f"{ERROR}{e}", file=sys.stderr)
        return getattr(e, "exit_code", 1)
    except KeyboardInterrupt:
        print("journal: interrupted; nothing was changed by the unfinished command", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # e.g. `journal list | head`
        return 0


def run() -> None:
    """The ``journal`` script and ``python -m journal``: exit with :func:`main`'s status."""
    sys.exit(main())
