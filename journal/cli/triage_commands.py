"""``journal triage``: rank a day's arXiv listing by the journal, as a table (or JSON
lines), papers already read listed apart."""

from __future__ import annotations

import argparse
import sys

from journal.cli.common import Command, note
from journal.errors import ValidationError
from journal.text import wording
from journal.text.termtable import clip, table, terminal_width, width


def triage_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
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
        "--min-chance",
        metavar="P",
        help="instead of the best N, every paper whose chance (the probability that you journal it, "
        "0 to 1) is above P",
    )
    p.add_argument(
        "--reader",
        metavar="NAME",
        help="rank by NAME's entries and feedback; papers NAME journaled are read (default: yours)",
    )
    p.add_argument("--atom", metavar="FILE", help="also write the papers shown as an Atom feed to FILE")
    p.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per line, in rank order (read papers last): arxiv_id, title, authors, "
        "abstract, url, category, date, score, rank, read, reason, chance",
    )


def cmd_triage(args: argparse.Namespace) -> int:
    from journal.model import check_reader, parse_date
    from journal.triage.chance import NO_CHANCE, check_min_chance, percent
    from journal.triage.picks_feed import check_feed_path, write_picks
    from journal.triage.service import paper_records, triage_fetch, triage_file

    if args.limit < 0:
        raise ValidationError("limit", f"{args.limit} is negative; give 0 (all) or more")
    min_chance = check_min_chance(args.min_chance)
    if args.atom:
        check_feed_path(args.atom)
    day = parse_date(args.day) if args.day else None
    reader = check_reader(args.reader) if args.reader is not None else None
    if args.date:
        other = parse_date(args.date)
        if day is not None and other != day:
            raise ValidationError("date", f"DATE {day} and --date {other} differ; give one")
        day = other
    if args.listing:
        if args.cat:
            raise ValidationError("cat", "--cat chooses what to fetch; a --listing file is ranked whole")
        result = triage_file(args.journal, args.listing, day=day, reader=reader)
    else:
        categories = [c.strip() for c in args.cat.split(",") if c.strip()] if args.cat else None
        result = triage_fetch(args.journal, categories, day=day, reader=reader)
    if result.note:
        note(result.note)
    has_chance = bool(len(result.ranked)) and result.ranked["chance"].notna().any()
    if min_chance is not None and not has_chance:
        note(f"{NO_CHANCE}; showing the best {args.limit} instead")
        min_chance = None
    records = paper_records(result, limit=args.limit, min_chance=min_chance)
    if args.atom:
        write_picks(args.atom, result, records)
    if args.json:
        import json

        for record in records:
            print(json.dumps(record, ensure_ascii=False))
        return 0
    ranked = [r for r in records if not r["read"]]
    read = [r for r in records if r["read"]]
    total = len(result.ranked)
    if ranked and has_chance:
        rows = [
            [
                str(r["rank"]),
                f"{r['score']:.2f}",
                percent(r["chance"]),
                r["arxiv_id"],
                r["title"],
                r["reason"],
            ]
            for r in ranked
        ]
        print(table(["rank", "score", "chance", "arxiv", "title", "why"], rows, flex=4, cut=[5]))
    elif ranked:
        rows = [[str(r["rank"]), f"{r['score']:.2f}", r["arxiv_id"], r["title"], r["reason"]] for r in ranked]
        print(table(["rank", "score", "arxiv", "title", "why"], rows, flex=3, cut=[4]))  # why gives way
    if read:
        print(f"\nalready in {whose_journal(reader)} ({len(read)}):")
        room = terminal_width() - 4
        for r in read:
            print(f"  {r['arxiv_id']}  {clip(r['title'], room - width(r['arxiv_id']))}")
    if min_chance is not None:
        followed = sum(1 for r in ranked if not (r["chance"] or 0) > min_chance)  # kept: a followed author's
        more = f"; showing the {len(ranked) - followed} with a chance above {min_chance:g}"
        more += f" and {followed} by authors you follow" if followed else ""
    else:
        more = f"; showing {len(ranked)} (--limit 0 shows all)" if len(ranked) < total else ""
    if "muted" in result.ranked and (muted := int(result.ranked["muted"].sum())):
        more += f"; {muted} muted, last"
    if total and not has_chance:
        more += f"; {NO_CHANCE}"
    print(
        f"{result.day.isoformat()}: {wording.count(total, 'new paper')} ranked from {result.source}, "
        f"{len(read)} already read{more}",
        file=sys.stderr,
    )
    return 0


def whose_journal(reader: str | None) -> str:
    """ "your journal", or "NAME's journal" when ``--reader`` names another reader."""
    from journal.errors import JournalError
    from journal.store import current_reader

    if reader is None:
        return "your journal"
    try:
        yours = reader == current_reader()
    except JournalError:  # no current reader to compare with: NAME is someone
        yours = False
    return "your journal" if yours else f"{reader}'s journal"


COMMANDS = (
    Command(
        "triage",
        "rank a day's arXiv listing by your journal (fetched, or --listing FILE)",
        cmd_triage,
        triage_arguments,
        description="Rank the new papers of an arXiv announcement day by what your journal holds, and "
        "record the listing as seen beside the journal (what you passed over teaches the "
        "ranker too). Without --listing, fetches the day's announcements (new and "
        "cross-lists) of --cat from arXiv's feed, once: a second triage of the day is "
        "offline. Papers already in the journal are shown as read, outside the ranking. "
        "See docs/triage.md.",
    ),
)
