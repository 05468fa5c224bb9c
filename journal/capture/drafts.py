"""Drafts: what a reader typed into a capture form and has not saved yet.

A draft is one small JSON file under ``<journal>.d/drafts/`` (beside the store's own
sidecar files), replaced atomically on every write, so a closed tab, a kernel restart or
a crash leaves the last written version. Keys:

- ``new-<time>-<random>``: a new entry being captured; each open form writes its own key,
  and a form that opens adopts (``claim``) the newest one left behind;
- ``edit-<entry id>``: unsaved changes to an existing entry.

:class:`Debouncer` turns "write on every keystroke" into "write 0.5 s after the typing
stops (and at least every 2 s while it goes on)", from a timer thread.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import secrets
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journal.errors import JournalError
from journal.fileio import write_atomic
from journal.store import SideState, side_path_for

NEW_PREFIX = "new-"
EDIT_PREFIX = "edit-"


@dataclass(frozen=True)
class Draft:
    """One stored draft: its key, the form's values, and when it was written."""

    key: str
    values: dict[str, Any]
    saved_at: dt.datetime

    @property
    def entry_id(self) -> str | None:
        """The entry an edit draft belongs to (None for a new entry)."""
        return self.key[len(EDIT_PREFIX) :] if self.key.startswith(EDIT_PREFIX) else None


def new_key() -> str:
    """A fresh key for a new-entry draft (sorts by creation time)."""
    return f"{NEW_PREFIX}{time.time_ns():020d}-{secrets.token_hex(3)}"


def edit_key(entry_id: str) -> str:
    return f"{EDIT_PREFIX}{entry_id}"


def _check_key(key: str) -> str:
    if not key or "/" in key or "\\" in key or key.startswith(".") or "\0" in key:
        raise JournalError(f"{key!r} is not a draft key")
    return key


class DraftStore:
    """The drafts of the journal at ``journal_path`` (``<journal>.d/drafts/``)."""

    def __init__(self, journal_path: str | os.PathLike[str]) -> None:
        self.folder = side_path_for(journal_path, SideState.DRAFTS)

    def __repr__(self) -> str:
        return f"<DraftStore {str(self.folder)!r}>"

    def _path(self, key: str) -> Path:
        return self.folder / f"{_check_key(key)}.json"

    def write(self, key: str, values: dict[str, Any]) -> None:
        """Store ``values`` under ``key``: a crash leaves the old version or the new one."""
        payload = {"key": key, "saved_at": dt.datetime.now(dt.timezone.utc).isoformat(), "values": values}
        data = json.dumps(payload, ensure_ascii=False, indent=1, default=str).encode("utf-8")
        target = self._path(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(target, data)
        except OSError as e:
            raise JournalError(
                f"cannot write the draft {target}: {e.strerror or e}; copy your text elsewhere"
            ) from None

    def read(self, key: str) -> Draft | None:
        """The draft stored under ``key``, or None (also for an unreadable file, which is
        left in place for a human to recover)."""
        try:
            raw = json.loads(self._path(key).read_text(encoding="utf-8"))
            values = raw["values"]
            saved_at = dt.datetime.fromisoformat(raw["saved_at"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not isinstance(values, dict):
            return None
        return Draft(key, values, saved_at)

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass

    def keys(self) -> list[str]:
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        return sorted(n[:-5] for n in names if n.endswith(".json") and not n.startswith("."))

    def drafts(self, kind: str | None = None) -> list[Draft]:
        """Readable drafts, newest first; ``kind`` ``"new"`` or ``"edit"`` selects one kind."""
        prefix = {"new": NEW_PREFIX, "edit": EDIT_PREFIX, None: ""}[kind]
        found = [d for k in self.keys() if k.startswith(prefix) and (d := self.read(k)) is not None]
        return sorted(found, key=lambda d: d.saved_at, reverse=True)

    def claim(self, key: str, new_key: str) -> Draft | None:
        """Move the draft ``key`` to ``new_key`` (a form adopting it) and return it; None
        when another form claimed it first. The rename is atomic, so two forms never
        both adopt the same draft."""
        src, dest = self._path(key), self._path(new_key)
        if dest.exists():
            raise JournalError(f"draft {new_key!r} already exists; claim into a fresh key")
        try:
            os.replace(src, dest)
        except FileNotFoundError:
            return None
        return self.read(new_key)


# --- debouncing ----------------------------------------------------------------------

_LIVE: weakref.WeakSet[Debouncer] = weakref.WeakSet()


class Debouncer:
    """Call ``fn(value)`` with the latest value given, ``delay`` seconds after the last
    call, and at least every ``max_wait`` seconds while calls keep coming.

    ``flush()`` calls it now (a Save, a mode switch); pending calls also run when the
    process exits normally (a kernel shutdown or restart)."""

    def __init__(self, fn: Callable[[Any], None], delay: float = 0.5, max_wait: float = 2.0) -> None:
        self.fn = fn
        self.delay = delay
        self.max_wait = max_wait
        self._lock = threading.Lock()
        self._pending = False
        self._value: Any = None
        self._first: float = 0.0
        self._timer: threading.Timer | None = None
        self.errors: list[Exception] = []
        _LIVE.add(self)

    def __call__(self, value: Any) -> None:
        with self._lock:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._pending = True
            self._value = value
            if self._timer is not None:
                self._timer.cancel()
            wait = max(0.0, min(self.delay, self._first + self.max_wait - now))
            self._timer = threading.Timer(wait, self.flush)
            self._timer.daemon = True
            self._timer.start()

    @property
    def pending(self) -> bool:
        return self._pending

    def flush(self) -> None:
        """Run the pending call now (no-op when nothing is pending)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if not self._pending:
                return
            self._pending = False
            value = self._value
            self._value = None
            try:
                self.fn(value)
            except Exception as e:  # a timer thread has nobody to raise to: keep it
                self.errors.append(e)

    def cancel(self) -> None:
        """Drop the pending call (the draft it would write was saved or discarded)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._pending = False
            self._value = None


@atexit.register
def _flush_all() -> None:
    for d in list(_LIVE):
        d.flush()
