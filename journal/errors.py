"""The errors a user can see. Every one says what was wrong and what to do."""

from __future__ import annotations

from pathlib import Path


class JournalError(Exception):
    """Base of every error the library raises on purpose.

    The CLI prints ``str(error)`` as one line on stderr and exits non-zero.
    """

    exit_code = 1


class ValidationError(JournalError, ValueError):
    """An entry field has a value the journal cannot store."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class InvalidArxivId(ValidationError):
    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(
            "arxiv",
            f"{text!r} is not an arXiv id or URL "
            "(expected e.g. 2405.05254, 2405.05254v2, hep-th/9901001 "
            "or https://arxiv.org/abs/2405.05254)",
        )


class EntryNotFound(JournalError, KeyError):
    def __init__(self, entry_id: str, hint: str = "") -> None:
        self.entry_id = entry_id
        extra = f" {hint}" if hint else " (see `journal list` for ids)"
        super().__init__(f"no entry with id {entry_id!r}{extra}")

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class AmbiguousId(JournalError, KeyError):
    def __init__(self, prefix: str, matches: list[str]) -> None:
        self.entry_id = prefix
        self.matches = matches
        shown = ", ".join(matches[:5])
        super().__init__(f"id prefix {prefix!r} matches several entries ({shown}); give more characters")

    def __str__(self) -> str:
        return str(self.args[0])


class PaperNotFound(EntryNotFound):
    """An arXiv id or URL given where an entry is asked for, and no entry is about it."""

    def __init__(self, given: str, arxiv_id: str) -> None:
        self.entry_id = given
        self.arxiv_id = arxiv_id
        JournalError.__init__(
            self,
            f"no entry is about the arXiv paper {arxiv_id}; `journal add --arxiv {arxiv_id}` adds it, "
            f"`journal search {arxiv_id}` finds entries that mention it",
        )


class AmbiguousPaper(AmbiguousId):
    """An arXiv id or URL given where one entry is asked for, and several are about it."""

    def __init__(self, given: str, arxiv_id: str, matches: list[str]) -> None:
        self.entry_id = given
        self.arxiv_id = arxiv_id
        self.matches = matches
        shown = ", ".join(matches[:5]) + (", ..." if len(matches) > 5 else "")
        JournalError.__init__(
            self,
            f"several entries are about the arXiv paper {arxiv_id} ({shown}); give one entry's id "
            f"(`journal show {arxiv_id}` shows them all)",
        )


class DuplicateEntry(JournalError):
    """Adding an entry whose id (or paper) is already in the journal."""

    def __init__(self, entry_id: str, title: str, date: str, reason: str = "id") -> None:
        self.entry_id = entry_id
        self.title = title
        self.date = date
        what = "this paper" if reason == "paper" else "an entry with the same id"
        super().__init__(
            f"{what} is already in the journal: {entry_id} ({date}) {title!r}; "
            f"see `journal show {entry_id}`"
            + (", or pass --again to add it once more" if reason == "paper" else "")
        )


class JournalFileError(JournalError):
    """The journal file (or its change log) cannot be read."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        super().__init__(f"{path}: {message}")


class CorruptJournal(JournalFileError):
    pass


class NewerSchema(JournalFileError):
    def __init__(self, path: Path | str, found: int, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            path,
            f"written by a newer journal (schema version {found}; this version reads up to "
            f"{supported}); upgrade with `pip install -U journal`",
        )


class JournalBusy(JournalFileError):
    pass


class UnknownLocation(JournalError):
    """A journal location whose URL scheme no storage backend handles."""

    def __init__(self, location: str, scheme: str, known: list[str]) -> None:
        self.location, self.scheme = location, scheme
        super().__init__(
            f"{location}: no journal backend for {scheme}:// locations; "
            f"give a file path or one of: {', '.join(s + '://' for s in known)}"
        )


class ImportFailed(JournalError):
    """A source file could not be imported; nothing was imported."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = message
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {message}; nothing was imported")


class UnknownFormat(JournalError):
    def __init__(self, name: str, choices: list[str], direction: str) -> None:
        self.name = name
        super().__init__(f"unknown {direction} format {name!r}; choose one of: {', '.join(choices)}")


class ExportFailed(JournalError):
    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        super().__init__(f"{path}: {message}")


class ArxivError(JournalError):
    """Fetching metadata from the arXiv API failed; nothing was changed."""


class ArxivUnreachable(ArxivError):
    def __init__(self, api: str, reason: str, variable: str = "JOURNAL_ARXIV_API") -> None:
        self.api = api
        super().__init__(f"cannot reach arXiv at {api} ({reason}); check your connection, or set {variable}")


class ArxivTimeout(ArxivUnreachable):
    def __init__(self, api: str, seconds: float, variable: str = "JOURNAL_ARXIV_API") -> None:
        self.seconds = seconds
        ArxivError.__init__(
            self,
            f"arXiv at {api} did not answer within {seconds:g} s; try again later, "
            f"or set {variable} to a mirror",
        )
        self.api = api


class ArxivNotFound(ArxivError):
    def __init__(self, ids: list[str], detail: str = "") -> None:
        self.ids = ids
        shown = ", ".join(ids)
        extra = f" ({detail})" if detail else ""
        super().__init__(f"arXiv has no paper {shown}{extra}; check the id at https://arxiv.org/abs/{ids[0]}")


class ArxivBadResponse(ArxivError):
    def __init__(self, api: str, message: str) -> None:
        self.api = api
        super().__init__(f"arXiv at {api} {message}")


class ListingError(JournalError):
    """A listing to triage (a file, a feed, a day) cannot be used; nothing was recorded."""

    def __init__(self, source: Path | str, message: str) -> None:
        self.source = str(source)
        super().__init__(f"{source}: {message}")


class NoAnnouncements(ListingError):
    """arXiv announced nothing on the day asked for (a weekend, a holiday, not yet)."""

    def __init__(self, day: str, last_day: str | None, reason: str) -> None:
        self.day = day
        self.last_day = last_day
        hint = f"; the last announcement day is {last_day} (journal triage {last_day})" if last_day else ""
        super().__init__(day, f"arXiv announced no papers on that day ({reason}){hint}")


class StoreError(JournalError):
    """A journal kept in object storage (``s3://...``) cannot be reached or used; nothing
    was changed. The message names the URL and what to do, never a credential."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        self.detail = message
        super().__init__(f"{url}: {message}")


class StoreUnreachable(StoreError):
    """The storage endpoint does not answer."""


class StoreAccessDenied(StoreError):
    """The storage refused these credentials."""


class StoreReadOnly(StoreAccessDenied):
    """The credentials may read the journal but not change it."""


class StoreUnsafe(StoreError):
    """The store ignores conditional writes (``If-None-Match``), so concurrent commits could
    overwrite each other: the journal refuses to write there."""


class ChangeKept(StoreError):
    """A write could not reach the store; its change rows wait in this machine's outbox
    (``journal sync``, or the next write, sends them). ``reason`` is why it failed."""

    def __init__(self, reason: StoreError, outbox: Path | str, waiting: int) -> None:
        self.reason = reason
        self.outbox = Path(outbox)
        self.waiting = waiting
        what = "the change is" if waiting == 1 else f"{waiting} changes are"
        it = "it" if waiting == 1 else "them"
        super().__init__(
            reason.url, f"{reason.detail}; {what} kept in {outbox} and `journal sync` sends {it}"
        )


class StoreNotFound(StoreError):
    """The bucket does not exist."""


class StoreConflict(StoreError):
    """Other writers kept changing the table; the change was retried and then given up."""


class ConfigError(JournalError):
    """The config file (``$XDG_CONFIG_HOME/journal/config.toml``) cannot be used."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        super().__init__(f"{path}: {problem}; fix or remove the file (or set $JOURNAL_READER)")


class NotYourEntry(JournalError):
    """A reader's edit or removal of an entry another reader wrote."""

    def __init__(self, entry_id: str, owner: str, reader: str) -> None:
        self.entry_id = entry_id
        self.owner = owner
        super().__init__(
            f"entry {entry_id} was written by {owner!r}, not by you ({reader!r}); "
            "pass --any-reader to change it anyway"
        )
