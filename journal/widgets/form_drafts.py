"""The drafts of one capture form: what it keeps on disk while the reader types.

Each form writes its new entry's draft under a key of its own (two tabs never overwrite
each other's words); an edited entry's draft is keyed by the entry's id. Writes wait
until typing pauses (:class:`~journal.capture.drafts.Debouncer`). A new form takes over
the newest draft another form left, and may take any other on request. Storage itself is
:mod:`journal.capture.drafts`; the widgets are :mod:`journal.widgets.capture_form`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from journal.capture import form_values as forms
from journal.capture.drafts import Debouncer, Draft, DraftStore, edit_key, new_key
from journal.model import Entry


class FormDrafts:
    """The draft keys and the debounced draft writer of one capture form."""

    def __init__(self, store: DraftStore, *, delay: float) -> None:
        self.store = store
        self.new_key = new_key()  # the key of this form's new entry
        self.writer = Debouncer(self._write, delay=delay)

    def key_for(self, entry: Entry | None) -> str:
        """The draft key of ``entry`` (None: this form's new entry)."""
        return edit_key(entry.id) if entry is not None else self.new_key

    def queue(self, entry: Entry | None, values: dict[str, Any]) -> None:
        """Write ``values`` as the draft of ``entry`` (None: the new entry) once typing
        pauses; a form equal to the stored entry (or a blank new form) has no draft."""
        self.writer((self.key_for(entry), entry, values))

    def _write(self, job: tuple[str, Entry | None, dict[str, Any]]) -> None:
        key, entry, values = job
        unchanged = forms.is_blank(values) if entry is None else values == forms.values_from_entry(entry)
        if unchanged:
            self.store.delete(key)
        else:
            self.store.write(key, values)

    def flush(self) -> str | None:
        """Write the pending draft now; the error that kept it from disk, if any."""
        self.writer.flush()
        return str(self.writer.errors.pop()) if self.writer.errors else None

    def cancel(self) -> None:
        """Forget the pending draft (it was saved, or thrown away)."""
        self.writer.cancel()

    def renew(self) -> None:
        """Use a fresh key for the next new entry (the old one's draft stays on disk)."""
        self.new_key = new_key()

    def own(self) -> Draft | None:
        """This form's new-entry draft, if one is on disk."""
        return self.store.read(self.new_key)

    def others(self) -> list[Draft]:
        """The new-entry drafts other forms left, newest first."""
        return [d for d in self.store.drafts("new") if d.key != self.new_key]

    def claim_newest(self) -> Draft | None:
        """Take over the newest draft another form left (None: there is none)."""
        for draft in self.others():
            claimed = self.store.claim(draft.key, self.new_key)
            if claimed is not None:
                return claimed
        return None

    def take(self, key: str) -> None:
        """Make the draft ``key`` (another form's) this form's new entry, if it is still there."""
        fresh = new_key()
        if self.store.claim(key, fresh) is not None:
            self.new_key = fresh


def other_draft_options(drafts: Sequence[Draft]) -> list[tuple[str, str]]:
    """The "Other drafts" menu: a blank choice, then ``(when and title, key)`` per draft."""
    options: list[tuple[str, str]] = [("", "")]
    for d in drafts:
        title = str(d.values.get("title") or d.values.get("source") or "(untitled)")[:60]
        when = d.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
        options.append((f"{when} {title}", d.key))
    return options


def restored_note(draft: Draft, note: str) -> str:
    """The line shown above a restored draft (HTML): ``note`` and when it was last typed."""
    when = draft.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
    return f"<i>{html.escape(note)} (last typed {when}).</i>"
