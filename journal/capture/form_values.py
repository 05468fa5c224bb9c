"""What a capture form's values mean, without any widget: the text a reader typed turned
into entry fields (validated exactly as the command line validates them), saved through
the store, and an entry turned back into form values for editing.

Form values are JSON-ready (they are also what a draft stores)::

    source      "https://arxiv.org/abs/2405.05254", "2405.05254v2", a blog URL, or ""
    title, authors ("A, B"), abstract, commentary   text as typed
    tags        a list of tags
    date        "YYYY-MM-DD" ("" means today)
    fetched     {"url", "arxiv_id", "arxiv_version"} from the last Fetch (or the entry)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from journal.errors import DuplicateEntry, InvalidArxivId, ValidationError
from journal.model import (
    Entry,
    abs_url,
    arxiv_from_url,
    make_entry,
    normalise_authors,
    normalise_tags,
    normalise_text,
    parse_arxiv,
    parse_date,
)

TEXT_FIELDS = ("source", "title", "authors", "abstract", "commentary")
#: Where a model error shows up in a form: url and arXiv problems belong to the source box.
_FORM_FIELD = {
    "url": "source",
    "links": "source",
    "arxiv": "source",
    "arxiv_id": "source",
    "arxiv_version": "source",
}


class SamePaper(DuplicateEntry):
    """The paper of a new entry is already in the journal (another day): the reader may
    open that entry instead, or save this one as a new reading."""

    def __init__(self, existing: Entry) -> None:
        self.existing = existing
        super().__init__(existing.id, existing.title, existing.date.isoformat(), reason="paper")


def form_field(error: ValidationError) -> str:
    """The form field a validation error belongs next to."""
    return _FORM_FIELD.get(error.field, error.field)


def blank_values(date: dt.date | None = None) -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(TEXT_FIELDS, "")
    values.update(tags=[], date=(date or dt.date.today()).isoformat(), fetched={})
    return values


def is_blank(values: dict[str, Any]) -> bool:
    """Nothing typed yet (the date alone does not count)."""
    return not any(str(values.get(f) or "").strip() for f in TEXT_FIELDS) and not values.get("tags")


def values_from_entry(entry: Entry) -> dict[str, Any]:
    """The form values that show ``entry`` for editing."""
    source = entry.url or ""
    if not source and entry.arxiv_id:
        source = entry.arxiv_id + (f"v{entry.arxiv_version}" if entry.arxiv_version else "")
    return {
        "source": source,
        "title": entry.title,
        "authors": ", ".join(entry.authors),
        "abstract": entry.abstract,
        "commentary": entry.commentary,
        "tags": list(entry.tags),
        "date": entry.date.isoformat(),
        "fetched": {"url": entry.url, "arxiv_id": entry.arxiv_id, "arxiv_version": entry.arxiv_version},
    }


def values_from_paper(paper: dict[str, Any], date: dt.date | None = None) -> dict[str, Any]:
    """New-entry form values filled from a listing paper (a ``journal triage`` record:
    ``arxiv_id``, ``title``, ``authors``, ``abstract``), as a Fetch would fill them, so
    the reader types only commentary and tags."""
    arxiv_id = str(paper["arxiv_id"])
    values = blank_values(date)
    values.update(
        source=abs_url(arxiv_id),
        title=str(paper.get("title") or ""),
        authors=", ".join(str(a) for a in paper.get("authors") or []),
        abstract=str(paper.get("abstract") or ""),
        fetched={"url": abs_url(arxiv_id), "arxiv_id": arxiv_id, "arxiv_version": None},
    )
    return values


def source_fields(source: str, fetched: dict[str, Any] | None = None) -> dict[str, Any]:
    """``url``, ``arxiv_id`` and ``arxiv_version`` from the source box.

    An arXiv id or arXiv URL gives the id (and version); a bare id gets the arXiv
    abstract page as its URL. What the last Fetch returned wins when it is the same paper.
    """
    text = (source or "").strip()
    fetched = fetched or {}
    if not text:
        return {"url": None, "arxiv_id": None, "arxiv_version": None}
    found: tuple[str, int | None] | None
    url: str | None = text
    if "://" in text:
        found = arxiv_from_url(text)
    else:
        try:
            found, url = parse_arxiv(text), None  # also arXiv URLs written without https://
        except InvalidArxivId:
            if "." not in text and "/" not in text:
                raise
            found = None  # a URL without its scheme: make_entry says what a URL looks like
    if found is None:
        return {"url": url, "arxiv_id": None, "arxiv_version": None}
    arxiv_id, version = found
    if fetched.get("arxiv_id") == arxiv_id:
        version = version if version is not None else fetched.get("arxiv_version")
        url = url or fetched.get("url")
    return {"url": url or abs_url(arxiv_id), "arxiv_id": arxiv_id, "arxiv_version": version}


def fields_from_form(values: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for :func:`journal.model.make_entry` (raises ValidationError)."""
    fields = source_fields(values.get("source") or "", values.get("fetched"))
    fields.update(
        title=values.get("title") or "",
        authors=values.get("authors") or "",
        abstract=values.get("abstract") or "",
        commentary=values.get("commentary") or "",
        tags=list(values.get("tags") or []),
        date=values.get("date") or None,
    )
    return fields


def entry_from_form(values: dict[str, Any]) -> Entry:
    """A new entry from form values, validated as ``journal add`` validates."""
    return make_entry(**fields_from_form(values))


def changes_from_form(entry: Entry, values: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``entry`` the form changed (for :meth:`Journal.update`)."""
    changes: dict[str, Any] = {}
    title = values.get("title") or ""
    if " ".join(title.split()) != entry.title:
        changes["title"] = title
    for name in ("abstract", "commentary"):
        text = values.get(name) or ""
        if normalise_text(text) != getattr(entry, name):
            changes[name] = text
    if normalise_authors(values.get("authors") or "") != entry.authors:
        changes["authors"] = values.get("authors") or ""
    tags = list(values.get("tags") or [])
    if normalise_tags(tags) != entry.tags:
        changes["tags"] = tags
    if values.get("date") and parse_date(values["date"]) != entry.date:
        changes["date"] = values["date"]
    if (values.get("source") or "").strip() != values_from_entry(entry)["source"]:
        changes.update(source_fields(values.get("source") or "", values.get("fetched")))
    return changes


def find_same(journal: Any, entry: Entry) -> Entry | None:
    """An entry of the same paper already in the journal (same arXiv id or URL, the rule
    of ``journal add``), or None."""
    from journal.capture.paper import find_same_paper

    return find_same_paper(journal, entry)


def save_form(
    journal: Any, values: dict[str, Any], *, entry_id: str | None = None, again: bool = False
) -> tuple[Entry, bool]:
    """Store the form: a new entry, or the changes to ``entry_id``.

    Returns ``(entry, written)``; ``written`` is False when an edit changed nothing.
    Raises ValidationError (nothing written), :class:`SamePaper` for a paper already in
    the journal unless ``again``, DuplicateEntry for an id already there.
    """
    if entry_id is None:
        entry = entry_from_form(values)
        if again:
            from journal.capture.paper import (
                with_fresh_id,  # a second reading on the same day, as `journal add --again`
            )

            entry = with_fresh_id(journal, entry)
        else:
            same = find_same(journal, entry)
            if same is not None:
                raise SamePaper(same)
        return journal.add(entry), True
    old = journal.get(entry_id)
    changes = changes_from_form(old, values)
    if not changes:
        return old, False
    return journal.update(old.id, **changes), True
