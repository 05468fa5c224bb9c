"""The commands that find entries and work with their tags: ``journal search`` (ranked
matches), ``journal related`` (the entries most like one) and ``journal tags`` (counts,
rename, merge)."""

from __future__ import annotations

import argparse
import sys

from journal.cli.common import Command, add_reader_option, open_journal
from journal.text.termtable import table
from journal.text.wording import count, entries_count

# --- search ----------------------------------------------------------------------------


def search_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="*", metavar="QUERY", help='words, "phrases", -excluded, tag:x, author:y')
    p.add_argument("--tag", help="only entries with this tag (any case; - and _ ignored)")
    p.add_argument("--from", dest="start", metavar="DATE", help="from this day on (inclusive)")
    p.add_argument("--to", dest="end", metavar="DATE", help="up to this day (inclusive)")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="show the best N (default 20; 0: all)")
    add_reader_option(p)
    p.add_argument(
        "--json", action="store_true", help="one JSON object per line: id, date, title, score, snippet"
    )


def cmd_search(args: argparse.Namespace) -> int:
    from journal.search.query import hits_text, search

    results = search(
        open_journal(args),
        " ".join(args.query),
        tag=args.tag,
        start=args.start,
        end=args.end,
        limit=args.limit,
        reader=args.reader,
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
    print(f"{count(results.total, 'match', 'matches')}{more}", file=sys.stderr)
    return 0


# --- related ---------------------------------------------------------------------------


def related_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    p.add_argument("id", help="an entry id (or a unique prefix)")
    p.add_argument("--limit", type=int, default=10, metavar="N", help="how many (default 10)")


def cmd_related(args: argparse.Namespace) -> int:
    from journal.search.related import related

    j = open_journal(args)
    found = related(j, args.id, limit=args.limit)
    if not found:
        print("no related entries", file=sys.stderr)
        return 0
    rows = [[r.entry.id, r.entry.date.isoformat(), f"{r.score:.2f}", r.entry.title, r.reason] for r in found]
    print(table(["id", "date", "score", "title", "why"], rows, flex=3))
    return 0


# --- tags ------------------------------------------------------------------------------


def tags_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
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


def cmd_tags(args: argparse.Namespace) -> int:
    from journal.search import tags

    j = open_journal(args)
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


COMMANDS = (
    Command(
        "search",
        "ranked matches over title, authors, abstract and commentary",
        cmd_search,
        search_arguments,
        description="Find entries by words in their title, authors, abstract or commentary (Korean "
        'words match inside longer words). All words must match; "a phrase" matches '
        "those words in order; -word excludes (journal search diffusion -distillation); "
        "tag:NAME and author:NAME filter.",
        loose_words="query",  # -word excludes a word: it is not an option
    ),
    Command(
        "related",
        "the entries most like one entry (links, shared tags, text)",
        cmd_related,
        related_arguments,
    ),
    Command(
        "tags",
        "tags with counts; rename or merge tags across the journal",
        cmd_tags,
        tags_arguments,
        description="Without an action: every tag with its number of entries. rename and merge rewrite "
        "the tags of every entry concerned in one atomic change.",
    ),
)
