"""This machine's outbox for a journal in remote storage: writes that could not reach the
store yet, kept so that no typed word is lost.

A write goes through the outbox on its way to the store (:meth:`Outbox.commit`): its
change rows are first appended to ``outbox.jsonl`` (fsynced) with an id of their own, then
sent, and only then marked sent. A writer killed mid-commit, a store that does not answer
or refuses the write leave the rows there; the next write (or ``journal sync``) sends
them first, in the order they were written. Sending twice is harmless (the store's
writes are idempotent: appends add only ids not stored yet, changes set values), so a
crash between sending and marking leaves nothing doubled.

The file is JSON lines, appended only: ``{"write": ID, "at": TIME, "rows": [...]}`` for a
write (the encoded change rows of :mod:`journal.store.schema`) and ``{"sent": ID}`` once it
is in the store. A torn last line (a kill mid-append) is skipped. When nothing waits the
file is removed. One process at a time appends or sends (``flock`` on ``lock`` beside it).
No credential is ever written here: only the change rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from journal.errors import ChangeKept, StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: one process per machine writes
    fcntl = None  # type: ignore[assignment]

FILE = "outbox.jsonl"


def encode_rows(rows: list[dict[str, object]]) -> bytes:
    """Change rows (as ``json.loads`` gives them) encoded again, one JSON line each."""
    return b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in rows)


class Outbox:
    """The outbox in ``folder`` (the backend's ``side_path(SideState.OUTBOX)``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / FILE

    def __repr__(self) -> str:
        return f"<Outbox {str(self.path)!r}>"

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold this machine's outbox lock (other processes wait)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    def pending(self) -> list[tuple[str, bytes]]:
        """The writes not sent yet, oldest first: ``(id, encoded change rows)``."""
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return []
        writes: dict[str, bytes] = {}
        for line in text.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a torn line: its write was never acknowledged, nor was it sent
            if not isinstance(record, dict):
                continue
            if "sent" in record:
                writes.pop(str(record["sent"]), None)
            elif "write" in record and isinstance(record.get("rows"), list):
                writes[str(record["write"])] = encode_rows(record["rows"])
        return list(writes.items())

    def __len__(self) -> int:
        return len(self.pending())

    def _append(self, record: dict[str, object]) -> None:
        line = json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # after a torn line, start a new one
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def add(self, data: bytes) -> str:
        """Keep a write's encoded change rows (durably); returns its id. Lock held."""
        write_id = uuid.uuid4().hex
        rows = [json.loads(line) for line in data.splitlines() if line.strip()]
        at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self._append({"write": write_id, "at": at, "rows": rows})
        return write_id

    def mark_sent(self, write_id: str) -> None:
        """Note that a write is in the store; the file goes once nothing waits. Lock held."""
        self._append({"sent": write_id})

    def _send_all(self, send: Callable[[bytes], None]) -> int:
        """Send every waiting write in order (lock held); raises the store's error at the
        first that fails, which stays with the ones after it."""
        sent = 0
        for write_id, data in self.pending():
            send(data)
            self.mark_sent(write_id)
            sent += 1
        if sent and not self.pending():
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        return sent

    def send(self, send: Callable[[bytes], None]) -> int:
        """Send what waits, oldest first; how many writes were sent. Raises
        :class:`~journal.errors.ChangeKept` (naming this file) if the store fails."""
        if not self.path.exists():
            return 0
        with self.locked():
            try:
                return self._send_all(send)
            except StoreError as e:
                raise self.kept(e) from None

    def commit(self, data: bytes, send: Callable[[bytes], None], failed: StoreError | None = None) -> None:
        """Keep ``data`` here, then send it after whatever waits before it. ``failed``: the
        store already failed in this command (no second attempt). Raises
        :class:`~journal.errors.ChangeKept` if it cannot be sent: the rows stay here."""
        with self.locked():
            self.add(data)
            if failed is not None:
                raise self.kept(failed)
            try:
                self._send_all(send)
            except StoreError as e:
                raise self.kept(e) from None

    def kept(self, error: StoreError) -> ChangeKept:
        """The one-line error for a write that waits here because of ``error``."""
        reason = error.reason if isinstance(error, ChangeKept) else error
        return ChangeKept(reason, self.path, len(self.pending()))
