"""The query language of ``journal search`` (SPEC): text -> a :class:`Query` of conditions.

A query is words separated by white space, all of which must match::

    diffusion 학습            both words, anywhere in title, authors, abstract or commentary
    "key value cache"         a phrase: these words in this order (white space or punctuation between)
    2503.04625                an arXiv paper (any form of its id or URL): its entries and mentions
    -distillation             entries without the word (also -"a phrase")
    tag:efficiency            entries with the tag (case, - and _ ignored; -tag: excludes)
    author:dong               an author name containing "dong" (author:"Li Dong" for two words)

How conditions match and rank is :mod:`journal.search.query`; snippets and highlighting
are :mod:`journal.search.snippets`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from journal.errors import ValidationError
from journal.model import tag_key
from journal.store.refs import arxiv_ref
from journal.text.phrases import phrase_words

_QUALIFIER = re.compile(r"(tags?|authors?):", re.IGNORECASE)


@dataclass(frozen=True)
class Condition:
    """One part of a query. ``words``: one word (a term) or several (a phrase)."""

    field: str  # "text", "tag" or "author"
    words: tuple[str, ...]
    negated: bool = False

    def __str__(self) -> str:
        value = self.words[0] if len(self.words) == 1 else '"' + " ".join(self.words) + '"'
        prefix = "" if self.field == "text" else f"{self.field}:"
        return ("-" if self.negated else "") + prefix + value


@dataclass
class Query:
    conditions: list[Condition] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(str(c) for c in self.conditions)

    @property
    def scored(self) -> list[Condition]:
        """The conditions that rank results: positive text words and phrases."""
        return [c for c in self.conditions if c.field == "text" and not c.negated]


def parse_query(text: str) -> Query:
    """Parse the query language (module doc). Raises only :class:`ValidationError`."""
    if not isinstance(text, str):
        raise ValidationError("query", f"{text!r} is not text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("query", "is not valid text (it holds an unpaired surrogate)") from None
    conditions: list[Condition] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        if negated:
            i += 1
        kind = "text"
        qualifier = _QUALIFIER.match(text, i)
        if qualifier:
            kind = qualifier.group(1).lower().rstrip("s")
            i = qualifier.end()
        quoted = i < n and text[i] == '"'
        if quoted:
            end = text.find('"', i + 1)
            end = n if end < 0 else end  # an unclosed quote runs to the end
            value, i = text[i + 1 : end], end + 1
        else:
            start = i
            while i < n and not text[i].isspace():
                i += 1
            value = text[start:i]
        words = tuple(value.split())
        if len(words) > 1:
            words = phrase_words(list(words))
        if kind == "text" and not quoted and len(words) == 1:
            words = (arxiv_ref(value) or value,)  # a paper by any form of its id or URL
        if kind == "tag":
            key = tag_key(value)  # a leading # is ignored too
            if not key:
                raise ValidationError("query", "tag: needs a tag after the colon, e.g. tag:diffusion")
            words = (key,)
        elif not words:
            if kind == "author":
                raise ValidationError(
                    "query", 'author: needs a name after the colon, e.g. author:dong or author:"Li Dong"'
                )
            continue  # an empty phrase ""
        conditions.append(Condition(kind, words, negated))
    return Query(conditions)
