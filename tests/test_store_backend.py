"""The storage seam: backends picked by the location's URL scheme, a toy in-memory backend
running the journal (so the seam is real), and side state where it always was."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pytest
from conftest import cli_env, fresh_python

import journal
from journal.errors import DuplicateEntry, EntryNotFound, JournalError, UnknownLocation
from journal.store import (
    Finding,
    Layers,
    SideState,
    StorageBackend,
    backend_for,
    register_backend,
    side_path_for,
)
from journal.store.local import LocalParquetBackend
from journal.store.registry import known_schemes
from journal.store.schema import SCHEMA, empty_table, merge, rows_to_table

T = TypeVar("T")


# --- a toy backend: the whole journal in memory ------------------------------------------


class MemoryBackend:
    """Entries in one Arrow table, every commit merged in at once (no change log)."""

    def __init__(self, location: str, side_root: Path) -> None:
        self.location = location
        self.path = Path(location)
        self.side_root = side_root
        self.table = empty_table(SCHEMA)
        self.version = 0
        self.commits = 0
        self.lock = threading.RLock()

    def snapshot(self, key: Any) -> pa.Table:
        return self.table

    def snapshot_columns(self, key: Any, columns: list[str]) -> pa.Table:
        return self.table.select(columns)

    def snapshot_fields(self, key: Any) -> list[str]:
        return list(self.table.column_names)

    def change_rows(self, names: tuple[str, ...]) -> bytes:
        return b""

    def read_layers(self, read: Callable[[Layers], T]) -> T:
        return read(Layers(self, self.version, ()))

    @contextlib.contextmanager
    def write_lock(self, *, check_file: bool = True) -> Iterator[None]:
        with self.lock:
            yield

    def commit(self, data: bytes, rows: int) -> None:
        assert self.lock._is_owned()  # type: ignore[attr-defined]  # the journal holds the lock
        self.table = merge(self.table, rows_to_table(data))
        self.version += 1
        self.commits += 1

    def compact(self) -> int:
        return 0

    def upgrade(self) -> bool:
        return False

    def pending_changes(self) -> int:
        return 0

    def exists(self) -> bool:
        return True

    def check_storage(self, *, repair: bool) -> list[Finding]:
        return []

    def side_path(self, kind: SideState) -> Path:
        return self.side_root / kind.value


MEMORY: dict[str, MemoryBackend] = {}


@pytest.fixture
def mem(tmp_path: Path) -> Iterator[str]:
    """A ``mem-test://`` location whose journal lives in this process."""

    def factory(location: str) -> StorageBackend:
        if location not in MEMORY:
            MEMORY[location] = MemoryBackend(location, tmp_path / "side")
        return MEMORY[location]

    register_backend("mem-test", factory)
    location = f"mem-test://{tmp_path.name}"
    yield location
    MEMORY.pop(location, None)


# --- the registry --------------------------------------------------------------------------


def test_a_plain_path_is_the_local_store(tmp_path: Path) -> None:
    for location in (tmp_path / "entries.parquet", str(tmp_path / "entries.parquet"), "entries.parquet"):
        backend = backend_for(location)
        assert isinstance(backend, LocalParquetBackend)
        assert backend.path == Path(location)


def test_a_file_url_is_the_local_store(tmp_path: Path) -> None:
    target = tmp_path / "my journal.parquet"
    for url in (target.as_uri(), f"file://localhost{target.as_posix()}"):
        backend = backend_for(url)
        assert isinstance(backend, LocalParquetBackend)
        assert backend.path == target
    j = journal.open(target.as_uri())
    j.add(title="By URL", date="2024-05-09")
    assert [e.title for e in journal.open(target).entries()] == ["By URL"]  # the same file


def test_an_unknown_scheme_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UnknownLocation) as caught:
        journal.open("gs://bucket/prefix")
    message = str(caught.value)
    assert isinstance(caught.value, JournalError)
    assert message.startswith("gs://bucket/prefix: no journal backend for gs:// locations")
    for scheme in known_schemes():
        assert f"{scheme}://" in message
    assert "file://" in message
    assert not list(tmp_path.iterdir())  # nothing was created anywhere


def test_the_cli_says_an_unknown_scheme_in_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "journal", "list", "--journal", "gs://bucket/prefix"],
        capture_output=True,
        text=True,
        env=cli_env(),
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "no journal backend for gs:// locations" in proc.stderr and "file://" in proc.stderr


# --- a second backend, through the public API -----------------------------------------------


def test_a_registered_backend_runs_the_journal(mem: str) -> None:
    j = journal.open(mem)
    assert isinstance(j.backend, MemoryBackend)
    first = j.add(title="Diffusion Distillation", date="2024-05-09", tags="diffusion")
    second = j.add(title="Key Value Cache", date="2024-05-10", arxiv_id="2405.05254")
    with pytest.raises(DuplicateEntry):
        j.add(first)

    again = journal.open(mem)  # another Journal on the same location sees the entries
    assert [e.title for e in again.entries()] == ["Diffusion Distillation", "Key Value Cache"]
    assert len(again) == 2 and first.id in again
    assert again.get(second.id[:6]).arxiv_id == "2405.05254"
    assert again.lookup("arxiv_id", ["2405.05254"]) == [(second.id, second.date, second.title)]

    edited = again.update(first.id, commentary="증류 메모")
    assert journal.open(mem).get(first.id).commentary == "증류 메모"
    assert edited.created_at == first.created_at

    assert (
        again.add_many([second, journal.make_entry(title="Third", date="2024-05-11")]).added[0].title
        == "Third"
    )
    removed = again.delete(second.id)
    assert removed.id == second.id
    with pytest.raises(EntryNotFound):
        journal.open(mem).get(second.id)
    assert [e.title for e in journal.open(mem).entries()] == ["Diffusion Distillation", "Third"]
    assert MEMORY[mem].commits == 5  # each write one commit
    assert journal.open(mem).to_pandas()["title"].tolist() == ["Diffusion Distillation", "Third"]

    hits = journal.open(mem).search("증류")  # the facade's search over another backend
    assert hits["id"].tolist() == [first.id]
    assert journal.open(mem).check() == []


def test_side_state_of_another_backend_is_where_it_says(mem: str, tmp_path: Path) -> None:
    from journal.capture.drafts import DraftStore

    j = journal.open(mem)
    assert j.side_path(SideState.LISTINGS) == tmp_path / "side" / "listings"
    assert side_path_for(mem, SideState.DRAFTS) == tmp_path / "side" / "drafts"
    assert DraftStore(mem).folder == tmp_path / "side" / "drafts"


# --- the local store's side state did not move ------------------------------------------------


def test_local_side_state_is_where_it_always_was(journal_path: Path) -> None:
    sidecar = journal_path.parent / (journal_path.name + ".d")
    expected = {
        SideState.LISTINGS: sidecar / "listings",
        SideState.FEEDBACK: sidecar / "feedback",
        SideState.ARXIV_CACHE: sidecar / "arxiv-cache",
        SideState.ARXIV_RSS: sidecar / "arxiv-rss",
        SideState.TRIAGE_CACHE: sidecar / "triage-cache",
        SideState.SEARCH_INDEX: sidecar / "search.arrow",
        SideState.MARKDOWN_SYNC: sidecar / "markdown-sync.json",
        SideState.EXPORTED: sidecar / "exported.json",
        SideState.DRAFTS: sidecar / "drafts",
        SideState.DAMAGED: sidecar / "damaged",
        SideState.TMP: sidecar / "tmp",
        SideState.OUTBOX: sidecar / "outbox",
    }
    assert set(expected) == set(SideState)
    j = journal.open(journal_path)
    for kind, path in expected.items():
        assert j.side_path(kind) == path
        assert side_path_for(journal_path, kind) == path
        assert side_path_for(str(journal_path), kind) == path


def test_the_store_imports_no_search() -> None:
    """Journal.search lives in the facade: the store class does not know search."""
    code = (
        "import sys, journal.store.entrystore as s; j = s.Journal('x.parquet');"
        "print(hasattr(j, 'search'), any(m.startswith('journal.search') for m in sys.modules))"
    )
    assert fresh_python(code) == ["False", "False"]
    assert hasattr(journal.Journal, "search") and journal.Journal.search.__doc__


def test_the_store_is_in_no_import_circle() -> None:
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("journal")
    store = {m for m in graph.modules if m == "journal.store" or m.startswith("journal.store.")}
    for module in store:
        for other in graph.find_modules_that_directly_import(module):
            assert not graph.chain_exists(importer=module, imported=other), (module, other)
    internals = {"journal.store.local", "journal.store.local_check", "journal.store.entrystore"}
    for module in graph.modules - store:  # the rest uses what journal.store hands on
        assert not graph.find_modules_directly_imported_by(module) & internals, module
