"""The draft store and the debouncer behind the capture form's drafts."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import cli_env

from journal.capture.drafts import Debouncer, DraftStore, edit_key, new_key
from journal.errors import JournalError

KOREAN = "어텐션 없이도 긴 문맥을 다룰 수 있다는 주장.\n\n두 번째 문단: 실험이 더 필요해 보입니다."


def wait_for(predicate, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    done = threading.Event()
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return True
        done.wait(0.02)
    return predicate()


def test_write_read_delete_round_trip(journal_path: Path) -> None:
    store = DraftStore(journal_path)
    assert store.folder == journal_path.with_name("entries.parquet.d") / "drafts"
    key = new_key()
    values = {"title": "제목", "commentary": KOREAN, "tags": ["a", "b"], "fetched": {"arxiv_version": 2}}
    store.write(key, values)
    draft = store.read(key)
    assert draft is not None and draft.values == values and draft.key == key
    assert draft.entry_id is None
    assert [d.key for d in store.drafts()] == [key]
    # the file is plain UTF-8 JSON a human can rescue words from
    assert (
        KOREAN
        in json.loads((store.folder / f"{key}.json").read_text(encoding="utf-8"))["values"]["commentary"]
    )
    store.delete(key)
    store.delete(key)  # deleting twice is fine
    assert store.read(key) is None and store.drafts() == []


def test_rewrite_leaves_no_temp_files(journal_path: Path) -> None:
    store = DraftStore(journal_path)
    for i in range(20):
        store.write("new-1", {"commentary": "x" * i})
    assert [p.name for p in store.folder.iterdir()] == ["new-1.json"]
    assert store.read("new-1").values == {"commentary": "x" * 19}  # type: ignore[union-attr]


def test_kinds_and_order(journal_path: Path) -> None:
    store = DraftStore(journal_path)
    first, second = new_key(), new_key()
    store.write(first, {"title": "old"})
    store.write(edit_key("abc123"), {"title": "edit"})
    store.write(second, {"title": "newer"})
    assert [d.values["title"] for d in store.drafts("new")] == ["newer", "old"]
    (edit,) = store.drafts("edit")
    assert edit.entry_id == "abc123"


def test_unreadable_draft_is_skipped_and_kept(journal_path: Path) -> None:
    store = DraftStore(journal_path)
    store.folder.mkdir(parents=True)
    (store.folder / "new-broken.json").write_text("{not json", encoding="utf-8")
    assert store.read("new-broken") is None
    assert store.drafts() == []
    assert (store.folder / "new-broken.json").exists()


def test_claim_moves_a_draft_once(journal_path: Path) -> None:
    store = DraftStore(journal_path)
    store.write("new-a", {"title": "mine"})
    claimed = store.claim("new-a", "new-b")
    assert claimed is not None and claimed.values == {"title": "mine"}
    assert store.keys() == ["new-b"]
    assert store.claim("new-a", "new-c") is None  # someone else got it first
    store.write("new-d", {"title": "other"})
    with pytest.raises(JournalError, match="already exists"):
        store.claim("new-d", "new-b")
    assert sorted(store.keys()) == ["new-b", "new-d"]


@pytest.mark.parametrize("key", ["", "../x", "a/b", ".hidden"])
def test_bad_keys_are_refused(journal_path: Path, key: str) -> None:
    with pytest.raises(JournalError, match="not a draft key"):
        DraftStore(journal_path).write(key, {})


def test_write_failure_is_a_journal_error(tmp_path: Path) -> None:
    blocker = tmp_path / "entries.parquet.d"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(JournalError, match="cannot write the draft"):
        DraftStore(tmp_path / "entries.parquet").write("new-1", {"commentary": "words"})


def test_debouncer_flush_runs_the_latest_value_once() -> None:
    calls: list[int] = []
    d = Debouncer(calls.append, delay=60)
    for i in range(5):
        d(i)
    assert d.pending and calls == []
    d.flush()
    d.flush()
    assert calls == [4] and not d.pending


def test_debouncer_fires_on_its_own() -> None:
    calls: list[str] = []
    d = Debouncer(calls.append, delay=0.05)
    d("typed")
    assert wait_for(lambda: calls == ["typed"])


def test_debouncer_cancel_drops_the_pending_value() -> None:
    calls: list[str] = []
    d = Debouncer(calls.append, delay=60)
    d("typed")
    d.cancel()
    d.flush()
    assert calls == []


def test_debouncer_keeps_errors_of_the_timer_thread() -> None:
    def fail(value: str) -> None:
        raise OSError("disk full")

    d = Debouncer(fail, delay=60)
    d("typed")
    d.flush()
    assert [str(e) for e in d.errors] == ["disk full"]


def test_pending_draft_is_written_when_the_process_exits(journal_path: Path) -> None:
    """A kernel shut down (restart, closed notebook) before the debounce delay is over
    still writes what was typed."""
    code = (
        "import sys\n"
        "from journal.capture.drafts import Debouncer, DraftStore\n"
        "store = DraftStore(sys.argv[1])\n"
        "d = Debouncer(lambda v: store.write('new-exit', v), delay=3600)\n"
        "d({'commentary': sys.argv[2]})\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(journal_path), KOREAN],
        env=cli_env(),
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    draft = DraftStore(journal_path).read("new-exit")
    assert draft is not None and draft.values["commentary"] == KOREAN
