"""The ``journal`` command line (SPEC section 4).

Errors are one line on stderr and a non-zero exit; heavy modules load only in the
commands that need them, so ``journal add`` starts about as fast as ``pyarrow.parquet``.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import wording
from .errors import DuplicateEntry, JournalError, ValidationError
from .termtable import clip, table, terminal_width, width
from .wording import entries_count

#: How every error line of every command begins (usage errors too).
ERROR = "journal: error: "

Handler = Callable[[argparse.Namespace], int]
_HANDLERS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[name] = fn
        return fn

    return register


def default_journal() -> str:
    return os.environ.get("JOURNAL") or "entries.parquet"


def _open(args: argparse.Namespace) -> Any:
    from .store import Journal

    return Journal(args.journal)


def _read_arg(value: str | None) -> str | None:
    """``-`` reads the value from standard input (long commentary, Korean input methods)."""
    if value == "-":
        return sys.stdin.read()
    return value


def _entry_fields(args: argparse.Namespace) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in ("title", "url", "authors", "abstract", "commentary", "tags", "date", "source"):
        value = getattr(args, name, None)
        if value is not None:
            fields[name] = _read_arg(value)
    if getattr(args, "links", None) is not None:
        fields["links"] = args.links.split()
    if getattr(args, "arxiv_id", None) is not None:
        fields["arxiv_id"] = args.arxiv_id
    return fields


# --- commands --------------------------------------------------------------------------


@command("add")
def cmd_add(args: argparse.Namespace) -> int:
    from .capture import known_arxiv_paper, same_paper, with_fresh_id
    from .model import make_entry

    fields = _entry_fields(args)
    j = _open(args)
    if args.arxiv:
        from .capture import fill_from_arxiv

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


@command("show")
def cmd_show(args: argparse.Namespace) -> int:
    from .refs import entry_ids
    from .views import entry_text

    j = _open(args)
    ids = entry_ids(j, args.id)  # an arXiv id or URL: every entry about the paper, oldest first
    print("\n\n".join(entry_text(j.get(i), journal=j) for i in ids))
    if len(ids) > 1:
        print(f"journal: note: {len(ids)} entries are about this paper (oldest first)", file=sys.stderr)
    return 0


@command("edit")
def cmd_edit(args: argparse.Namespace) -> int:
    changes = _entry_fields(args)
    if args.no_url:
        changes["url"] = None
    if not changes:
        raise ValidationError("edit", "nothing to change; give one or more --FIELD VALUE options")
    entry = _open(args).update(args.id, **changes)
    print(f"updated {entry.id} {entry.date.isoformat()} {entry.title}")
    return 0


@command("rm")
def cmd_rm(args: argparse.Namespace) -> int:
    entry = _open(args).delete(args.id)
    print(f"removed {entry.id} {entry.date.isoformat()} {entry.title}")
    return 0


#: The date options of every command, by attribute: a bad date names the option as typed.
_DATE_OPTIONS = {"date": "--date", "start": "--from", "end": "--to", "until": "--until"}


def _check_dates(args: argparse.Namespace) -> None:
    """Refuse a date option that is not a date, naming that option (not the library's
    parameter): ``journal list --date 2024-02-30`` is about ``--date``."""
    for dest, flag in _DATE_OPTIONS.items():
        value = getattr(args, dest, None)
        if isinstance(value, str) and value != "-":  # add/edit: '-' reads standard input
            from .model import parse_date

            parse_date(value, flag)


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    return {"date": args.date, "start": args.start, "end": args.end, "tag": args.tag}


@command("list")
def cmd_list(args: argparse.Namespace) -> int:
    from .table import dates, strings

    # four columns, not Entry objects: the abstracts and commentary are most of the file
    found = _open(args).columns(["id", "date", "title", "tags"], **_filters(args))
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


@command("digest")
def cmd_digest(args: argparse.Namespace) -> int:
    from .formats.digest import render_day
    from .model import parse_date

    day = parse_date(args.day)
    entries = _open(args).entries(date=day)
    print(render_day(day, entries, args.lang))
    return 0


@command("import")
def cmd_import(args: argparse.Namespace) -> int:
    from .formats import importer
    from .wording import import_line

    reader = importer(args.format)
    options = {}
    if args.date is not None:
        import inspect

        if "date" not in inspect.signature(reader.read).parameters:
            raise ValidationError("date", f"--date does not apply to {args.format} imports")
        options["date"] = args.date
    if args.format == "markdown":
        from .formats.markdown_sync import sync

        # the path, not a Journal: an unchanged vault never imports the store (nor pyarrow)
        report = sync(Path(args.journal), Path(args.source), strict=args.strict, prune=args.prune)
        print(report)
        for line in report.details():
            print(line)
        for line in report.problems():
            print(f"journal: {line}", file=sys.stderr)
        return report.exit_code
    for flag in ("strict", "prune"):
        if getattr(args, flag):
            raise ValidationError(flag, f"--{flag} applies to markdown imports only, not {args.format}")
    j = _open(args)
    entries = reader.read(Path(args.source), journal=j, **options)
    result = j.add_many(entries, on_existing="skip")
    print(import_line(result, args.source))
    return 0


def _only_for(
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


@command("export")
def cmd_export(args: argparse.Namespace) -> int:
    from .formats import exporter

    writer = exporter(args.format)
    j = _open(args)
    entries = j.entries(**_filters(args))
    options = _only_for(
        writer.write, args, "export " + args.format, ("feed_days", "base_url", "template_dir", "force")
    )
    count = writer.write(
        entries, Path(args.dest) if args.dest != "-" else args.dest, journal=j, lang=args.lang, **options
    )
    if args.dest != "-":
        print(f"exported {entries_count(count)} to {args.dest}", file=sys.stderr)
    return 0


@command("stats")
def cmd_stats(args: argparse.Namespace) -> int:
    from .summary import stats_text

    print(stats_text(_open(args).entries()))
    return 0


@command("check")
def cmd_check(args: argparse.Namespace) -> int:
    from .check import check_journal

    findings = check_journal(_open(args), repair=not args.no_repair)
    problems = [f for f in findings if f.severity == "error"]
    for f in findings:  # what is still wrong goes to stderr, as every command's errors do
        if f.severity == "error":
            print(f"{ERROR}{f.message}", file=sys.stderr)
        else:
            print(f)
    if not findings:
        print("ok: the journal is readable and consistent")
    return 1 if problems else 0


@command("compact")
def cmd_compact(args: argparse.Namespace) -> int:
    folded = _open(args).compact()
    print(f"compacted: {wording.count(folded, 'pending change')} folded into {args.journal}")
    return 0


@command("render")
def cmd_render(args: argparse.Namespace) -> int:
    from .render import render_analysis, render_days

    if args.analysis:
        if args.day is not None:
            raise ValidationError("render", "--analysis takes --from/--until, not a DATE")
        if args.feed_days is not None or args.base_url is not None:
            raise ValidationError("render", "--feed-days and --base-url go with days, not --analysis")
        paths = render_analysis(args.journal, args.start, args.until, args.to)
    else:
        if args.day is None:
            raise ValidationError("render", "give the DATE to render (YYYY-MM-DD), or --analysis")
        if args.start is not None:
            raise ValidationError("render", "--from goes with --analysis; for days give DATE [--until DATE]")
        paths = render_days(
            args.journal,
            args.day,
            args.until,
            args.to,
            args.lang,
            feed_days=args.feed_days,
            base_url=args.base_url,
        )
    for path in paths:
        print(path)
    return 0


@command("search")
def cmd_search(args: argparse.Namespace) -> int:
    from .search import hits_text, search

    results = search(
        _open(args), " ".join(args.query), tag=args.tag, start=args.start, end=args.end, limit=args.limit
    )
    if args.json:
        import json

        for hit in results.hits:
            print(json.dumps(hit.to_json_dict(), ensure_ascii=False))
        return 0
    if not results.hits:
        print("no matches", file=sys.stderr)
        return 0
    print(hits_text(results, color=sys.stdout.isatty()))
    shown = len(results.hits)
    more = f" (showing {shown}; --limit 0 shows all)" if shown < results.total else ""
    print(f"{results.total} {'match' if results.total == 1 else 'matches'}{more}", file=sys.stderr)
    return 0


@command("related")
def cmd_related(args: argparse.Namespace) -> int:
    from .related import related

    j = _open(args)
    found = related(j, args.id, limit=args.limit)
    if not found:
        print("no related entries", file=sys.stderr)
        return 0
    rows = [[r.entry.id, r.entry.date.isoformat(), f"{r.score:.2f}", r.entry.title, r.reason] for r in found]
    print(table(["id", "date", "score", "title", "why"], rows, flex=3))
    return 0


@command("tags")
def cmd_tags(args: argparse.Namespace) -> int:
    from . import tags

    j = _open(args)
    if args.tags_command == "rename":
        changed = tags.rename_tag(j, args.old, args.new)
        print(f"renamed #{args.old.lstrip('#')} to #{args.new.lstrip('#')} in {entries_count(changed)}")
        return 0
    if args.tags_command == "merge":
        changed = tags.merge_tags(j, args.tags, into=args.into)
        print(
            f"merged {' '.join('#' + t.lstrip('#') for t in args.tags)} into #{args.into.lstrip('#')} "
            f"in {entries_count(changed)}"
        )
        return 0
    counts = tags.tag_counts(j)
    if not counts:
        print("no tags", file=sys.stderr)
        return 0
    print(table(["tag", "entries"], [["#" + t, str(n)] for t, n in counts], flex=0))
    return 0


@command("triage")
def cmd_triage(args: argparse.Namespace) -> int:
    from .model import parse_date
    from .triage.service import paper_records, triage_fetch, triage_file

    if args.limit < 0:
        raise ValidationError("limit", f"{args.limit} is negative; give 0 (all) or more")
    day = parse_date(args.day) if args.day else None
    if args.date:
        other = parse_date(args.date)
        if day is not None and other != day:
            raise ValidationError("date", f"DATE {day} and --date {other} differ; give one")
        day = other
    if args.listing:
        if args.cat:
            raise ValidationError("cat", "--cat chooses what to fetch; a --listing file is ranked whole")
        result = triage_file(args.journal, args.listing, day=day)
    else:
        categories = [c.strip() for c in args.cat.split(",") if c.strip()] if args.cat else None
        result = triage_fetch(args.journal, categories, day=day)
    if result.note:
        print(f"journal: note: {result.note}", file=sys.stderr)
    records = paper_records(result, limit=args.limit)
    if args.json:
        import json

        for record in records:
            print(json.dumps(record, ensure_ascii=False))
        return 0
    ranked = [r for r in records if not r["read"]]
    read = [r for r in records if r["read"]]
    total = len(result.ranked)
    if ranked:
        rows = [[str(r["rank"]), f"{r['score']:.2f}", r["arxiv_id"], r["title"], r["reason"]] for r in ranked]
        print(table(["rank", "score", "arxiv", "title", "why"], rows, flex=3, cut=[4]))  # why gives way
    if read:
        print(f"\nalready in your journal ({len(read)}):")
        room = terminal_width() - 4
        for r in read:
            print(f"  {r['arxiv_id']}  {clip(r['title'], room - width(r['arxiv_id']))}")
    more = f"; showing {len(ranked)} (--limit 0 shows all)" if len(ranked) < total else ""
    print(
        f"{result.day.isoformat()}: {total} new papers ranked from {result.source}, "
        f"{len(read)} already read{more}",
        file=sys.stderr,
    )
    return 0


# --- the parser ------------------------------------------------------------------------


def _add_entry_options(p: argparse.ArgumentParser, *, editing: bool) -> None:
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


def _add_feed_options(p: argparse.ArgumentParser, prefix: str) -> None:
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


def _add_filter_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--date", help="only this day (YYYY-MM-DD)")
    p.add_argument("--from", dest="start", metavar="DATE", help="from this day on (inclusive)")
    p.add_argument("--to", dest="end", metavar="DATE", help="up to this day (inclusive)")
    p.add_argument("--tag", help="only entries with this tag (any case; - and _ ignored)")


class _Parser(argparse.ArgumentParser):
    """Usage errors are one line too (argparse would print the usage first)."""

    def error(self, message: str) -> Any:
        self.exit(2, f"{ERROR}{message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--journal",
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="the journal file (default: $JOURNAL, else ./entries.parquet)",
    )
    parser = _Parser(
        prog="journal",
        description="A reading journal for research papers, stored as Parquet.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, help: str, description: str | None = None) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=description or help, parents=[common])

    p = add("add", "add one entry")
    _add_entry_options(p, editing=False)
    p.add_argument("--arxiv", metavar="ID_OR_URL", help="fill title, authors and abstract from arXiv")
    p.add_argument("--again", action="store_true", help="add even if the paper is already in the journal")

    p = add("show", "show one entry (or every entry about a paper)")
    p.add_argument(
        "id",
        help="an entry id (or a unique prefix of at least 4 characters), or an arXiv id or URL: "
        "every entry about that paper",
    )

    p = add("edit", "change fields of one entry")
    p.add_argument("id", help="an entry id (or a unique prefix, or the arXiv id or URL of its paper)")
    _add_entry_options(p, editing=True)
    p.add_argument("--no-url", action="store_true", help="remove the URL")

    p = add("rm", "remove one entry")
    p.add_argument("id", help="an entry id (or a unique prefix, or the arXiv id or URL of its paper)")

    p = add("list", "a table of entries (journal order)")
    _add_filter_options(p)

    p = add("digest", "print one day's digest (SPEC section 2)")
    p.add_argument("day", metavar="DATE", help="the day, YYYY-MM-DD")
    p.add_argument(
        "--lang", choices=["ko", "en"], default="ko", help="language of the date line (default ko)"
    )

    from .formats import EXPORTERS, IMPORTERS

    p = add(
        "import",
        "import entries from a file (all or nothing; importing twice adds nothing); a markdown "
        "vault is kept in sync: importing it again updates changed notes' entries, adds new "
        "notes and reports gone ones; a note that cannot be read is skipped and reported "
        "(exit status 3 when notes were skipped or are in conflict)",
    )
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

    p = add(
        "export",
        "export entries to a file or folder",
        "Export entries to a file (jsonl, csv, bibtex, digest) or a folder (html, markdown). "
        "An existing file is replaced only when an earlier export of this journal wrote it and "
        "it is unchanged since (or it is empty); any other file is refused, unchanged, unless "
        "--force. A folder for html is only reused when an export made it. Files are replaced "
        "whole (a temporary file, then a rename).",
    )
    p.add_argument("format", metavar="FORMAT", help=f"one of: {', '.join(sorted(EXPORTERS))}")
    p.add_argument("dest", metavar="DEST", help="the file (or folder) to write; '-' for standard output")
    p.add_argument(
        "--force",
        action="store_true",
        default=None,
        help="jsonl, csv, bibtex, digest: replace DEST even if it is not a file this journal exported",
    )
    _add_filter_options(p)
    p.add_argument("--lang", choices=["ko", "en"], default="ko", help="date line language for digests")
    _add_feed_options(p, "html: ")
    p.add_argument(
        "--template-dir",
        metavar="DIR",
        help="html: templates that replace the shipped ones by file name (day.html.j2, index.html.j2, "
        "tags.html.j2, entry.html.j2, page.html.j2, journal.css)",
    )

    add("stats", "entries per month, top tags, top authors")

    p = add("check", "validate the store, repair what can be repaired, list likely duplicates")
    p.add_argument("--no-repair", action="store_true", help="only report; change nothing")

    add("compact", "fold pending changes into the Parquet file")

    p = add(
        "render",
        "run the daily notebook with papermill: DIR/YYYY-MM-DD.ipynb, .html and .md per day",
        "Run the daily notebook with papermill and write, per day, the executed notebook, "
        "a clean HTML page (no code) and the markdown. A range runs in one kernel. "
        "With --analysis, render the analysis notebook (plots of your reading) to HTML.",
    )
    p.add_argument("day", metavar="DATE", nargs="?", help="the day, YYYY-MM-DD (also: today, yesterday)")
    p.add_argument("--until", metavar="DATE", help="render every day from DATE to this day (inclusive)")
    p.add_argument("--to", metavar="DIR", default="digests", help="where to write (default: ./digests)")
    p.add_argument("--lang", choices=["ko", "en"], default="ko", help="date line language (default ko)")
    p.add_argument("--analysis", action="store_true", help="render the analysis notebook instead of days")
    p.add_argument("--from", dest="start", metavar="DATE", help="with --analysis: first day (default: all)")
    _add_feed_options(p, "")

    p = add(
        "search",
        "ranked matches over title, authors, abstract and commentary",
        "Find entries by words in their title, authors, abstract or commentary (Korean "
        'words match inside longer words). All words must match; "a phrase" matches '
        "those words in order; -word excludes (journal search diffusion -distillation); "
        "tag:NAME and author:NAME filter.",
    )
    p.add_argument("query", nargs="*", metavar="QUERY", help='words, "phrases", -excluded, tag:x, author:y')
    p.add_argument("--tag", help="only entries with this tag (any case; - and _ ignored)")
    p.add_argument("--from", dest="start", metavar="DATE", help="from this day on (inclusive)")
    p.add_argument("--to", dest="end", metavar="DATE", help="up to this day (inclusive)")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="show the best N (default 20; 0: all)")
    p.add_argument(
        "--json", action="store_true", help="one JSON object per line: id, date, title, score, snippet"
    )

    p = add("related", "the entries most like one entry (links, shared tags, text)")
    p.add_argument("id", help="an entry id (or a unique prefix)")
    p.add_argument("--limit", type=int, default=10, metavar="N", help="how many (default 10)")

    p = add(
        "tags",
        "tags with counts; rename or merge tags across the journal",
        "Without an action: every tag with its number of entries. rename and merge rewrite "
        "the tags of every entry concerned in one atomic change.",
    )
    actions = p.add_subparsers(dest="tags_command", metavar="ACTION")
    r = actions.add_parser(
        "rename",
        help="rename a tag everywhere (to an existing tag: merge)",
        description="Rename tag OLD to NEW in every entry, in one atomic change; if NEW is "
        "already in use the two merge (an entry keeps the tag once, at its first place).",
        parents=[common],
    )
    r.add_argument("old", metavar="OLD", help="the tag to rename")
    r.add_argument("new", metavar="NEW", help="its new name")
    m = actions.add_parser(
        "merge",
        help="merge several tags into one",
        description="Replace each TAG by the --into tag in every entry, in one atomic change "
        "(e.g. journal tags merge self_supervised Self-Supervised --into self-supervised).",
        parents=[common],
    )
    m.add_argument("tags", nargs="+", metavar="TAG", help="the tags to merge")
    m.add_argument("--into", required=True, metavar="TAG", help="the tag they become")
    p = add(
        "triage",
        "rank a day's arXiv listing by your journal (fetched, or --listing FILE)",
        "Rank the new papers of an arXiv announcement day by what your journal holds, and "
        "record the listing as seen beside the journal (what you passed over teaches the "
        "ranker too). Without --listing, fetches the day's announcements (new and "
        "cross-lists) of --cat from arXiv's feed, once: a second triage of the day is "
        "offline. Papers already in the journal are shown as read, outside the ranking. "
        "See docs/triage.md.",
    )
    p.add_argument(
        "day", metavar="DATE", nargs="?", help="the announcement day, YYYY-MM-DD (default: the latest)"
    )
    p.add_argument("--date", help="the same as DATE (the day of a --listing file to rank)")
    p.add_argument(
        "--cat",
        metavar="C,...",
        help="arXiv categories to fetch, comma-separated (default: those of your arXiv papers, "
        "else cs.CL,cs.LG,cs.AI)",
    )
    p.add_argument(
        "--listing",
        metavar="FILE",
        help="rank this listing file (JSONL, CSV or Parquet: arxiv_id, title, authors, abstract, "
        "optional date, category) instead of fetching; every day in it is recorded, "
        "the latest (or DATE) is ranked",
    )
    p.add_argument("--limit", type=int, default=20, metavar="N", help="show the best N (default 20; 0: all)")
    p.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per line, in rank order (read papers last): arxiv_id, title, authors, "
        "abstract, url, category, date, score, rank, read, reason",
    )
    return parser


def _version() -> str:
    from . import __version__

    return f"journal {__version__}"


def _tolerant_output() -> None:
    """An output that cannot show a character (ASCII, a legacy code page) gets an escape
    for it rather than a traceback."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if isinstance(stream, io.TextIOWrapper) and encoding != "utf8":
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_output()
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if getattr(args, "command", None) != "search" or any(a.startswith("--") for a in extra):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.query = [*args.query, *extra]  # -word excludes a word: it is not an option
    if not hasattr(args, "journal"):
        args.journal = default_journal()
    from .textrules import terminal_stdout

    try:
        _check_dates(args)
        with terminal_stdout():  # an old journal may hold escape sequences: never shown raw
            return _HANDLERS[args.command](args)
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
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
