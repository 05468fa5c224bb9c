"""What a reader told triage, as plain data the ranker applies (no I/O, like the ranker).

:class:`Feedback` holds the dismissed papers, the followed authors and the muted phrases
in force for one reader (:mod:`journal.triage.feedback` keeps them beside the journal);
the rules for matching them are here so that storing and ranking agree: a name is
followed whatever its case and accents (:func:`fold_name`), a phrase is muted as search
matches phrases (:mod:`journal.text.phrases`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from journal.text.phrases import phrase_key, phrase_matcher

if TYPE_CHECKING:
    import pandas as pd


def fold_name(name: str) -> str:
    """An author name as a key matched without regard to case, accents or spacing
    (``José  García`` and ``jose garcia`` are one key): casefold, NFKD, combining
    marks dropped."""
    decomposed = unicodedata.normalize("NFKD", str(name).casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


@dataclass(frozen=True)
class Feedback:
    """One reader's feedback in force: ``dismissed`` arXiv ids (no version), ``followed``
    author names and ``muted`` phrases (as given)."""

    dismissed: frozenset[str] = frozenset()
    followed: tuple[str, ...] = ()
    muted: tuple[str, ...] = ()
    _followed_keys: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    _matchers: list[tuple[str, Callable[[str], bool]]] = field(
        default_factory=list, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self._followed_keys.update({fold_name(n): n for n in self.followed})
        self._matchers.extend((p, phrase_matcher(p)) for p in self.muted)

    def __bool__(self) -> bool:
        return bool(self.dismissed or self.followed or self.muted)

    def followed_in(self, authors: Iterable[object]) -> list[str]:
        """The names among ``authors`` (as the paper spells them) that are followed."""
        return [str(a) for a in authors if fold_name(str(a)) in self._followed_keys]

    def muted_in(self, *texts: object) -> str | None:
        """The first muted phrase one of ``texts`` holds (None: none)."""
        for phrase, match in self._matchers:
            if any(isinstance(t, str) and match(t) for t in texts):
                return phrase
        return None


def apply_feedback(ranked: pd.DataFrame, feedback: Feedback) -> pd.DataFrame:
    """``ranked`` (the day's unread papers with ``score`` and ``reason``) in rank order
    with ``feedback``: papers by a followed author first, then the others, then those
    holding a muted phrase (``muted`` True), each group by score; ``followed`` is True for
    the first group; the reason says which author or phrase. Dismissed papers are already gone (the ranker drops them)."""

    def listed(value: object) -> list[object]:
        if value is None or isinstance(value, float):
            return []
        return [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]

    empty = [None] * len(ranked)
    titles = ranked["title"].tolist() if "title" in ranked else empty
    abstracts = ranked["abstract"].tolist() if "abstract" in ranked else empty
    authors = ranked["authors"].tolist() if "authors" in ranked else empty
    tiers, reasons, muted = [], [], []
    for title, abstract, names, reason in zip(titles, abstracts, authors, ranked["reason"], strict=True):
        phrase = feedback.muted_in(title, abstract)
        follows = feedback.followed_in(listed(names))
        said = [str(reason)] if reason else []
        if phrase is not None:
            tiers.append(2)
            said.insert(0, f"muted: \u201c{phrase}\u201d")
        elif follows:
            tiers.append(0)
            said.insert(0, "you follow " + ", ".join(follows[:3]))
        else:
            tiers.append(1)
        reasons.append(" \u00b7 ".join(said))
        muted.append(phrase is not None)
    followed = [t == 0 for t in tiers]
    out = ranked.assign(reason=reasons, muted=muted, followed=followed, _tier=tiers)
    out = out.sort_values(["_tier", "score"], ascending=[True, False], kind="stable")
    return out.drop(columns="_tier")


__all__ = ["Feedback", "apply_feedback", "fold_name", "phrase_key"]
