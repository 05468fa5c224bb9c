"""The commands that present the journal: ``journal digest`` (one day as text),
``journal stats`` (a summary of the reading) and ``journal render`` (the daily and
analysis notebooks through papermill)."""

from __future__ import annotations

import argparse

from journal.cli.common import Command, add_feed_options, add_reader_option, open_journal
from journal.errors import ValidationError

# --- digest ----------------------------------------------------------------------------


def digest_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    p.add_argument("day", metavar="DATE", help="the day, YYYY-MM-DD")
    p.add_argument(
        "--lang", choices=["ko", "en"], default="ko", help="language of the date line (default ko)"
    )
    add_reader_option(p)


def cmd_digest(args: argparse.Namespace) -> int:
    from journal.formats.digest import render_day
    from journal.model import parse_date

    day = parse_date(args.day)
    entries = open_journal(args).entries(date=day, reader=args.reader)
    print(render_day(day, entries, args.lang))
    return 0


# --- stats -----------------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace) -> int:
    from journal.publish.summary import stats_text

    print(stats_text(open_journal(args).entries()))
    return 0


# --- render ----------------------------------------------------------------------------


def render_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    p.add_argument("day", metavar="DATE", nargs="?", help="the day, YYYY-MM-DD (also: today, yesterday)")
    p.add_argument("--until", metavar="DATE", help="render every day from DATE to this day (inclusive)")
    p.add_argument("--to", metavar="DIR", default="digests", help="where to write (default: ./digests)")
    p.add_argument("--lang", choices=["ko", "en"], default="ko", help="date line language (default ko)")
    p.add_argument("--analysis", action="store_true", help="render the analysis notebook instead of days")
    p.add_argument("--from", dest="start", metavar="DATE", help="with --analysis: first day (default: all)")
    add_feed_options(p, "")


def cmd_render(args: argparse.Namespace) -> int:
    from journal.publish.notebooks import render_analysis, render_days

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


COMMANDS = (
    Command("digest", "print one day's digest (SPEC section 2)", cmd_digest, digest_arguments),
    Command("stats", "entries per month, top tags, top authors", cmd_stats),
    Command(
        "render",
        "run the daily notebook with papermill: DIR/YYYY-MM-DD.ipynb, .html and .md per day",
        cmd_render,
        render_arguments,
        description="Run the daily notebook with papermill and write, per day, the executed notebook, "
        "a clean HTML page (no code) and the markdown. A range runs in one kernel. "
        "With --analysis, render the analysis notebook (plots of your reading) to HTML.",
    ),
)
