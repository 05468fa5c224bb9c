"""Real vaults (issue 10): every note imports, one bad note never blocks a vault, and
importing again keeps the journal in sync with the vault."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.formats import markdown as md
from journal.formats import markdown_sync, vault_files, vault_record
from journal.model import make_id
from journal.store import Journal

VAULT = Path(__file__).resolve().parent / "data" / "vault"
MTIME = dt.datetime(2023, 3, 4, 12, 0).timestamp()  # local noon: the same local date everywhere

UNDATED = {
    "arXiv/2024/AlphaGeometry.md": (
        b"---\ndate: 2024-01-17\ntags: [geometry]\n---\n\n*Solving olympiad geometry without human demonstrations*\n"
    ),
    "arXiv/2024/Idefics2.md": b"---\ncreated: 2024-04-15T09:30\n---\nhttps://arxiv.org/abs/2405.02246\n\nnotes\n",
    "Untitled.md": "제목 없는 노트.\n".encode(),
    "250311.md": b"Reading list\n\n- YOCO\n- OLMo\n",
    "250312.md": b"Just a thought about scaling, written down quickly and at length on one line.\nmore\n",
}


def _vault(tmp_path: Path) -> Path:
    vault = tmp_path / "vault"
    shutil.copytree(VAULT / "arXiv" / "2023", vault / "arXiv" / "2023")
    for rel, data in UNDATED.items():
        path = vault / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, (MTIME, MTIME))
    return vault


def _import(cli, vault: Path, journal: Path, *flags: str) -> tuple[int, str, str]:
    return cli("import", "markdown", str(vault), "--journal", str(journal), *flags)


def _edit(path: Path, data: bytes) -> None:
    """Change a note as an editor would (its modification time moves on)."""
    st = path.stat()
    path.write_bytes(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def _by_source(journal: Path) -> dict[str, object]:
    return {e.source: e for e in Journal(journal).entries()}


# --- every note becomes an entry -------------------------------------------------------------


def test_undated_notes_import_with_a_date_from_front_matter_or_modification_time(
    cli, journal_path: Path, tmp_path: Path
) -> None:
    vault = _vault(tmp_path)
    code, out, err = _import(cli, vault, journal_path)
    assert code == 0 and err == ""
    notes = vault_files.walk(str(vault))
    assert f"{len(notes)} added, 0 updated, 0 unchanged" in out
    entries = _by_source(journal_path)
    assert sorted(entries) == notes  # every note is an entry, its source the path alone
    assert all(e.id == make_id(e.date, source_key=rel) for rel, e in entries.items())
    assert entries["arXiv/2024/AlphaGeometry.md"].date == dt.date(2024, 1, 17)
    assert entries["arXiv/2024/AlphaGeometry.md"].title == "AlphaGeometry"
    assert entries["arXiv/2024/Idefics2.md"].date == dt.date(2024, 4, 15)
    assert entries["Untitled.md"].date == dt.date(2023, 3, 4)
    assert entries["Untitled.md"].commentary == "제목 없는 노트."
    # a name that is only a date: the title line, else the date
    assert (entries["250311.md"].date, entries["250311.md"].title) == (dt.date(2025, 3, 11), "Reading list")
    assert entries["250312.md"].title == "250312"
    # the summary says where each undated note's date came from
    assert (
        "undated: "
        + str(vault / "arXiv/2024/AlphaGeometry.md")
        + ": dated 2024-01-17 from its front matter `date:`"
        in out
    )
    assert "Idefics2.md: dated 2024-04-15 from its front matter `created:`" in out
    assert "Untitled.md: dated 2023-03-04 from its modification time" in out
    assert "250311.md" not in out  # dated by its name


def test_a_front_matter_date_that_is_no_date_is_named_in_the_summary(
    cli, journal_path: Path, tmp_path: Path
) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    note = vault / "Bad date.md"
    note.write_bytes(b"---\ndate: 2024-13-45\n---\nwords\n")
    os.utime(note, (MTIME, MTIME))
    code, out, _ = _import(cli, vault, journal_path)
    day = dt.date.fromtimestamp(MTIME).isoformat()
    assert code == 0
    assert (
        f"dated {day} from its modification time (front matter `date: 2024-13-45` is not a YYYY-MM-DD date)"
        in out
    )
    _edit(note, note.read_bytes() + b"more\n")  # still dated by its file time: kept as first imported
    code, out, _ = _import(cli, vault, journal_path)
    assert code == 0 and "1 updated" in out
    assert [e.date.isoformat() for e in Journal(journal_path).entries()] == [day]


def test_undated_notes_export_back_to_their_paths_byte_identical(
    cli, journal_path: Path, tmp_path: Path
) -> None:
    vault = _vault(tmp_path)
    assert _import(cli, vault, journal_path)[0] == 0
    out = tmp_path / "out"
    assert cli("export", "markdown", str(out), "--journal", str(journal_path))[0] == 0
    original = {rel: (vault / rel).read_bytes() for rel in vault_files.walk(str(vault))}
    assert {rel: (out / rel).read_bytes() for rel in vault_files.walk(str(out))} == original


def _bad_vault(tmp_path: Path) -> tuple[Path, list[str]]:
    vault = _vault(tmp_path)
    (vault / "arXiv" / "2024" / "240509 cp949.md").write_bytes("*제목*\n\n한국어\n".encode("cp949"))
    (vault / "arXiv" / "2024" / "240510 binary.md").write_bytes(b"PNG\x00\x01")
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", vault / "folder link.md")
    os.mkfifo(vault / "pipe.md")
    return vault, ["240509 cp949.md", "240510 binary.md", "folder link.md", "pipe.md"]


def test_one_bad_note_never_blocks_a_vault(cli, journal_path: Path, tmp_path: Path) -> None:
    vault, bad = _bad_vault(tmp_path)
    (vault / "real folder.md").mkdir()  # a folder named .md is a folder: its notes import
    (vault / "real folder.md" / "240601 inside.md").write_bytes(b"*Inside*\n")
    code, out, err = _import(cli, vault, journal_path)
    assert code == markdown_sync.EXIT_INCOMPLETE == 3
    good = [rel for rel in vault_files.walk(str(vault)) if rel.rpartition("/")[2] not in bad]
    assert "real folder.md/240601 inside.md" in good
    assert sorted(_by_source(journal_path)) == good  # the rest imported (one store write)
    assert f"{len(good)} added" in out and f"{len(bad)} skipped" in out
    problems = err.strip().splitlines()
    assert len(problems) == len(bad) and "Traceback" not in err
    for name, reason in zip(
        sorted(bad),
        ["not UTF-8", "binary", "a link to a folder", "not a regular file"],
        strict=True,
    ):
        (line,) = [p for p in problems if name in p]
        assert line.startswith("journal: skipped ") and reason in line


def test_strict_restores_all_or_nothing(cli, journal_path: Path, tmp_path: Path) -> None:
    vault, _ = _bad_vault(tmp_path)
    Journal(journal_path).add(title="Already here", date="2024-01-01")
    before = journal_path.read_bytes()
    code, out, err = _import(cli, vault, journal_path, "--strict")
    assert code == 1 and out == ""
    assert "240509 cp949.md" in err and "(and 3 more notes)" in err and "nothing was imported" in err
    assert journal_path.read_bytes() == before


def test_an_unreadable_note_is_skipped(cli, journal_path: Path, tmp_path: Path, monkeypatch) -> None:
    vault = _vault(tmp_path)
    locked = vault / "arXiv" / "2023" / "231120 Orca 2.md"
    real = md.read_bytes

    def read_bytes(path: str) -> bytes:  # as root, chmod cannot make a file unreadable
        if path == str(locked):
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(md, "read_bytes", read_bytes)
    monkeypatch.setattr(markdown_sync, "read_bytes", read_bytes)
    code, _, err = _import(cli, vault, journal_path)
    assert code == 3 and f"skipped {locked}: cannot be read (Permission denied)" in err
    assert "arXiv/2023/231120 Orca 2.md" not in _by_source(journal_path)
    monkeypatch.setattr(markdown_sync, "read_bytes", real)
    code, out, _ = _import(cli, vault, journal_path)  # readable again: it imports now
    assert code == 0 and "1 added" in out


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_a_note_without_read_permission_is_skipped(cli, journal_path: Path, tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    locked = vault / "arXiv" / "2023" / "231120 Orca 2.md"
    locked.chmod(0)
    try:
        code, _, err = _import(cli, vault, journal_path)
    finally:
        locked.chmod(0o644)
    assert code == 3 and "Permission denied" in err


# --- re-import is a sync ---------------------------------------------------------------------


def test_reimport_updates_changed_notes_adds_new_and_reports_gone(
    cli, journal_path: Path, tmp_path: Path, monkeypatch
) -> None:
    vault = _vault(tmp_path)
    assert _import(cli, vault, journal_path)[0] == 0
    first = _by_source(journal_path)
    orca = vault / "arXiv" / "2023" / "231120 Orca 2.md"
    _edit(orca, orca.read_bytes().replace(b"#", b"#reread #", 1))
    _edit(vault / "Untitled.md", "제목 없는 노트, 고쳐 씀.\n".encode())
    (vault / "arXiv" / "2023" / "230720 Llama 2 - Open Foundation and Fine-Tuned Chat Models.md").unlink()
    (vault / "arXiv" / "2024" / "240720 New.md").write_bytes(b"*New*\n\nfresh\n")
    read: list[str] = []
    real = markdown_sync.read_bytes
    monkeypatch.setattr(markdown_sync, "read_bytes", lambda p: read.append(p) or real(p))

    code, out, err = _import(cli, vault, journal_path)
    assert code == 0, err
    assert "1 added, 2 updated" in out and "1 gone" in out
    assert sorted(Path(p).name for p in read) == ["231120 Orca 2.md", "240720 New.md", "Untitled.md"]
    llama = "arXiv/2023/230720 Llama 2 - Open Foundation and Fine-Tuned Chat Models.md"
    assert f"gone: {vault / llama} (entry {first[llama].id} kept; --prune removes it)" in out
    second = _by_source(journal_path)
    assert second[llama] == first[llama]  # reported, not removed
    updated = second["arXiv/2023/231120 Orca 2.md"]
    assert updated.id == first["arXiv/2023/231120 Orca 2.md"].id and updated.tags[0] == "reread"
    assert updated.created_at == first["arXiv/2023/231120 Orca 2.md"].created_at
    assert second["Untitled.md"].commentary == "제목 없는 노트, 고쳐 씀."
    assert second["Untitled.md"].date == dt.date(2023, 3, 4)  # an edit moves the mtime, not the entry
    assert second["arXiv/2024/240720 New.md"].title == "New"

    code, out, _ = _import(cli, vault, journal_path, "--prune")
    assert code == 0 and "1 pruned" in out and llama not in _by_source(journal_path)
    code, out, _ = _import(cli, vault, journal_path, "--prune")
    assert "gone" not in out and "pruned" not in out


def test_unchanged_notes_are_not_read_and_nothing_is_written(
    cli, journal_path: Path, tmp_path: Path, monkeypatch
) -> None:
    vault = _vault(tmp_path)
    assert _import(cli, vault, journal_path)[0] == 0
    os.utime(vault / "Untitled.md")  # touched: read once, same bytes
    before = (journal_path.read_bytes(), sorted(os.listdir(journal_path.with_name("entries.parquet.d"))))
    read: list[str] = []
    real = markdown_sync.read_bytes
    monkeypatch.setattr(markdown_sync, "read_bytes", lambda p: read.append(p) or real(p))
    code, out, _ = _import(cli, vault, journal_path)
    assert code == 0 and f"0 added, 0 updated, {len(vault_files.walk(str(vault)))} unchanged" in out
    assert [Path(p).name for p in read] == ["Untitled.md"]
    assert (
        journal_path.read_bytes(),
        sorted(os.listdir(journal_path.with_name("entries.parquet.d"))),
    ) == before
    read.clear()
    assert _import(cli, vault, journal_path)[0] == 0 and read == []  # the touch is recorded


def test_a_note_and_entry_both_changed_are_a_conflict(cli, journal_path: Path, tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    assert _import(cli, vault, journal_path)[0] == 0
    rel = "arXiv/2023/231120 Orca 2.md"
    j = Journal(journal_path)
    entry = j.update(_by_source(journal_path)[rel].id, commentary="edited in the journal")
    note = vault / rel
    _edit(note, note.read_bytes() + b"\nedited in the vault\n")
    edited_note = note.read_bytes()
    code, out, err = _import(cli, vault, journal_path)
    assert code == 3 and "1 in conflict" in out
    assert f"conflict: {note} and entry {entry.id} both changed since the last import" in err
    assert Journal(journal_path).get(entry.id) == entry and note.read_bytes() == edited_note  # nothing lost
    assert _import(cli, vault, journal_path)[0] == 3  # still a conflict until resolved
    Journal(journal_path).delete(entry.id)  # keep the note's version
    code, out, _ = _import(cli, vault, journal_path)
    assert code == 0 and "1 added" in out
    assert "edited in the vault" in _by_source(journal_path)[rel].commentary


def test_export_never_overwrites_a_note_edited_in_the_vault_since(
    cli, journal_path: Path, tmp_path: Path
) -> None:
    vault = _vault(tmp_path)
    assert _import(cli, vault, journal_path)[0] == 0
    rel = "arXiv/2023/231120 Orca 2.md"
    Journal(journal_path).update(_by_source(journal_path)[rel].id, commentary="edited in the journal")
    note = vault / rel
    _edit(note, note.read_bytes() + b"\nedited in the vault\n")
    files = {p: p.read_bytes() for p in vault.rglob("*.md")}
    code, out, err = cli("export", "markdown", str(vault), "--journal", str(journal_path))
    assert code == 1 and out == "" and err.count("\n") == 1
    assert str(note) in err and "changed in the vault since its last import" in err
    assert {p: p.read_bytes() for p in vault.rglob("*.md")} == files  # nothing written, nothing lost
    # once the vault edit is imported (here: the journal gives way), export writes again
    Journal(journal_path).delete(_by_source(journal_path)[rel].id)
    assert _import(cli, vault, journal_path)[0] == 0
    assert cli("export", "markdown", str(vault), "--journal", str(journal_path))[0] == 0
    assert b"edited in the vault" in note.read_bytes()


def test_the_old_note_of_an_entry_exported_under_a_new_date_is_no_conflict(
    cli, journal_path: Path, tmp_path: Path
) -> None:
    # journal edit --date, export: the note is written as 231125 Orca 2.md beside the old one;
    # deleting the old file is then a move, not a gone note nor (with --prune) a conflict
    vault = _vault(tmp_path)
    assert _import(cli, vault, journal_path)[0] == 0
    old = vault / "arXiv" / "2023" / "231120 Orca 2.md"
    entry = Journal(journal_path).update(
        _by_source(journal_path)[old.relative_to(vault).as_posix()].id, date="2023-11-25"
    )
    assert cli("export", "markdown", str(vault), "--journal", str(journal_path))[0] == 0
    assert (vault / "arXiv" / "2023" / "231125 Orca 2.md").exists()
    old.unlink()
    for flags in ((), ("--prune",), ()):
        code, out, err = _import(cli, vault, journal_path, *flags)
        assert code == 0 and err == "" and "gone" not in out and "pruned" not in out, (flags, out, err)
    assert Journal(journal_path).get(entry.id) == entry


def test_prune_keeps_an_entry_edited_since(cli, journal_path: Path, tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    assert _import(cli, vault, journal_path)[0] == 0
    rel = "arXiv/2023/231120 Orca 2.md"
    entry = Journal(journal_path).update(_by_source(journal_path)[rel].id, tags="kept")
    (vault / rel).unlink()
    code, _, err = _import(cli, vault, journal_path, "--prune")
    assert code == 3 and "the note is gone but the entry was edited since" in err
    assert Journal(journal_path).get(entry.id) == entry


def test_one_note_imported_alone_reports_no_other_note_gone(cli, journal_path: Path, tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    assert _import(cli, vault, journal_path)[0] == 0
    note = vault / "arXiv" / "2023" / "231120 Orca 2.md"
    _edit(note, note.read_bytes() + b"\nmore\n")
    code, out, _ = cli("import", "markdown", str(note), "--journal", str(journal_path))
    assert code == 0 and "0 added, 1 updated" in out and "gone" not in out  # the entry of its vault
    elsewhere = tmp_path / "elsewhere" / "240101 Alone.md"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(b"*Alone*\n")
    code, out, _ = cli("import", "markdown", str(elsewhere), "--journal", str(journal_path))
    assert code == 0 and "1 added, 0 updated, 0 unchanged" in out and "gone" not in out


def test_export_then_import_of_the_same_folder_changes_nothing(
    cli, seed_journal: Path, tmp_path: Path
) -> None:
    vault = _vault(tmp_path)
    assert _import(cli, vault, seed_journal)[0] == 0
    j = Journal(seed_journal)
    j.update(_by_source(seed_journal)["Untitled.md"].id, commentary="edited in the journal")
    assert cli("export", "markdown", str(vault), "--journal", str(seed_journal))[0] == 0
    before = {e.id: e for e in Journal(seed_journal).entries()}
    snapshot = seed_journal.read_bytes()
    code, out, err = _import(cli, vault, seed_journal)
    assert code == 0 and err == ""
    assert f"0 added, 0 updated, {len(before)} unchanged" in out  # the seed day's entries too
    assert {e.id: e for e in Journal(seed_journal).entries()} == before
    assert seed_journal.read_bytes() == snapshot


def test_without_its_record_a_vault_still_syncs_safely(cli, journal_path: Path, tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    assert _import(cli, vault, journal_path)[0] == 0
    record = journal_path.with_name("entries.parquet.d") / vault_record.STATE_NAME
    assert record.exists()
    record.unlink()
    note = vault / "Untitled.md"
    _edit(note, b"changed\n")
    code, out, _ = _import(cli, vault, journal_path)
    # unedited entries take their note's version; equal ones are in sync
    assert code == 0 and "0 added, 1 updated" in out
    assert _by_source(journal_path)["Untitled.md"].commentary == "changed"


def test_reimporting_unchanged_notes_needs_no_parsing(tmp_path: Path, monkeypatch) -> None:
    """The mechanism of the 0.5 s target (measured in bench/bench_markdown_import.py)."""
    vault = tmp_path / "vault"
    for i in range(300):
        (vault / "2024").mkdir(parents=True, exist_ok=True)
        (vault / "2024" / f"2405{i % 28 + 1:02d} Note {i}.md").write_bytes(f"*Note {i}*\n".encode())
    j = Journal(tmp_path / "entries.parquet")
    assert len(markdown_sync.sync(j, vault).added) == 300
    monkeypatch.setattr(markdown_sync, "read_note", lambda *a, **k: pytest.fail("parsed"))
    report = markdown_sync.sync(j, vault)
    assert report.unchanged == 300 and not report.added


# --- properties --------------------------------------------------------------------------------

NAMES = ["240509 A.md", "2024/240510 B.md", "Untitled.md", "notes/C.md", "250311.md"]
TEXTS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(NAMES), st.one_of(st.none(), TEXTS)), min_size=1, max_size=12))
def test_a_vault_edited_between_imports_always_syncs(steps: list[tuple[str, str | None]]) -> None:
    """Whatever is written or removed between imports, importing with --prune leaves one
    entry per note, each with its note's content (the journal itself was not edited)."""
    with tempfile.TemporaryDirectory() as tmp:
        vault, journal = Path(tmp) / "vault", Path(tmp) / "entries.parquet"
        vault.mkdir()
        tick = 1_600_000_000 * 10**9
        for i, (rel, text) in enumerate(steps):
            path = vault / rel
            if text is None:
                path.unlink(missing_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text + "\n", encoding="utf-8")
                os.utime(path, ns=(tick + i * 10**9, tick + i * 10**9))
            if (i % 3 == 2 or i == len(steps) - 1) and vault_files.walk(str(vault)):
                markdown_sync.sync(journal, vault, prune=True)  # an empty vault is refused
        notes = vault_files.walk(str(vault))
        if not notes:
            return
        entries = {e.source: e for e in Journal(journal).entries()} if journal.exists() else {}
        assert sorted(entries) == notes
        for rel in notes:
            data = (vault / rel).read_bytes()
            expected = md.note_to_entry(data, rel, mtime_ns=(vault / rel).stat().st_mtime_ns)
            assert (entries[rel].commentary, entries[rel].title) == (expected.commentary, expected.title)


@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), st.sampled_from(["date", "created"]), TEXTS)
def test_front_matter_dates_are_read(day: dt.date, key: str, other: str) -> None:
    other = other.replace("\n", " ").replace("-", "")
    text = f"---\ntitle: {other}\n{key}: {day.isoformat()}T10:00\n---\n\n{other}\n"
    assert md.front_matter_date(text) == (day, f"front matter `{key}:`")
    assert md.front_matter_date(f"\n{text}") is None  # front matter opens the note


def test_strict_and_prune_are_markdown_options(cli, journal_path: Path, tmp_path: Path, capsys) -> None:
    source = tmp_path / "a.jsonl"
    source.write_text('{"title": "T", "date": "2024-05-09"}\n', encoding="utf-8")
    code, _, err = cli("import", "jsonl", str(source), "--prune", "--journal", str(journal_path))
    assert code == 1 and "--prune applies to markdown imports only" in err and not journal_path.exists()
    with pytest.raises(SystemExit):
        cli("import", "--help")
    help_text = capsys.readouterr().out
    assert "--strict" in help_text and "--prune" in help_text and "exit status 3" in help_text


def test_without_a_record_an_entry_edited_since_its_import_is_kept(
    cli, journal_path: Path, tmp_path: Path
) -> None:
    """A journal imported before the sync kept records: an entry edited in the journal
    whose note has not changed since is the newer one, not a conflict; a later change of
    the note is."""
    vault = _vault(tmp_path)
    assert _import(cli, vault, journal_path)[0] == 0
    (journal_path.with_name("entries.parquet.d") / vault_record.STATE_NAME).unlink()
    entry = Journal(journal_path).update(_by_source(journal_path)["Untitled.md"].id, commentary="journal")
    code, out, err = _import(cli, vault, journal_path)
    assert code == 0 and err == "" and "0 updated" in out
    assert Journal(journal_path).get(entry.id) == entry
    _edit(vault / "Untitled.md", b"vault\n")
    code, _, err = _import(cli, vault, journal_path)
    assert code == 3 and "conflict" in err and Journal(journal_path).get(entry.id) == entry


def test_one_note_that_is_a_pipe_is_skipped_not_waited_on(cli, journal_path: Path, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "240509 pipe.md")
    code, out, err = cli(
        "import", "markdown", str(tmp_path / "240509 pipe.md"), "--journal", str(journal_path)
    )
    assert code == 3 and "1 skipped" in out and "not a regular file" in err


@pytest.mark.parametrize("damage", [b"{not json", b'{"format": 1, "vaults": {"x": 3}}', b"[]", None])
def test_a_damaged_record_costs_a_reread_not_a_word(cli, journal_path: Path, tmp_path: Path, damage) -> None:
    vault = _vault(tmp_path)
    assert _import(cli, vault, journal_path)[0] == 0
    record = journal_path.with_name("entries.parquet.d") / vault_record.STATE_NAME
    if damage is None:  # every record of the vault replaced by something else
        data = record.read_text(encoding="utf-8")
        key = next(iter(json.loads(data)["vaults"]))
        record.write_text(json.dumps({"format": 1, "vaults": {key: {"Untitled.md": [1]}}}))
    else:
        record.write_bytes(damage)
    before = {e.id: e for e in Journal(journal_path).entries()}
    code, out, err = _import(cli, vault, journal_path)
    assert code == 0 and err == "" and "0 added, 0 updated" in out
    assert {e.id: e for e in Journal(journal_path).entries()} == before
