"""The commands about single entries: ``journal add``, ``show``, ``edit``, ``rm`` and
``list`` (a table of entries), with the entry options ``add`` and ``edit`` share."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from journal.cli.common import Command, add_any_reader_option, add_filter_options, filters, note, open_journal
from journal.errors import DuplicateEntry, ValidationError
from journal.text.termtable import table

#: The help of an ``id`` argument that also takes a paper's arXiv id or URL.
ENTRY_ID_HELP = "an entry id (or a unique prefix, or the arXiv id or URL of its paper)"


def read_option(value: str | None) -> str | None:
    """``-`` reads the value from standard input (long commentary, Korean input methods)."""
    if value == "-":
        return sys.stdin.read()
    return value


def entry_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The entry options that were given, as fields of an entry."""
    fields: dict[str, Any] = {}
    for name in ("title", "url", "authors", "abstract", "commentary", "tags", "date", "source"):
        value = getattr(args, name, None)
        if value is not None:
            fields[name] = read_option(value)
    if getattr(args, "links", None) is not None:
        fields["links"] = args.links.split()
    if getattr(args, "arxiv_id", None) is not None:
        fields["arxiv_id"] = args.arxiv_id
    return fields


def add_entry_options(p: argparse.ArgumentParser, *, editing: bool) -> None:
    """The ``--FIELD VALUE`` options of ``journal add`` (``editing=False``) and ``journal edit``."""
    p.add_argument("--title", help="the paper or post title")
    p.add_argument("--url", help="the primary link (an arXiv URL also sets the arXiv id)")
    p.add_argument("--links", help="other URLs, separated by spaces")
    p.add_argument("--authors", help='comma-separated: "A. Author, B. Author"')
    p.add_argument("--abstract", help="the abstract ('-' reads standard input)")
    p.add_argument("--commentary", help="your notes; paragraphs separated by a blank line ('-' reads stdin)")
    p.add_argument(
        "--tags", help='tags separated by spaces or commas, with or without #: "diffusion efficiency"'
    )
    p.add_argument(
        "--date",
        help="the journal day, YYYY-MM-DD (default: today)" if not editing else "move to day YYYY-MM-DD",
    )
    p.add_argument("--arxiv-id", dest="arxiv_id", help="set the arXiv id (e.g. 2405.05254v2)")
    p.add_argument("--source", help=argparse.SUPPRESS)


# --- add -------------------------------------------------------------------------------


def add_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    add_entry_options(p, editing=False)
    p.add_argument("--arxiv", metavar="ID_OR_URL", help="fill title, authors and abstract from arXiv")
    p.add_argument("--again", action="store_true", help="add even if the paper is already in the journal")


def cmd_add(args: argparse.Namespace) -> int:
    from journal.capture.paper import known_arxiv_paper, same_paper, with_fresh_id
    from journal.model import make_entry

    fields = entry_fields(args)
    j = open_journal(args)
    if args.arxiv:
        from journal.capture.paper import fill_from_arxiv

        known = None if args.again else known_arxiv_paper(j, args.arxiv)  # no network needed
        if known is not None:
            raise DuplicateEntry(known.id, known.title, known.date.isoformat(), reason="paper")
        fields = fill_from_arxiv(args.arxiv, fields, journal_path=args.journal)
    if "title" not in fields:
        raise ValidationError("title", "is missing; give --title (or --arxiv ID)")
    entry = make_entry(**fields)

    if args.again:
        entry = with_fresh_id(j, entry)
    else:
        same = same_paper(j, entry)
        if same is not None:
            raise DuplicateEntry(same.id, same.title, same.date.isoformat(), reason="paper")
    stored = j.add(entry)
    print(f"added {stored.id} {stored.date.isoformat()} {stored.title}")
    return 0


# --- show ------------------------------------------------------------------------------


def show_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    p.add_argument(
        "id",
        help="an entry id (or a unique prefix of at least 4 characters), or an arXiv id or URL: "
        "every entry about that paper",
    )


def cmd_show(args: argparse.Namespace) -> int:
    from journal.cli.views import entry_text
    from journal.store.refs import entry_ids

    j = open_journal(args)
    ids = entry_ids(j, args.id)  # an arXiv id or URL: every entry about the paper, oldest first
    print("\n\n".join(entry_text(j.get(i), journal=j) for i in ids))
    if len(ids) > 1:
        note(f"{len(ids)} entries are about this paper (oldest first)")
    return 0


# --- edit ------------------------------------------------------------------------------


def edit_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    p.add_argument("id", help=ENTRY_ID_HELP)
    add_entry_options(p, editing=True)
    p.add_argument("--no-url", action="store_true", help="remove the URL")
    add_any_reader_option(p)


def cmd_edit(args: argparse.Namespace) -> int:
    changes = entry_fields(args)
    if args.no_url:
        changes["url"] = None
    if not changes:
        raise ValidationError("edit", "nothing to change; give one or more --FIELD VALUE options")
    entry = open_journal(args).update(args.id, any_reader=args.any_reader, **changes)
    print(f"updated {entry.id} {entry.date.isoformat()} {entry.title}")
    return 0


# --- rm --------------------------------------------------------------------------------


def rm_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    p.add_argument("id", help=ENTRY_ID_HELP)
    add_any_reader_option(p)


def cmd_rm(args: argparse.Namespace) -> int:
    entry = open_journal(args).delete(args.id, any_reader=args.any_reader)
    print(f"removed {entry.id} {entry.date.isoformat()} {entry.title}")
    return 0


# --- list ------------------------------------------------------------------------------


def list_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    add_filter_options(p)


def cmd_list(args: argparse.Namespace) -> int:
    from journal.store.schema import dates, strings

    # four columns, not Entry objects: the abstracts and commentary are most of the file
    found = open_journal(args).columns(["id", "date", "title", "tags"], **filters(args))
    if not found.num_rows:
        print("no entries", file=sys.stderr)
        return 0
    columns = zip(
        strings(found["id"]),
        dates(found["date"]),
        strings(found["title"]),
        found["tags"].to_pylist(),
        strict=True,
    )
    rows = [
        [i or "", d.isoformat() if d else "", title or "", " ".join("#" + t for t in tags or ())]
        for i, d, title, tags in columns
    ]
    print(table(["id", "date", "title", "tags"], rows, flex=2, cut=[3]))  # tags give way to the title
    return 0


COMMANDS = (
    Command("add", "add one entry", cmd_add, add_arguments),
    Command("show", "show one entry (or every entry about a paper)", cmd_show, show_arguments),
    Command("edit", "change fields of one entry", cmd_edit, edit_arguments),
    Command("rm", "remove one entry", cmd_rm, rm_arguments),
    Command("list", "a table of entries (journal order)", cmd_list, list_arguments),
)
