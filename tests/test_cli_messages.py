"""Messages that point the right way: a bad date names the option typed, a journal that
cannot be written says why, every error line starts alike, counts read as English."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from conftest import run_cli

from journal import Journal
from journal.errors import JournalFileError, ValidationError
from journal.store import writable

BAD = "2024-02-30"


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["list", "--date", BAD], "--date"),
        (["list", "--from", BAD], "--from"),
        (["list", "--to", BAD], "--to"),
        (["export", "jsonl", "-", "--date", BAD], "--date"),
        (["export", "csv", "-", "--from", BAD], "--from"),
        (["export", "bibtex", "-", "--to", BAD], "--to"),
        (["render", "--analysis", "--from", BAD], "--from"),
        (["render", "--analysis", "--until", BAD], "--until"),
        (["render", "2024-05-09", "--until", BAD], "--until"),
        (["search", "x", "--from", BAD], "--from"),
        (["search", "x", "--to", BAD], "--to"),
        (["import", "bibtex", "in.bib", "--date", BAD], "--date"),
        (["triage", "--date", BAD, "--listing", "in.csv"], "--date"),
        (["add", "--title", "x", "--date", BAD], "--date"),
        (["edit", "d72335cdab44", "--date", BAD], "--date"),
    ],
)
def test_a_bad_date_names_the_option_given(cli, seed_journal: Path, args: list[str], flag: str) -> None:
    code, out, err = cli(*args, "--journal", str(seed_journal))
    assert code == 1 and out == ""
    assert err == f"journal: error: {flag}: '{BAD}' is not a real date\n"


def test_the_library_names_its_own_parameter(seed_journal: Path) -> None:
    with pytest.raises(ValidationError, match=r"^date: '2024-02-30' is not a real date$"):
        Journal(seed_journal).entries(date=BAD)
    with pytest.raises(ValidationError, match=r"^to: "):
        Journal(seed_journal).entries(end=BAD)


# --- a journal that cannot be written -------------------------------------------------------

WRITABLE = stat.S_IFREG | 0o644
READ_ONLY = stat.S_IFREG | 0o444


def test_a_read_only_mount_is_not_a_chmod_problem() -> None:
    told = writable.advice(errno.EROFS, WRITABLE, False)
    assert told is not None and "read-only file system" in told and "chmod" not in told
    assert "--journal" in told and "$JOURNAL" in told and "copy" in told
    # chmod cannot help on a read-only mount either, whatever the mode says
    told = writable.advice(errno.EROFS, READ_ONLY, False)
    assert told is not None and "read-only file system" in told and "chmod" not in told


def test_chmod_only_when_the_mode_lacks_write_permission() -> None:
    assert writable.advice(errno.EACCES, READ_ONLY, False) == (
        "is read-only; make it writable (chmod u+w) to change it"
    )
    told = writable.advice(errno.EACCES, WRITABLE, False)  # another user's file
    assert told is not None and "chmod" not in told and "Permission denied" in told
    assert writable.advice(None, WRITABLE, True) is None
    assert writable.advice(None, READ_ONLY, True) is None  # root: access allows it


def test_a_failed_write_on_a_read_only_mount_says_so() -> None:
    told = writable.advice_after(OSError(errno.EROFS, "Read-only file system", "x.parquet.d"))
    assert told is not None and "read-only file system" in told
    assert writable.advice_after(OSError(errno.ENOSPC, "No space left on device")) is None


def test_probe_tells_the_facts(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_text("x")
    code, mode, access = writable.probe(path)
    assert stat.S_ISREG(mode) and access is os.access(path, os.W_OK)
    assert code is None or code == errno.EROFS  # tmp_path is writable unless mounted read-only


def test_a_read_only_journal_file_advises_chmod(
    cli, seed_journal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_journal.chmod(0o444)
    real = os.access  # root may write anyway: let access() answer as for a user
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode == os.W_OK else real(p, mode, **kw))
    code, _, err = cli("add", "--title", "x", "--journal", str(seed_journal))
    assert code == 1
    assert err == f"journal: error: {seed_journal}: is read-only; make it writable (chmod u+w) to change it\n"


def test_a_journal_on_a_read_only_mount_says_so(
    cli, seed_journal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a read-only mount looks like to the store: mode 0644, access() refused,
    statvfs flags ST_RDONLY (root cannot mount in CI, so the last two are simulated)."""
    real_access, real_statvfs = os.access, os.statvfs

    class ReadOnly:
        def __init__(self, result: os.statvfs_result) -> None:
            self.f_flag = result.f_flag | os.ST_RDONLY

    monkeypatch.setattr(os, "access", lambda p, m, **kw: False if m == os.W_OK else real_access(p, m, **kw))
    monkeypatch.setattr(os, "statvfs", lambda p: ReadOnly(real_statvfs(p)))
    assert stat.S_IMODE(seed_journal.stat().st_mode) & stat.S_IWUSR
    with pytest.raises(JournalFileError, match="read-only file system") as caught:
        Journal(seed_journal).add(title="x", date="2024-05-10")
    assert "chmod" not in str(caught.value)
    code, _, err = cli("add", "--title", "x", "--journal", str(seed_journal))
    assert code == 1 and "read-only file system" in err and "--journal" in err and "chmod" not in err


# --- every error line starts alike ---------------------------------------------------------


@pytest.mark.parametrize("how", ["truncated", "newer"])
def test_check_errors_start_like_every_other_error(cli, seed_journal: Path, how: str) -> None:
    import pyarrow.parquet as pq

    if how == "truncated":  # the shipped journal has no backup to restore from
        seed_journal.write_bytes(seed_journal.read_bytes()[:300])
    else:
        table = pq.read_table(seed_journal)
        meta = {**(table.schema.metadata or {}), b"journal.schema_version": b"99"}
        pq.write_table(table.replace_schema_metadata(meta), seed_journal)
    code, out, err = cli("check", "--journal", str(seed_journal))
    assert code == 1 and out == ""
    assert err.startswith("journal: error: ") and err.count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--bogus"],
        ["frobnicate"],
        ["digest", "2024-05-09", "--lang", "fr"],
        ["tags", "rename", "only-one"],
        ["show", "zzzz"],
        ["list", "--date", BAD],
        ["check"],
    ],
)
def test_every_error_line_starts_the_same_way(seed_journal: Path, tmp_path: Path, args: list[str]) -> None:
    journal = tmp_path / "none.parquet" if args == ["check"] else seed_journal  # check: no journal here
    result = run_cli(*args, journal=journal)
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("journal: error: ") for line in lines), result.stderr


# --- counts that read right -----------------------------------------------------------------


def test_count_helper() -> None:
    from journal.text.wording import count, entries_count

    assert [entries_count(n) for n in (0, 1, 2)] == ["0 entries", "1 entry", "2 entries"]
    assert count(1, "day") == "1 day" and count(3, "day") == "3 days"
    assert count(1234, "entry", "entries", grouped=True) == "1,234 entries"


def test_a_first_import_tells_repeats_in_the_file_from_entries_already_present(cli, tmp_path: Path) -> None:
    journal = tmp_path / "j.parquet"
    source = tmp_path / "in.jsonl"
    line = '{"title": "Same paper", "date": "2024-05-01"}\n'
    source.write_text(line * 20 + '{"title": "Other", "date": "2024-05-01"}\n', encoding="utf-8")
    code, out, _ = cli("import", "jsonl", str(source), "--journal", str(journal))
    assert code == 0
    assert out == (
        f"imported 2 entries from {source} (0 already present in the journal; "
        "19 repeated in the file (the first of each id kept))\n"
    )
    code, out, _ = cli("import", "jsonl", str(source), "--journal", str(journal))
    assert "imported 0 entries" in out and "(2 already present in the journal; 19 repeated in the file" in out


def test_a_repeat_with_other_words_is_pointed_out(cli, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"title": "A", "date": "2024-05-01"}\n'
        '{"title": "A", "date": "2024-05-01", "commentary": "second thoughts"}\n',
        encoding="utf-8",
    )
    code, out, _ = cli("import", "jsonl", str(source), "--journal", str(tmp_path / "j.parquet"))
    assert code == 0 and out.startswith("imported 1 entry from ")
    assert "1 repeated in the file (the first of each id kept; 1 of them differ from it)" in out


def test_one_is_singular_wherever_a_count_is_printed(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journal.store import local as store

    journal = str(tmp_path / "j.parquet")
    assert cli("add", "--title", "A", "--date", "2024-05-01", "--tags", "x", "--journal", journal)[0] == 0
    code, _, err = cli("export", "jsonl", str(tmp_path / "out.jsonl"), "--journal", journal)
    assert code == 0 and err == f"exported 1 entry to {tmp_path / 'out.jsonl'}\n"
    code, out, _ = cli(
        "import", "jsonl", str(tmp_path / "out.jsonl"), "--journal", str(tmp_path / "k.parquet")
    )
    assert out.startswith("imported 1 entry from ")
    assert cli("tags", "rename", "x", "y", "--journal", journal)[1] == "renamed #x to #y in 1 entry\n"
    assert (
        cli("tags", "merge", "y", "--into", "z", "--journal", journal)[1] == "merged #y into #z in 1 entry\n"
    )
    code, out, _ = cli("stats", "--journal", journal)
    assert out.startswith("1 entry from 2024-05-01 to 2024-05-01")
    monkeypatch.setattr(store, "SMALL_JOURNAL_ROWS", 0)  # the next write stays a change file
    assert cli("add", "--title", "B", "--date", "2024-05-02", "--journal", journal)[0] == 0
    code, out, _ = cli("check", "--journal", journal)
    assert code == 0 and f"info: 1 change pending beside {journal}; `journal compact` folds it in" in out
    assert cli("compact", "--journal", journal)[1] == f"compacted: 1 pending change folded into {journal}\n"
