"""A markdown vault synced with a lab journal (``s3://``): its sync record lives in this
machine's side folder, the next sync loads it (an unchanged vault writes nothing to the
table), and the URL is never read as a local path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("deltalake")
pytest.importorskip("moto.server")

import test_lab_store as lab

import journal
from journal.formats import markdown_sync
from journal.store import SideState

s3_server, s3 = lab.s3_server, lab.s3  # the fixtures: a moto server per module, a fresh bucket

NOTES = {
    "240501 First paper.md": "# First paper\n\nnotes on the first\n",
    "240502 Second paper.md": "# Second paper\n\nnotes on the second\n",
}


def _vault(tmp_path: Path) -> Path:
    vault = tmp_path / "vault"
    vault.mkdir()
    for name, text in NOTES.items():
        (vault / name).write_text(text, "utf-8")
    return vault


def _edit(path: Path, text: str) -> None:
    """Change a note as an editor would (its modification time moves on)."""
    st = path.stat()
    path.write_text(text, "utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def _version(url: str) -> int:
    table = journal.open(url).backend.table()
    assert table is not None
    return int(table.version())


def test_a_vault_syncs_with_an_s3_journal_through_the_cli(cli, s3: str, tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    code, out, err = cli("import", "markdown", str(vault), "--journal", s3)
    assert (code, err) == (0, ""), err
    assert "2 added" in out
    assert not Path("s3:").exists()  # the URL was not taken for a local path
    record = journal.open(s3).side_path(SideState.MARKDOWN_SYNC)
    assert record.is_file()  # this machine's side folder keeps the vault's record

    _edit(vault / "240502 Second paper.md", "# Second paper\n\nnotes on the second, read again\n")
    code, out, err = cli("import", "markdown", str(vault), "--journal", s3)
    assert (code, err) == (0, ""), err
    assert "0 added, 1 updated, 1 unchanged" in out
    entries = journal.open(s3).entries()
    assert sorted(e.title for e in entries) == ["First paper", "Second paper"]  # nothing doubled
    assert ["read again" in e.commentary for e in entries if e.title == "Second paper"] == [True]

    before = _version(s3)
    code, out, err = cli("import", "markdown", str(vault), "--journal", s3)
    assert (code, err) == (0, ""), err
    assert "0 added, 0 updated, 2 unchanged" in out
    assert _version(s3) == before  # an unchanged vault makes no commit


def test_sync_takes_an_s3_url_or_journal_in_python(
    s3: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = _vault(tmp_path)
    assert len(markdown_sync.sync(s3, vault).added) == 2  # the URL as a string
    before = _version(s3)

    def unread(path: str) -> bytes:
        raise AssertionError(f"{path} was read: the sync record was not loaded")

    with monkeypatch.context() as m:
        m.setattr(markdown_sync, "read_bytes", unread)
        report = markdown_sync.sync(journal.open(s3), vault)  # an open journal
    assert (len(report.added), len(report.updated), report.unchanged) == (0, 0, 2)
    assert _version(s3) == before

    (vault / "240501 First paper.md").unlink()  # only the record knows the note was there
    report = markdown_sync.sync(journal.open(s3), vault, prune=True)
    assert [path for path, _ in report.pruned] == [str(vault / "240501 First paper.md")]
    assert [e.title for e in journal.open(s3).entries()] == ["Second paper"]


def test_markdown_export_and_import_agree_on_an_s3_journal(cli, s3: str, tmp_path: Path) -> None:
    journal.open(s3).add(title="Exported paper", date="2024-05-09", commentary="written in the journal")
    vault = tmp_path / "exported"
    code, _, err = cli("export", "markdown", str(vault), "--journal", s3)
    assert code == 0, err
    before = _version(s3)
    code, out, err = cli("import", "markdown", str(vault), "--journal", s3)
    assert (code, err) == (0, ""), err
    assert "0 added, 0 updated, 1 unchanged" in out  # the export recorded what it wrote
    assert _version(s3) == before
    (note,) = vault.rglob("*.md")
    _edit(note, note.read_text("utf-8") + "\nan edit made in the vault\n")
    code, _, err = cli("export", "markdown", str(vault), "--journal", s3)
    assert code == 1 and "nothing was written" in err  # the vault's edit is not overwritten
    assert "an edit made in the vault" in note.read_text("utf-8")


def test_a_single_file_export_replaces_its_own_file_on_an_s3_journal(cli, s3: str, tmp_path: Path) -> None:
    journal.open(s3).add(title="Exported paper", date="2024-05-09")
    dest = tmp_path / "out.jsonl"
    for _ in range(2):  # the second export finds the file it wrote (exported.json, this machine's)
        code, _, err = cli("export", "jsonl", str(dest), "--journal", s3)
        assert code == 0, err
    assert journal.open(s3).side_path(SideState.EXPORTED).is_file()
    dest.write_text("someone's own file\n", "utf-8")
    code, _, err = cli("export", "jsonl", str(dest), "--journal", s3)
    assert code == 1 and "pass --force to replace it" in err


def test_the_capture_forms_drafts_are_this_machines_side_state(s3: str) -> None:
    from journal.widgets.capture_form import CaptureForm

    def no_fetch(id_or_url: str, journal_path: object) -> dict[str, object]:
        raise AssertionError("no fetch in this test")

    form = CaptureForm(journal.open(s3), fetch=no_fetch, draft_delay=3600)
    form.title.value = "Half-written"
    form.commentary.value = "words not saved yet"
    form.flush_draft()
    assert list(journal.open(s3).side_path(SideState.DRAFTS).glob("*.json"))
    again = CaptureForm(journal.open(s3), fetch=no_fetch, draft_delay=3600)
    assert again.commentary.value == "words not saved yet"  # restored from the side folder
    again.save_button.click()
    assert [e.title for e in journal.open(s3).entries()] == ["Half-written"]
