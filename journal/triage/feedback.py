"""What each reader told triage: dismissed papers, followed authors, muted phrases.

Kept as data beside the journal (``journal.side_path(SideState.FEEDBACK)``, locally
``<journal>.d/feedback/``), one JSON-lines file per reader, one line per event::

    {"reader": "ana", "action": "dismiss", "value": "2405.05254", "undo": false,
     "at": "2026-12-07T09:14:03+01:00"}

Events are only ever added: giving feedback appends a line, ``--undo`` appends another
that takes it back. A change rewrites the reader's file whole (temp file, fsync,
rename, fsync of the folder) under the journal's write lock, keeping the old bytes as they
were, so a kill leaves the file as it was or as it becomes and no event is ever lost. The
folder is the journal's shared folder of feedback (:func:`journal.store.shared_folder`):
for an ``s3://`` journal, ``<prefix>/feedback/<reader>.jsonl`` in the bucket, so it
follows the reader from machine to machine; there a change is one PUT conditional on
the version read, and a reader writing from two machines at once appends again on top
of the other.
:func:`read_feedback` gives every reader's events as a DataFrame; :func:`feedback_for`
what is in force for one reader, as the plain data the ranker takes
(:class:`~journal.triage.preferences.Feedback`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from journal.errors import ValidationError
from journal.model import parse_arxiv
from journal.store import SideState, as_journal, shared_folder, update_shared
from journal.text.phrases import phrase_key, phrase_words
from journal.triage.preferences import Feedback, fold_name

if TYPE_CHECKING:
    import pandas as pd

    from journal.store import Journal
    from journal.store.backend import SharedFolder

ACTIONS = ("dismiss", "follow", "mute")
#: How each action reads in messages: "2405.05254 is not dismissed".
DONE = {"dismiss": "dismissed", "follow": "followed", "mute": "muted"}
COLUMNS = ["reader", "action", "value", "date", "undone"]


def current_reader() -> str:
    """Who is giving feedback: the journal's reader (``$JOURNAL_READER``, else ``reader`` in
    the config file, else the login name: :func:`journal.store.readers.current_reader`)."""
    from journal.store.readers import current_reader as journal_reader

    return journal_reader()


def feedback_dir(journal: Journal | str | os.PathLike[str]) -> Path:
    """Where a local journal's feedback files live (an ``s3://`` journal's are in its
    bucket: :func:`journal.store.shared_folder`)."""
    return as_journal(journal).side_path(SideState.FEEDBACK)


def _reader_file(reader: str) -> str:
    return quote(reader, safe="") + ".jsonl"


def clean_value(action: str, value: str) -> str:
    """``value`` as kept for ``action``, or :class:`ValidationError`: an arXiv id without
    its version, one arXiv could have issued; a name or phrase with its white space
    collapsed, holding a letter or digit."""
    if action not in ACTIONS:
        raise ValidationError("action", f"{action!r} is not one of {', '.join(ACTIONS)}")
    text = str(value)
    if action == "dismiss":
        from journal.capture.arxiv import check_plausible

        arxiv_id = parse_arxiv(text)[0]  # InvalidArxivId: one line saying what an id looks like
        check_plausible(arxiv_id, text)  # 2501.0833: since 2015 a new-style id has 5 digits
        return arxiv_id
    kept = " ".join(text.split())
    if action == "follow" and not any(c.isalnum() for c in fold_name(kept)):
        raise ValidationError("follow", 'needs an author name, e.g. journal follow "Yann LeCun"')
    if action == "mute" and not any(c.isalnum() for c in "".join(phrase_words(kept.split()))):
        raise ValidationError("mute", 'needs a word or phrase, e.g. journal mute "federated learning"')
    return kept


def key_of(action: str, value: str) -> str:
    """What two values of ``action`` have in common when they are the same feedback."""
    if action == "follow":
        return fold_name(value)
    if action == "mute":
        return phrase_key(value)
    return value


@dataclass
class Given:
    """One piece of feedback: given on ``date``, taken back on ``undone`` (None: in force)."""

    reader: str
    action: str
    value: str
    date: dt.datetime
    undone: dt.datetime | None = None


def _events(folder: SharedFolder, names: list[str] | None = None) -> list[dict[str, Any]]:
    """The events in ``names`` (default: every reader's file in ``folder``)."""
    events = []
    for name in folder.names() if names is None else names:
        stored = folder.read(name) if name.endswith(".jsonl") and "/" not in name else None
        for line in stored.data.decode("utf-8").splitlines() if stored is not None else ():
            try:
                event = json.loads(line)
                event["at"] = dt.datetime.fromisoformat(event["at"])
            except (ValueError, KeyError, TypeError):
                continue  # not an event (a hand edit): left in the file, not applied
            if (
                isinstance(event, dict)
                and event.get("action") in ACTIONS
                and isinstance(event.get("value"), str)
            ):
                events.append(event)
    return events


def _replay(events: Iterable[dict[str, Any]]) -> list[Given]:
    """Every giving, in order, with when it was undone."""
    given: list[Given] = []
    open_: dict[tuple[str, str, str], Given] = {}
    for event in events:
        reader = str(event.get("reader") or "")
        key = (reader, event["action"], key_of(event["action"], event["value"]))
        if event.get("undo"):
            if key in open_:
                open_.pop(key).undone = event["at"]
        elif key not in open_:
            open_[key] = Given(reader, event["action"], event["value"], event["at"])
            given.append(open_[key])
    return given


def history(journal: Journal | str | os.PathLike[str], reader: str | None = None) -> list[Given]:
    """Every piece of feedback given (``reader``: only theirs), undone ones too."""
    folder = shared_folder(as_journal(journal).backend, SideState.FEEDBACK)
    # one reader's: their file alone (no listing, one read), not every reader's
    given = _replay(_events(folder, None if reader is None else [_reader_file(reader)]))
    return [g for g in given if reader is None or g.reader == reader]


def in_force(journal: Journal | str | os.PathLike[str], reader: str | None = None) -> list[Given]:
    """What ``reader`` (default: :func:`current_reader`) has given and not taken back."""
    who = current_reader() if reader is None else reader
    return [g for g in history(journal, who) if g.undone is None]


def feedback_for(journal: Journal | str | os.PathLike[str], reader: str | None = None) -> Feedback:
    """The feedback in force for ``reader`` as the ranker takes it."""
    given = in_force(journal, reader)
    return Feedback(
        dismissed=frozenset(g.value for g in given if g.action == "dismiss"),
        followed=tuple(g.value for g in given if g.action == "follow"),
        muted=tuple(g.value for g in given if g.action == "mute"),
    )


def read_feedback(journal: Journal | str | os.PathLike[str]) -> pd.DataFrame:
    """Every reader's feedback as a DataFrame, one row per giving, oldest first:
    ``reader``, ``action`` (dismiss, follow, mute), ``value`` (arXiv id, name, phrase),
    ``date`` (when given) and ``undone`` (when taken back; NaT: in force). Times are UTC."""
    import pandas as pd

    rows = [(g.reader, g.action, g.value, g.date, g.undone) for g in history(journal)]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("date", "undone"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def give(
    journal: Journal | str | os.PathLike[str],
    action: str,
    values: Iterable[str],
    *,
    undo: bool = False,
    reader: str | None = None,
    now: dt.datetime | None = None,
) -> list[tuple[str, bool]]:
    """Give (or with ``undo`` take back) ``action`` on each of ``values`` for ``reader``
    (default: :func:`current_reader`). Each value is ``(value as kept, changed)``:
    False when it was already in force (or already not). Bad input (an id that is not an
    arXiv id, an empty name or phrase, undoing what was never given) raises
    :class:`ValidationError` and nothing is written."""
    who = current_reader() if reader is None else reader
    cleaned = list(dict.fromkeys(clean_value(action, v) for v in values))
    if not cleaned:
        raise ValidationError(action, "needs something to act on")
    j = as_journal(journal)
    with j.write_lock():
        forced = {key_of(g.action, g.value) for g in in_force(j, who) if g.action == action}
        if undo:
            missing = [v for v in cleaned if key_of(action, v) not in forced]
            if missing:
                raise ValidationError(
                    action,
                    f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not {DONE[action]} "
                    f"for {who}, so there is nothing to undo; `journal feedback` lists what is in force",
                )
        changed = [(v, (key_of(action, v) in forced) == undo) for v in cleaned]
        when = (now or dt.datetime.now(dt.timezone.utc)).astimezone().isoformat(timespec="seconds")
        lines = [
            json.dumps(
                {"reader": who, "action": action, "value": v, "undo": undo, "at": when}, ensure_ascii=False
            )
            for v, change in changed
            if change
        ]
        if lines:
            added = "".join(line + "\n" for line in lines).encode("utf-8")

            def appended(old: bytes | None) -> bytes:
                old = old or b""
                return old + (b"\n" if old and not old.endswith(b"\n") else b"") + added

            update_shared(shared_folder(j.backend, SideState.FEEDBACK), _reader_file(who), appended)
    return changed


def spellings(journal: Journal | str | os.PathLike[str], name: str) -> list[str]:
    """The spellings of author ``name`` in the recorded listings (case and accents aside),
    the most frequent first."""
    from collections import Counter

    from journal.triage.listings import recorded_column

    key = fold_name(name)
    seen: Counter[str] = Counter()
    for authors in recorded_column(journal, "authors"):
        seen.update(a for a in authors or () if a and fold_name(a) == key)
    return [spelling for spelling, _ in seen.most_common()]
