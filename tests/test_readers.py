"""Readers (issue 21): every entry records who wrote it; per-reader ids, duplicate
refusal and edits; the schema upgrade 2 -> 3."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import journal
from journal.errors import ConfigError, DuplicateEntry, NotYourEntry
from journal.model import make_entry, make_id, reader_id
from journal.store.readers import config_path, current_reader

V2_JOURNAL = Path(__file__).resolve().parent / "data" / "journal-v2.parquet"
PAPER = {"title": "You Only Cache Once", "arxiv_id": "2405.05254", "date": "2024-05-09"}


@pytest.fixture(autouse=True)
def no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("JOURNAL_READER", raising=False)
    return tmp_path / "config" / "journal" / "config.toml"


def test_the_reader_comes_from_the_env_then_the_config_then_the_login(
    no_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "login")
    assert current_reader() == "login"
    assert config_path() == no_config
    no_config.parent.mkdir(parents=True)
    no_config.write_text('reader = "ada"\n', encoding="utf-8")
    assert current_reader() == "ada"
    monkeypatch.setenv("JOURNAL_READER", "grace")
    assert current_reader() == "grace"


def test_a_bad_config_file_is_one_clear_error_and_changes_nothing(
    no_config: Path, journal_path: Path
) -> None:
    no_config.parent.mkdir(parents=True)
    no_config.write_text("reader = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.toml: is not valid TOML"):
        journal.open(journal_path).add(**PAPER)
    assert not journal_path.exists()


def test_an_add_records_its_reader_and_a_local_id_is_as_before(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNAL_READER", "ada")
    e = journal.open(journal_path).add(**PAPER)
    assert e.reader == "ada" and e.id == make_id(make_entry(**PAPER).date, arxiv_id="2405.05254")
    assert journal.open(journal_path).get(e.id).reader == "ada"
    assert pq.read_table(journal_path)["reader"].to_pylist() == ["ada"]


def test_a_first_add_looks_its_id_up_once(journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader rule (whose is the plain id?) and the duplicate refusal share one lookup
    of the id column: a local ``journal add`` reads it once, not twice."""
    monkeypatch.setenv("JOURNAL_READER", "ada")
    journal.open(journal_path).add(title="Another paper", date="2024-05-01")
    calls: list[tuple[str, list[str]]] = []
    lookup = journal.Journal.lookup

    def counted(self: journal.Journal, column: str, values: list[str]) -> list[tuple[str, object, str]]:
        calls.append((column, list(values)))
        return lookup(self, column, values)

    monkeypatch.setattr(journal.Journal, "lookup", counted)
    e = journal.open(journal_path).add(**PAPER)
    assert calls == [("id", [e.id])]


def test_two_readers_of_one_paper_get_two_entries_and_a_reader_is_refused_twice(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    j = journal.open(journal_path)
    monkeypatch.setenv("JOURNAL_READER", "ada")
    first = j.add(**PAPER, commentary="ada's words")
    monkeypatch.setenv("JOURNAL_READER", "grace")
    second = journal.open(journal_path).add(**PAPER, commentary="grace's words")
    assert second.id == reader_id(first.id, "grace") != first.id
    with pytest.raises(DuplicateEntry, match=second.id):
        journal.open(journal_path).add(**PAPER)
    monkeypatch.setenv("JOURNAL_READER", "ada")
    with pytest.raises(DuplicateEntry, match=first.id):
        journal.open(journal_path).add(**PAPER)
    entries = journal.open(journal_path).entries()
    assert [(e.reader, e.commentary) for e in entries] == [("ada", "ada's words"), ("grace", "grace's words")]


def test_an_import_is_per_reader_and_adds_nothing_the_second_time(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = [make_entry(**PAPER), make_entry(title="Other", date="2024-05-09")]
    monkeypatch.setenv("JOURNAL_READER", "ada")
    assert len(journal.open(journal_path).add_many(batch).added) == 2
    monkeypatch.setenv("JOURNAL_READER", "grace")
    assert len(journal.open(journal_path).add_many(batch).added) == 2
    again = journal.open(journal_path).add_many(batch)
    assert (len(again.added), len(again.skipped)) == (0, 2)
    readers = [e.reader for e in journal.open(journal_path).entries()]
    assert sorted(readers) == ["ada", "ada", "grace", "grace"]


def test_an_entry_from_before_readers_is_everyones(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = journal_path
    shutil.copyfile(V2_JOURNAL, path)
    (old, _) = journal.open(path).entries()
    assert old.reader is None
    monkeypatch.setenv("JOURNAL_READER", "grace")
    with pytest.raises(DuplicateEntry, match=old.id):  # the same paper, from before: refused
        journal.open(path).add(title=old.title, arxiv_id=old.arxiv_id, date=old.date)
    edited = journal.open(path).update(old.id, commentary="grace adds a line")
    assert edited.reader is None and edited.commentary == "grace adds a line"


def test_a_reader_edits_and_removes_only_their_entries_unless_any_reader(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNAL_READER", "ada")
    e = journal.open(journal_path).add(**PAPER, commentary="ada's words")
    monkeypatch.setenv("JOURNAL_READER", "grace")
    j = journal.open(journal_path)
    with pytest.raises(NotYourEntry, match=r"written by 'ada'.*--any-reader"):
        j.update(e.id, commentary="grace's")
    with pytest.raises(NotYourEntry):
        j.delete(e.id)
    assert journal.open(journal_path).get(e.id).commentary == "ada's words"
    assert j.pending_changes() == 0 and len(j) == 1
    changed = j.update(e.id, any_reader=True, commentary="fixed a typo")
    assert changed.reader == "ada" and changed.commentary == "fixed a typo"
    assert j.delete(e.id, any_reader=True).id == e.id and len(journal.open(journal_path)) == 0


def test_a_version_2_journal_opens_and_is_upgraded_on_its_first_write(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copyfile(V2_JOURNAL, journal_path)
    raw = pq.read_table(journal_path)
    assert raw.schema.metadata[b"journal.schema_version"] == b"2" and "reader" not in raw.column_names
    before = {e.id: e for e in journal.open(journal_path).entries()}
    assert len(before) == 2 and {e.reader for e in before.values()} == {None}
    assert (
        pq.read_table(journal_path).schema.metadata[b"journal.schema_version"] == b"2"
    )  # reading writes nothing
    monkeypatch.setenv("JOURNAL_READER", "ada")
    added = journal.open(journal_path).add(title="new", date="2024-06-01")
    table = pq.read_table(journal_path)
    assert table.schema.metadata[b"journal.schema_version"] == b"3" and table.column_names[-1] == "reader"
    after = {e.id: e for e in journal.open(journal_path).entries()}
    assert after == {**before, added.id: added} and added.reader == "ada"
    assert table["reader"].to_pylist() == [None, None, "ada"]


# --- the command line ---------------------------------------------------------------


def _two_readers(cli, journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for reader in ("ada", "grace"):
        monkeypatch.setenv("JOURNAL_READER", reader)
        code, _, err = cli(
            "add", "--journal", str(journal_path), "--title", "You Only Cache Once", "--arxiv-id", "2405.05254",
            "--date", "2024-05-09", "--commentary", f"{reader} thinks the cache is clever", "--tags", "efficiency",
        )  # fmt: skip
        assert code == 0, err
    monkeypatch.setenv("JOURNAL_READER", "ada")
    assert cli("add", "--journal", str(journal_path), "--title", "Only ada's", "--date", "2024-05-09")[0] == 0


def test_list_search_export_and_digest_take_reader(
    cli, journal_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _two_readers(cli, journal_path, monkeypatch)
    j = ["--journal", str(journal_path)]
    code, out, _ = cli("list", *j)
    assert code == 0 and out.count("You Only Cache Once") == 2 and "Only ada's" in out
    code, out, _ = cli("list", *j, "--reader", "grace")
    assert code == 0 and out.count("You Only Cache Once") == 1 and "Only ada's" not in out
    code, out, _ = cli("search", *j, "cache", "--reader", "grace", "--json")
    assert code == 0 and len(out.splitlines()) == 1
    assert len(cli("search", *j, "cache", "--json")[1].splitlines()) == 2
    code, out, _ = cli("digest", *j, "2024-05-09", "--reader", "grace")
    assert code == 0 and "grace thinks" in out and "ada thinks" not in out and "Only ada's" not in out
    dest = tmp_path / "ada.jsonl"
    assert cli("export", *j, "jsonl", str(dest), "--reader", "ada")[0] == 0
    lines = dest.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all('"reader": "ada"' in line for line in lines)
    code, out, _ = cli("list", *j, "--reader", "nobody")
    assert code == 0 and "You Only" not in out


def test_edit_and_rm_refuse_another_readers_entry_without_any_reader(
    cli, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _two_readers(cli, journal_path, monkeypatch)
    mine = next(e for e in journal.open(journal_path).entries() if e.title == "Only ada's")
    monkeypatch.setenv("JOURNAL_READER", "grace")
    j = ["--journal", str(journal_path)]
    code, _, err = cli("edit", *j, mine.id, "--commentary", "grace's words")
    assert code == 1 and "written by 'ada'" in err and "--any-reader" in err and len(err.splitlines()) == 1
    code, _, err = cli("rm", *j, mine.id)
    assert code == 1 and "--any-reader" in err
    assert journal.open(journal_path).get(mine.id) == mine
    assert cli("edit", *j, mine.id, "--commentary", "grace's words", "--any-reader")[0] == 0
    assert journal.open(journal_path).get(mine.id).reader == "ada"
    assert cli("rm", *j, mine.id, "--any-reader")[0] == 0
    assert mine.id not in journal.open(journal_path)
