"""Feedback for triage: ``journal dismiss``, ``journal follow``, ``journal mute`` (each
with ``--undo``) and ``journal feedback`` (what is in force). Kept per reader
(``$JOURNAL_READER``, else the login name) beside the journal; see docs/triage.md."""

from __future__ import annotations

import argparse
import sys

from journal.cli.common import Command

_READER = "Feedback is the reader's: $JOURNAL_READER, else the login name. See docs/triage.md (Feedback)."


def _undo(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--undo", action="store_true", help=f"take back {what}")


def dismiss_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    p.add_argument("ids", nargs="+", metavar="ARXIV_ID", help="arXiv ids or URLs (any version: the paper)")
    _undo(p, "the dismissal")


def follow_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    p.add_argument(
        "words", nargs="+", metavar="NAME", help='the author, e.g. "Yann LeCun" (case and accents aside)'
    )
    _undo(p, "following them")


def mute_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    p.add_argument("words", nargs="+", metavar="PHRASE", help='a word or phrase, e.g. "federated learning"')
    _undo(p, "the mute")


def feedback_arguments(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--json", action="store_true", help="one JSON object per line: reader, action, value, date"
    )


def _report(action: str, changed: list[tuple[str, bool]], undo: bool) -> None:
    from journal.triage.feedback import DONE

    for value, change in changed:
        shown = value if action == "dismiss" else f"\u201c{value}\u201d"
        if not change:
            print(f"{shown} was already {DONE[action]}", file=sys.stderr)
        elif undo:
            print(f"{shown}: no longer {DONE[action]}")
        else:
            print(f"{shown}: {DONE[action]}")


def cmd_dismiss(args: argparse.Namespace) -> int:
    from journal.triage.feedback import give

    _report("dismiss", give(args.journal, "dismiss", args.ids, undo=args.undo), args.undo)
    return 0


def cmd_follow(args: argparse.Namespace) -> int:
    from journal.triage.feedback import give, spellings

    changed = give(args.journal, "follow", [" ".join(args.words)], undo=args.undo)
    _report("follow", changed, args.undo)
    if not args.undo:
        name = changed[0][0]
        found = spellings(args.journal, name)
        if len(found) > 1:
            print(f"  matches {len(found)} spellings in the recorded listings: {'; '.join(found)}")
        elif not found:
            print("  no paper in the recorded listings is by them yet")
    return 0


def cmd_mute(args: argparse.Namespace) -> int:
    from journal.triage.feedback import give

    _report("mute", give(args.journal, "mute", [" ".join(args.words)], undo=args.undo), args.undo)
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from journal.text.termtable import table
    from journal.triage.feedback import current_reader, in_force

    reader = current_reader()
    given = in_force(args.journal, reader)
    if args.json:
        import json

        for g in given:
            record = {"reader": g.reader, "action": g.action, "value": g.value, "date": g.date.isoformat()}
            print(json.dumps(record, ensure_ascii=False))
        return 0
    if given:
        rows = [[g.date.strftime("%Y-%m-%d %H:%M"), g.action, g.value] for g in given]
        print(table(["given", "action", "value"], rows, flex=2))
    print(f"{len(given)} in force for {reader}", file=sys.stderr)
    return 0


COMMANDS = (
    Command(
        "dismiss",
        "not for me: drop arXiv papers from triage and teach the ranker (--undo)",
        cmd_dismiss,
        dismiss_arguments,
        description="Dismiss arXiv papers: they leave every triage ranking, and the ranker learns "
        "from them as papers you do not want (far more than from papers you merely passed "
        "over). " + _READER,
    ),
    Command(
        "follow",
        "follow an author: their new papers rank first in triage (--undo)",
        cmd_follow,
        follow_arguments,
        description="Follow an author: their new papers in a triage ranking come first, the reason "
        "naming them. Matched without regard to case and accents; the spellings the recorded "
        "listings hold are listed. " + _READER,
    ),
    Command(
        "mute",
        "mute a word or phrase: matching papers rank last in triage (--undo)",
        cmd_mute,
        mute_arguments,
        description="Mute a word or phrase: papers whose title or abstract holds it go below every "
        "other paper in triage (shown with --limit 0). Matched as search matches phrases: "
        "any case, white space or punctuation between the words. " + _READER,
    ),
    Command(
        "feedback",
        "list the triage feedback in force (dismissed, followed, muted), with dates",
        cmd_feedback,
        feedback_arguments,
        description="List the feedback in force: what you have dismissed, followed and muted and "
        "not taken back, oldest first, with the time each was given. " + _READER,
    ),
)
