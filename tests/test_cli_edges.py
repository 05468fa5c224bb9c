"""Adversarial command-line cases: odd values and arguments give one line on stderr, a
non-zero exit, and leave every file beside the journal exactly as it was."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest


def tree(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` with a hash of its content."""
    out: dict[str, str] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            out[os.path.relpath(os.path.join(root, name), folder) + "/"] = "dir"
        for name in files:
            path = os.path.join(root, name)
            out[os.path.relpath(path, folder)] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return out


def refused(cli, folder: Path, *args: str) -> str:
    """Run a command that must fail; returns its one line of stderr."""
    before = tree(folder)
    code, out, err = cli(*args)
    assert code != 0, out
    assert err.count("\n") == 1 and err.startswith("journal"), err
    assert tree(folder) == before
    return err


@pytest.mark.parametrize(
    "field",
    [
        '"source": 5',
        '"url": 5',
        '"links": [5]',
        '"arxiv_id": 5',
        '"arxiv_version": 99999999999999',
        '"arxiv_id": "2405.05254v99999999999"',
    ],
)
def test_jsonl_values_of_the_wrong_type_import_nothing(cli, seed_journal: Path, field: str) -> None:
    source = seed_journal.parent / "in.jsonl"
    good = json.dumps({"title": "fine", "date": "2024-05-10"})
    source.write_text(
        good + "\n" + '{"title": "odd", "date": "2024-05-10", ' + field + "}\n", encoding="utf-8"
    )
    err = refused(cli, seed_journal.parent, "import", "jsonl", str(source), "--journal", str(seed_journal))
    assert "in.jsonl:2:" in err and "nothing was imported" in err


@pytest.mark.parametrize(
    "args",
    [
        ["rm", "abcd1234"],
        ["edit", "abcd1234", "--title", "new"],
        ["edit", "d72335cdab44", "--date", "2024-02-30"],
        ["edit", "d72335cdab44", "--url", "not a url"],
        ["tags", "rename", "nosuchtag", "other"],
        ["tags", "merge", "nosuchtag", "--into", "other"],
    ],
)
def test_failed_writes_create_no_files(cli, seed_journal: Path, args: list[str]) -> None:
    # the shipped journal has no folder of changes beside it; a failed command adds none
    refused(cli, seed_journal.parent, *args, "--journal", str(seed_journal))
    fresh = seed_journal.parent / "new"
    fresh.mkdir()
    refused(cli, fresh, *args, "--journal", str(fresh / "entries.parquet"))


@pytest.mark.parametrize(
    "args",
    [
        ["add", "--title", "x", "--date", "2024-05-09"],
        ["rm", "abcd1234"],
        ["compact"],
        ["import", "jsonl", "IN"],
    ],
)
def test_a_journal_in_a_missing_folder_is_refused(cli, tmp_path: Path, args: list[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"title": "a", "date": "2024-05-09"}\n', encoding="utf-8")
    args = [str(source) if a == "IN" else a for a in args]
    err = refused(cli, tmp_path, *args, "--journal", str(tmp_path / "typo" / "sub" / "entries.parquet"))
    assert "does not exist" in err or "no entry" in err


@pytest.mark.parametrize(
    "args",
    [
        ["digest", "2024-05-09", "--lang", "fr"],
        ["search", "x", "--limit", "abc"],
        ["frobnicate"],
        ["tags", "rename", "only-one"],
        ["list", "--bogus"],
    ],
)
def test_usage_errors_are_one_line(seed_journal: Path, args: list[str]) -> None:
    from conftest import run_cli

    before = tree(seed_journal.parent)
    result = run_cli(*args, journal=seed_journal)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--help" in result.stderr, result.stderr
    assert tree(seed_journal.parent) == before


def _damage(path: Path, how: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if how == "truncated":
        path.write_bytes(path.read_bytes()[:300])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "foreign":
        pq.write_table(pa.table({"a": [1, 2]}), path)
    elif how == "newer":
        table = pq.read_table(path)
        meta = dict(table.schema.metadata or {})
        meta[b"journal.schema_version"] = b"99"
        pq.write_table(table.replace_schema_metadata(meta), path)


@pytest.mark.parametrize("how", ["truncated", "empty", "foreign", "newer"])
@pytest.mark.parametrize(
    "args",
    [
        ["add", "--title", "x", "--date", "2024-05-10"],
        ["import", "jsonl", "IN"],
        ["compact"],
        ["tags", "rename", "efficiency", "speed"],
    ],
)
def test_writes_to_a_damaged_or_newer_journal_fail_cleanly(
    cli, seed_journal: Path, how: str, args: list[str]
) -> None:
    source = seed_journal.parent / "in.jsonl"
    source.write_text('{"title": "a", "date": "2024-05-10"}\n', encoding="utf-8")
    _damage(seed_journal, how)
    args = [str(source) if a == "IN" else a for a in args]
    err = refused(cli, seed_journal.parent, *args, "--journal", str(seed_journal))
    assert "entries.parquet" in err


@pytest.mark.parametrize("how", ["truncated", "newer"])
def test_check_reports_what_it_cannot_repair_on_stderr(cli, seed_journal: Path, how: str) -> None:
    _damage(seed_journal, how)  # the shipped journal has no backup to restore from
    code, out, err = cli("check", "--journal", str(seed_journal))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("journal: error: ") and "entries.parquet" in err
    assert "run `journal check`" not in err  # it is running


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "digest", "bibtex"])
def test_export_never_overwrites_the_journal(cli, seed_journal: Path, fmt: str) -> None:
    err = refused(cli, seed_journal.parent, "export", fmt, str(seed_journal), "--journal", str(seed_journal))
    assert "Parquet" in err
    assert len(journal_open(seed_journal)) == 5


def journal_open(path: Path):
    import journal

    return journal.open(path)


def test_export_through_a_link_or_into_a_pipe(cli, seed_journal: Path) -> None:
    import threading

    folder = seed_journal.parent
    real = folder / "real.jsonl"
    real.write_text("old\n", encoding="utf-8")
    (folder / "link.jsonl").symlink_to(real)
    refused(cli, folder, "export", "jsonl", str(folder / "link.jsonl"), "--journal", str(seed_journal))
    code, _, err = cli(
        "export", "jsonl", str(folder / "link.jsonl"), "--force", "--journal", str(seed_journal)
    )
    assert code == 0, err
    assert (folder / "link.jsonl").is_symlink() and len(real.read_text(encoding="utf-8").splitlines()) == 5

    fifo = folder / "pipe"  # like /dev/stdout: written into, not replaced by a regular file
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    code, _, err = cli("export", "jsonl", str(fifo), "--journal", str(seed_journal))
    reader.join(timeout=30)
    assert code == 0, err
    assert fifo.is_fifo() and len(got[0].splitlines()) == 5


def test_a_file_where_the_change_folder_belongs_is_one_line(cli, seed_journal: Path) -> None:
    (seed_journal.parent / "entries.parquet.d").write_text("not a folder", encoding="utf-8")
    for args in (["add", "--title", "x", "--date", "2024-05-10"], ["list"]):
        err = refused(cli, seed_journal.parent, *args, "--journal", str(seed_journal))
        assert "entries.parquet" in err


def test_a_read_only_journal_is_not_changed(cli, seed_journal: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_journal.chmod(0o444)
    if os.access(seed_journal, os.W_OK):  # root may write anyway: let access() answer as for a user
        real = os.access
        monkeypatch.setattr(
            os, "access", lambda p, mode, **kw: False if mode == os.W_OK else real(p, mode, **kw)
        )
    err = refused(cli, seed_journal.parent, "add", "--title", "x", "--journal", str(seed_journal))
    assert "read-only" in err
    code, out, _ = cli("list", "--journal", str(seed_journal))
    assert code == 0 and len(out.splitlines()) == 6


@pytest.mark.parametrize(
    "argv",
    [
        [b"add", b"--title", b"bad \xff bytes"],
        [b"add", b"--title", b"t", b"--tags", b"\xff"],
        [b"add", b"--title", b"t", b"--commentary", b"-"],
        [b"tags", b"rename", b"efficiency", b"\xff"],
    ],
)
def test_bytes_that_are_not_utf8_are_one_line(seed_journal: Path, argv: list[bytes]) -> None:
    import subprocess
    import sys

    from conftest import cli_env

    before = tree(seed_journal.parent)
    result = subprocess.run(
        [sys.executable.encode(), b"-m", b"journal", *argv, b"--journal", bytes(seed_journal)],
        input=b"\xff\xfe not UTF-8",
        capture_output=True,
        env=cli_env(),
        timeout=60,
    )
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 1 and err.count("\n") == 1 and "not UTF-8" in err, err
    assert tree(seed_journal.parent) == before


@pytest.mark.parametrize("encoding", ["ascii", "cp949"])
def test_output_to_a_terminal_that_is_not_utf8(seed_journal: Path, encoding: str) -> None:
    import subprocess
    import sys

    from conftest import cli_env

    for args in (["list"], ["digest", "2024-05-09"], ["search", "학습"]):
        result = subprocess.run(
            [sys.executable, "-m", "journal", *args, "--journal", str(seed_journal)],
            capture_output=True,
            env=cli_env(PYTHONIOENCODING=encoding),
            timeout=60,
        )
        assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr


def test_sigkill_during_a_big_jsonl_import_leaves_all_or_nothing(seed_journal: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    from conftest import cli_env

    count = 4000
    source = seed_journal.parent / "big.jsonl"
    with source.open("w", encoding="utf-8") as f:
        for i in range(count):
            row = {
                "title": f"논문 {i}",
                "date": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "tags": ["한국어"],
            }
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    argv = [sys.executable, "-m", "journal", "import", "jsonl", str(source), "--journal", str(seed_journal)]
    for delay in (0.05, 0.3, 0.6, 0.9, 1.2):  # from start-up to the write itself
        proc = subprocess.Popen(argv, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        n = len(journal_open(seed_journal))
        assert n in (5, 5 + count)  # never part of the import
        if n == 5 + count:
            break
    result = subprocess.run(argv, env=cli_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len(journal_open(seed_journal)) == 5 + count
    tmp = seed_journal.parent / "entries.parquet.d" / "tmp"
    assert not any(tmp.iterdir())  # what the killed imports left is cleaned up


def _bad_utf8_journal(path: Path, where: str) -> None:
    """A journal whose bytes were damaged so that some text is no longer UTF-8."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = path.read_bytes()
    if where == "footer":  # a column name in the (uncompressed) footer
        assert data.count(b"abstract") >= 1
        path.write_bytes(data.replace(b"abstract", b"\xffbstract"))
        return
    if where == "page":  # one byte of a (checksummed) data page
        at = len(data) // 4
        path.write_bytes(data[:at] + bytes([data[at] ^ 0x5A]) + data[at + 1 :])
        return
    # text that is not UTF-8 in a file without page checksums (an older or foreign file)
    table = pq.read_table(path)
    offsets = pa.py_buffer(np.arange(0, 2 * table.num_rows + 1, 2, dtype=np.int32).tobytes())
    broken = pa.Array.from_buffers(
        pa.string(), table.num_rows, [None, offsets, pa.py_buffer(b"\xc3(" * table.num_rows)]
    )
    table = table.set_column(table.schema.get_field_index("title"), "title", broken)
    pq.write_table(table.replace_schema_metadata(None), path)


@pytest.mark.parametrize("where", ["footer", "page", "data"])
def test_damaged_text_in_the_journal_is_a_clear_error_and_check_restores(
    cli, seed_journal: Path, where: str
) -> None:
    journal_open(seed_journal).add(title="sixth", date="2024-05-10")  # writes the backup
    _bad_utf8_journal(seed_journal, where)
    for args in (["list"], ["digest", "2024-05-09"], ["add", "--title", "x"]):
        err = refused(cli, seed_journal.parent, *args, "--journal", str(seed_journal))
        assert "journal check" in err
    code, out, err = cli("check", "--journal", str(seed_journal))
    assert code == 0 and "restored" in out, err
    assert len(journal_open(seed_journal)) == 6
