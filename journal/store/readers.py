"""Who is writing: the reader an entry is recorded under (SPEC section 1), and the rules
that make entries per reader (ids, the duplicate refusal, who may edit what).

The reader is ``$JOURNAL_READER``, else the ``reader`` setting of the config file
(:func:`config_path`: ``$XDG_CONFIG_HOME/journal/config.toml``, by default
``~/.config/journal/config.toml``, holding e.g. ``reader = "ada"``), else the login name
(``getpass.getuser()``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from journal.errors import ConfigError, NotYourEntry, ValidationError
from journal.model import Entry, check_reader, reader_id

if TYPE_CHECKING:
    import pyarrow as pa

READER_ENV = "JOURNAL_READER"


def config_path() -> Path:
    """Where the journal's config file is: ``$XDG_CONFIG_HOME/journal/config.toml``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "journal" / "config.toml"


def configured_reader() -> str | None:
    """The ``reader`` setting of the config file, None when there is no file or no setting."""
    path = config_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ConfigError(path, f"cannot be read ({e.strerror or e})") from None
    import tomllib

    try:
        settings = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(path, f"is not valid TOML ({e})") from None
    value = settings.get("reader")
    if value is None:
        return None
    try:
        return check_reader(value)
    except ValidationError as e:
        raise ConfigError(path, f"the reader setting is not usable ({e})") from None


def current_reader() -> str:
    """Who is writing: ``$JOURNAL_READER``, else the config file's ``reader``, else the
    login name."""
    from_env = os.environ.get(READER_ENV, "").strip()
    if from_env:
        return check_reader(from_env, READER_ENV)
    configured = configured_reader()
    if configured:
        return configured
    import getpass

    try:
        return check_reader(getpass.getuser())
    except (OSError, KeyError, ValidationError):  # no login name (a container without a user)
        raise ConfigError(config_path(), "names no reader and there is no login name") from None


def for_reader(entry: Entry, reader: str, *, shared: bool, owner_of: Callable[[str], str | None]) -> Entry:
    """``entry`` as ``reader`` adds it. An entry that already names its reader (e.g. a
    line of an export) is kept as it is. Otherwise it gets ``reader``, and its id takes the
    reader in (:func:`journal.model.reader_id`) in a shared journal (``shared``: writers on
    several machines, who cannot see each other's adds in time), or in a local one when
    the plain id is another reader's entry: so the duplicate refusal is per reader.
    ``owner_of(id)``: the reader of the entry with that id ("" for an entry without a
    reader, None when there is none)."""
    if entry.reader is not None:
        return entry
    if shared:
        return entry.replace(id=reader_id(entry.id, reader), reader=reader)
    owner = owner_of(entry.id)
    if owner is None or owner == "" or owner == reader:
        return entry.replace(reader=reader)
    return entry.replace(id=reader_id(entry.id, reader), reader=reader)


def check_owner(entry: Entry, reader: str, *, any_reader: bool = False) -> None:
    """Refuse (:class:`NotYourEntry`) ``reader``'s change to another reader's entry unless
    ``any_reader``; entries without a reader (from before readers) anyone may change."""
    if not any_reader and entry.reader is not None and entry.reader != reader:
        raise NotYourEntry(entry.id, entry.reader, reader)


class Owners:
    """``owner_of`` (see :func:`for_reader`) for a batch of adds: ``ids`` are the
    journal's; the readers of its entries are read from ``table()`` once, when the first
    taken id is asked about."""

    def __init__(self, ids: set[str], table: Callable[[], pa.Table]) -> None:
        self.ids = ids
        self.table = table
        self.owners: dict[str | None, str | None] | None = None

    def __call__(self, entry_id: str) -> str | None:
        if entry_id not in self.ids:
            return None
        if self.owners is None:
            from journal.store.schema import strings

            table = self.table()
            self.owners = dict(zip(strings(table["id"]), strings(table["reader"]), strict=True))
        return self.owners.get(entry_id) or ""
