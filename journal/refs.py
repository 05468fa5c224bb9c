"""What a reader may type to name an entry: its id, a unique prefix of its id (4 or more
characters), or the paper it is about, by arXiv id or URL (``2503.04625``,
``2503.04625v2``, ``arXiv:2503.04625``, ``hep-th/9901001``,
``https://arxiv.org/abs/2503.04625v2``, ``.../pdf/...``).

An arXiv id or URL cannot be mistaken for an id prefix: ids are hex digits, and every
arXiv id has a dot (new style) or a slash (old style). An exact id still wins (an
imported entry may carry an id of its own), and an arXiv-looking text that names no paper
of the journal is tried as a prefix after all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import AmbiguousPaper, EntryNotFound, InvalidArxivId, PaperNotFound
from .model import parse_arxiv

if TYPE_CHECKING:
    from .store import Journal


def arxiv_ref(text: str) -> str | None:
    """The arXiv id (without version) that ``text`` names, if it is an arXiv id or URL."""
    if not isinstance(text, str) or ("." not in text and "/" not in text):
        return None  # an id or a prefix of one: no network, no regex
    try:
        return parse_arxiv(text)[0]
    except InvalidArxivId:
        return None


def paper_ids(journal: Journal, text: str) -> list[str]:
    """The ids of the entries about the arXiv paper ``text`` names, in journal order
    (oldest first); empty when ``text`` is no arXiv id or URL, or no entry is about it."""
    arxiv_id = arxiv_ref(text)
    if arxiv_id is None:
        return []
    return [ref[0] for ref in journal.lookup("arxiv_id", [arxiv_id])]


def resolve_paper(journal: Journal, text: str) -> str | None:
    """The id of the one entry about the arXiv paper ``text`` names; None when there is
    none (or ``text`` names no paper). Several: :class:`~journal.errors.AmbiguousPaper`,
    for a command that acts on one entry (``edit``, ``rm``, ``related``)."""
    found = paper_ids(journal, text)
    if len(found) > 1:
        raise AmbiguousPaper(text.strip(), arxiv_ref(text) or text, found)
    return found[0] if found else None


def entry_ids(journal: Journal, text: str) -> list[str]:
    """Every entry ``text`` names, for ``journal show``: the entry of an id or unique
    prefix, or every entry about the arXiv paper ``text`` names (oldest first)."""
    key = text.strip()
    if key in journal:
        return [key]
    return paper_ids(journal, key) or [journal.resolve(key)]


def not_found(text: str) -> EntryNotFound:
    """The error for ``text`` naming no entry: about the paper when it is an arXiv id or URL."""
    arxiv_id = arxiv_ref(text)
    return EntryNotFound(text) if arxiv_id is None else PaperNotFound(text, arxiv_id)
