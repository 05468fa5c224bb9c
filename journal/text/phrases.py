"""Phrases as search matches them, for any layer: the words of a typed phrase, and a
matcher of plain Python strings that agrees with search's Arrow one.

A phrase is its words in order with white space or punctuation between (``"key value
cache"`` matches ``Key-Value cache``); one word matches anywhere in a word
(``LLM`` matches ``LLMs``), both without regard to case. :mod:`journal.search` matches
phrases over its index with Arrow (RE2, :func:`journal.search.query.phrase_regex`); the
triage ranker matches muted phrases in a day's titles and abstracts with
:func:`phrase_matcher`, and search's snippets find and mark matches with
:func:`phrase_pattern`. A test checks that Python and Arrow say the same.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

# Between two words of a phrase: one or more characters that are neither letters nor
# digits (search's ``[^\p{L}\p{N}]+``; Python's ``\w`` is letters, digits and ``_``).
_GAP = r"[\W_]+"


def phrase_words(words: list[str]) -> tuple[str, ...]:
    """The words of a phrase as matched: punctuation where two words meet belongs to the
    gap between them (``"linear, time"`` is ``linear`` then ``time``); the phrase's own
    two ends stay as typed."""

    def ends(k: int) -> tuple[int, int]:
        word = words[k]
        a, b = 0, len(word)
        if k > 0:
            while a < b and not word[a].isalnum():
                a += 1
        if k < len(words) - 1:
            while b > a and not word[b - 1].isalnum():
                b -= 1
        return a, b

    cut = [words[k][slice(*ends(k))] for k in range(len(words))]
    return tuple(w for w in cut if w)


def phrase_key(phrase: str) -> str:
    """One typed phrase as a comparable key: its matched words, case folded, one space
    between (``"Key-value  Cache"`` and ``"key-value cache"`` are one phrase)."""
    return " ".join(phrase_words(phrase.split())).casefold()


@functools.lru_cache(maxsize=256)
def phrase_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """A Python pattern for ``words`` (as :func:`phrase_words` gives them) in order, with
    white space or punctuation between, without regard to case."""
    return re.compile(_GAP.join(re.escape(w) for w in words), re.IGNORECASE)


def phrase_matcher(phrase: str) -> Callable[[str], bool]:
    """Whether a text holds ``phrase`` as search would find it (see the module)."""
    words = phrase_words(phrase.split())
    if not words:
        return lambda text: False
    pattern = phrase_pattern(words)
    return lambda text: bool(text) and pattern.search(text) is not None
