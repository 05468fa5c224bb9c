"""Single-file exports replace what the journal wrote and refuse any other file (as
``export html`` refuses a folder it did not make), unless --force."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from journal.errors import ExportFailed
from journal.formats import exported, jsonl
from journal.store import Journal

FORMATS = ["jsonl", "csv", "bibtex", "digest"]
USER_TEXT = "my own notes, not an export\n"


def _export(cli, journal: Path, fmt: str, dest: Path, *extra: str) -> tuple[int, str, str]:
    return cli("export", fmt, str(dest), *extra, "--journal", str(journal))


def _folder_state(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_exporting_twice_replaces_the_file(cli, seed_journal: Path, fmt: str) -> None:
    dest = seed_journal.parent / f"out.{fmt}"
    code, _, err = _export(cli, seed_journal, fmt, dest)
    assert code == 0, err
    first = dest.read_bytes()
    Journal(seed_journal).add(
        title="Notes on later reading", date="2024-05-10", url="https://example.com/later"
    )
    code, _, err = _export(cli, seed_journal, fmt, dest)
    assert code == 0 and err == f"exported 6 entries to {dest}\n"
    assert dest.read_bytes() != first and b"later reading" in dest.read_bytes()
    assert not [p for p in dest.parent.iterdir() if p.name.endswith(".tmp")]  # replaced whole


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_users_own_file_is_refused_and_unchanged(cli, seed_journal: Path, fmt: str) -> None:
    dest = seed_journal.parent / f"mine.{fmt}"
    dest.write_text(USER_TEXT, encoding="utf-8")
    before = _folder_state(seed_journal.parent)
    code, out, err = _export(cli, seed_journal, fmt, dest)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"journal: error: {dest}: ") and "--force" in err
    assert dest.read_text(encoding="utf-8") == USER_TEXT
    assert _folder_state(seed_journal.parent) == before  # nothing written anywhere, no record either


@pytest.mark.parametrize("fmt", FORMATS)
def test_force_replaces_a_users_file(cli, seed_journal: Path, fmt: str) -> None:
    dest = seed_journal.parent / f"mine.{fmt}"
    dest.write_text(USER_TEXT, encoding="utf-8")
    code, _, err = _export(cli, seed_journal, fmt, dest, "--force")
    assert code == 0, err
    assert USER_TEXT not in dest.read_text(encoding="utf-8")
    code, _, err = _export(cli, seed_journal, fmt, dest)  # now the journal wrote it
    assert code == 0, err


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_edited_after_export_is_refused(cli, seed_journal: Path, fmt: str) -> None:
    dest = seed_journal.parent / f"out.{fmt}"
    assert _export(cli, seed_journal, fmt, dest)[0] == 0
    with dest.open("a", encoding="utf-8") as f:
        f.write("% an edit of mine\n")
    edited = dest.read_bytes()
    code, _, err = _export(cli, seed_journal, fmt, dest)
    assert code == 1 and "--force" in err and str(dest) in err
    assert dest.read_bytes() == edited


def test_a_file_another_journal_exported_is_refused(cli, seed_journal: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out.jsonl"
    other = tmp_path / "other.parquet"
    Journal(other).add(title="Elsewhere", date="2024-05-01")
    assert _export(cli, other, "jsonl", dest)[0] == 0
    code, _, err = _export(cli, seed_journal, "jsonl", dest)
    assert code == 1 and "--force" in err
    assert b"Elsewhere" in dest.read_bytes()


def test_an_empty_file_holds_nothing_to_lose(cli, seed_journal: Path) -> None:
    dest = seed_journal.parent / "made-by-mktemp.jsonl"
    dest.write_bytes(b"")
    code, _, err = _export(cli, seed_journal, "jsonl", dest)
    assert code == 0, err
    assert len(dest.read_text(encoding="utf-8").splitlines()) == 5


def test_standard_output_is_unchanged(cli, seed_journal: Path) -> None:
    for _ in range(2):
        code, out, err = _export(cli, seed_journal, "jsonl", Path("-"))
        assert code == 0 and err == "" and len(out.splitlines()) == 5
    assert not (exported.record_path(seed_journal) or Path("/nonexistent")).exists()


def test_the_record_is_beside_the_journal_and_the_file_still_imports(cli, seed_journal: Path) -> None:
    dest = seed_journal.parent / "out.jsonl"
    for _ in range(2):
        assert _export(cli, seed_journal, "jsonl", dest)[0] == 0
    record = seed_journal.parent / "entries.parquet.d" / "exported.json"
    files = json.loads(record.read_text(encoding="utf-8"))["files"]
    assert files == {os.path.realpath(dest): hashlib.sha256(dest.read_bytes()).hexdigest()}
    fresh = seed_journal.parent / "fresh.parquet"
    code, out, _ = cli("import", "jsonl", str(dest), "--journal", str(fresh))
    assert code == 0 and out.startswith("imported 5 entries")


def test_a_failed_replace_leaves_the_old_file(
    cli, seed_journal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = seed_journal.parent / "out.jsonl"
    assert _export(cli, seed_journal, "jsonl", dest)[0] == 0
    before = dest.read_bytes()
    Journal(seed_journal).add(title="New", date="2024-05-10")

    def fail(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    code, _, err = _export(cli, seed_journal, "jsonl", dest)
    monkeypatch.undo()
    assert code == 1 and "cannot be written" in err
    assert dest.read_bytes() == before and not [p for p in dest.parent.iterdir() if p.name.endswith(".tmp")]
    assert _export(cli, seed_journal, "jsonl", dest)[0] == 0  # still ours: the record was not touched


def test_the_library_refuses_too(seed_journal: Path, tmp_path: Path) -> None:
    j = Journal(seed_journal)
    dest = tmp_path / "mine.jsonl"
    dest.write_text(USER_TEXT, encoding="utf-8")
    with pytest.raises(ExportFailed, match="--force"):
        jsonl.write(j.entries(), dest, journal=j)
    with pytest.raises(ExportFailed, match="--force"):
        jsonl.write(j.entries(), dest)  # without a journal no file is known to be ours
    assert dest.read_text(encoding="utf-8") == USER_TEXT
    assert jsonl.write(j.entries(), dest, journal=j, force=True) == 5
    assert jsonl.write(j.entries(), dest, journal=j) == 5


def test_force_is_for_single_files(cli, seed_journal: Path) -> None:
    code, _, err = _export(cli, seed_journal, "html", seed_journal.parent / "site", "--force")
    assert code == 1 and err == "journal: error: force: --force does not apply to export html\n"
    assert not (seed_journal.parent / "site").exists()


def test_export_help_tells_the_rule(cli, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli("export", "--help")
    out = " ".join(capsys.readouterr().out.split())
    assert "--force" in out and "replaced only when an earlier export of this journal wrote it" in out
