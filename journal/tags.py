"""Tag care: counts, and renaming or merging tags across the journal in one atomic change
(``Journal.put_many``: every entry concerned is rewritten, or none is)."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .errors import ValidationError
from .model import normalise_tags, tag_key

if TYPE_CHECKING:
    import pyarrow as pa

    from .model import Entry
    from .store import Journal


def tag_counts(journal: Journal) -> list[tuple[str, int]]:
    """Every tag with its number of entries, the most used first (then by name)."""
    return table_tag_counts(journal.to_arrow())


def table_tag_counts(table: pa.Table) -> list[tuple[str, int]]:
    """:func:`tag_counts` of a table of the store's schema (without importing pandas)."""
    import pyarrow.compute as pc

    from .table import strings

    counts = Counter(t for t in strings(pc.list_flatten(table["tags"])) if t is not None)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _one_tag(text: str, what: str) -> str:
    tags = normalise_tags(text) if isinstance(text, str) else ()
    if len(tags) != 1:
        raise ValidationError(what, f"{text!r} is not one tag (a tag has no spaces or commas)")
    return tags[0]


def _unknown(tag: str, known: Iterable[str]) -> ValidationError:
    known = list(known)
    close = difflib.get_close_matches(tag, known, n=5, cutoff=0.6)
    hint = f"; did you mean {', '.join('#' + t for t in close[:5])}?" if close else "; see `journal tags`"
    return ValidationError("tags", f"no entry has the tag #{tag}{hint}")


def _rewrite(entries: list[Entry], sources: set[str], into: str) -> list[Entry]:
    """Entries whose tags change: each tag whose :func:`~journal.model.tag_key` is one of
    ``sources`` (any spelling: the one rule of tag matching) becomes ``into``, in place; a
    tag that then appears twice (in any spelling) is kept once, at its first place."""
    changed = []
    for e in entries:
        keys = [tag_key(t) for t in e.tags]
        if not sources.intersection(keys):
            continue
        tags = tuple(into if k in sources else t for t, k in zip(e.tags, keys, strict=True))
        once: dict[str, str] = {}
        for t in tags:
            once.setdefault(tag_key(t), t)
        tags = tuple(once.values())
        if tags != e.tags:
            changed.append(e.replace(tags=tags))
    return changed


def merge_tags(journal: Journal, tags: Iterable[str], *, into: str) -> int:
    """Replace each of ``tags`` by ``into`` in every entry, in one atomic change.

    Tags match by the one rule (:func:`~journal.model.tag_key`: case, ``-``, ``_``
    ignored), so every spelling of a tag given becomes ``into``. ``into`` may be new or
    one of ``tags``. Every tag given must be in use (else nothing changes and the error
    lists close matches). Returns how many entries changed."""
    target = _one_tag(into, "into")
    sources = list(dict.fromkeys(_one_tag(t, "tags") for t in tags))
    if not sources:
        raise ValidationError("tags", "give at least one tag to merge")

    def check(known: set[str]) -> None:
        keys = {tag_key(t) for t in known}
        for tag in sources:
            if tag_key(tag) not in keys:
                raise _unknown(tag, known)

    def change(entries: list[Entry]) -> list[Entry]:
        check({t for e in entries for t in e.tags})  # again under the lock: tags may have moved
        return _rewrite(entries, {tag_key(t) for t in sources}, target)

    check({t for t, _ in tag_counts(journal)})  # before the lock creates any file

    return journal.put_many(change)


def rename_tag(journal: Journal, old: str, new: str) -> int:
    """Rename tag ``old`` (every spelling of it, as :func:`merge_tags`) to ``new`` in every
    entry, in one atomic change (renaming to a tag already in use merges the two; renaming
    ``ml`` to ``ML`` spells every ``ml`` and ``Ml`` as ``ML``). Returns how many entries changed."""
    source, target = _one_tag(old, "old"), _one_tag(new, "new")
    spellings = {t for t, _ in tag_counts(journal) if tag_key(t) == tag_key(source)}
    if source == target and spellings <= {target}:
        raise ValidationError("new", f"#{target} is already the tag's name; nothing to rename")
    return merge_tags(journal, [source], into=target)
