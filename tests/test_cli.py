"""The command line: every command, its help, and bad input (one line, non-zero, no change)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, SEED_DIGEST, run_cli

import journal
from journal.cli import build_parser

COMMANDS = ["add", "show", "edit", "rm", "list", "digest", "import", "export", "stats", "check", "compact"]


def test_every_command_has_help() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in COMMANDS:
        assert name in sub.choices
    for name, p in sub.choices.items():
        assert p.description, name
        help_text = p.format_help()
        assert "--journal" in help_text, name


def test_every_group_command_is_in_help_once_in_order() -> None:
    """Each command group's commands reach ``journal --help`` exactly once, in the order
    the help has always listed them (a group never hides or repeats another's command)."""
    import importlib
    import pkgutil

    import journal.cli
    from journal.cli import COMMANDS as BY_NAME

    # every *_commands module of the package, found on disk (not the list cli/__init__ keeps)
    groups = [
        importlib.import_module(f"journal.cli.{m.name}")
        for m in pkgutil.iter_modules(journal.cli.__path__)
        if m.name.endswith("_commands")
    ]
    names = [c.name for g in groups for c in g.COMMANDS]
    assert len(names) == len(set(names))
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert list(sub.choices) == list(BY_NAME)
    assert sorted(sub.choices) == sorted(names)
    assert list(sub.choices)[: len(COMMANDS)] == COMMANDS
    assert list(sub.choices)[len(COMMANDS) :] == [
        *("render", "search", "related", "tags", "triage"),
        *("dismiss", "follow", "mute", "feedback"),  # triage feedback, after triage
        "sync",  # a lab journal's outbox
    ]


@pytest.mark.parametrize("name", COMMANDS)
def test_help_runs(cli, name: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli(name, "--help")
    assert exit_.value.code == 0


def test_shipped_journal_prints_the_seed_exactly() -> None:
    result = run_cli("digest", "2024-05-09", journal=REPO / "entries.parquet")
    assert result.returncode == 0, result.stderr
    assert result.stdout == SEED_DIGEST.read_text(encoding="utf-8") + "\n"


def test_python_dash_m_and_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("journal ")


def test_add_show_edit_rm_cycle(cli, journal_path: Path) -> None:
    j = str(journal_path)
    code, out, _ = cli(
        "add",
        "--journal",
        j,
        "--title",
        "You Only Cache Once",
        "--url",
        "https://arxiv.org/abs/2405.05254v2",
        "--authors",
        "Yutao Sun, Li Dong",
        "--commentary",
        "인코더-디코더가 다시 등장",
        "--tags",
        "#efficiency kv",
        "--date",
        "2024-05-09",
    )
    assert code == 0 and out.startswith("added ")
    entry_id = out.split()[1]
    code, out, _ = cli("show", entry_id[:6], "--journal", j)
    assert (
        code == 0
        and "2405.05254v2" in out
        and "인코더-디코더가 다시 등장" in out
        and "#efficiency #kv" in out
    )
    code, out, _ = cli("edit", entry_id, "--journal", j, "--tags", "efficiency")
    assert code == 0
    assert journal.open(journal_path).get(entry_id).tags == ("efficiency",)
    code, out, _ = cli("rm", entry_id, "--journal", j)
    assert code == 0 and len(journal.open(journal_path)) == 0


def test_journal_from_environment(journal_path: Path) -> None:
    result = run_cli("add", "--title", "from env", "--date", "2024-05-09", JOURNAL=str(journal_path))
    assert result.returncode == 0, result.stderr
    assert [e.title for e in journal.open(journal_path).entries()] == ["from env"]


def test_commentary_from_stdin(journal_path: Path) -> None:
    text = "첫 문단입니다.\n\n둘째 문단입니다."
    result = run_cli("add", "--title", "stdin", "--commentary", "-", journal=journal_path, input=text)
    assert result.returncode == 0, result.stderr
    assert journal.open(journal_path).entries()[0].commentary == text


def test_list_and_filters(cli, seed_journal: Path) -> None:
    code, out, _ = cli("list", "--journal", str(seed_journal), "--tag", "efficiency")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].split() == ["id", "date", "title", "tags"] and len(lines) == 3
    code, out, err = cli("list", "--journal", str(seed_journal), "--date", "2024-05-10")
    assert code == 0 and out == "" and "no entries" in err


def test_digest_en(cli, seed_journal: Path) -> None:
    code, out, _ = cli("digest", "2024-05-09", "--lang", "en", "--journal", str(seed_journal))
    assert code == 0 and out.startswith("May 9, 2024\nWhat's up with Llama 3?")


def test_import_export_round_trips(cli, tmp_path: Path, seed_journal: Path) -> None:
    for fmt in ("jsonl", "digest"):
        dest = tmp_path / f"out.{fmt}"
        code, _, err = cli("export", fmt, str(dest), "--journal", str(seed_journal))
        assert code == 0, err
        fresh = tmp_path / f"fresh-{fmt}.parquet"
        code, out, err = cli("import", fmt, str(dest), "--journal", str(fresh))
        assert code == 0 and "imported 5 entries" in out, err
        code, out, _ = cli("import", fmt, str(dest), "--journal", str(fresh))
        assert "imported 0 entries" in out and "5 already present" in out
        a = [
            (e.title, e.abstract, e.commentary, e.tags, e.authors, e.url)
            for e in journal.open(seed_journal).entries()
        ]
        b = [
            (e.title, e.abstract, e.commentary, e.tags, e.authors, e.url)
            for e in journal.open(fresh).entries()
        ]
        assert a == b
    jsonl = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(jsonl[0])
    assert first["date"] == "2024-05-09" and first["created_at"].endswith("Z")


def test_export_csv_and_stdout(cli, seed_journal: Path, tmp_path: Path) -> None:
    code, _, _ = cli(
        "export", "csv", str(tmp_path / "out.csv"), "--journal", str(seed_journal), "--tag", "efficiency"
    )
    import csv

    rows = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert code == 0 and len(rows) == 2 and rows[1]["tags"] == "efficiency diffusion distillation"
    code, out, _ = cli("export", "digest", "-", "--journal", str(seed_journal))
    assert out == SEED_DIGEST.read_text(encoding="utf-8") + "\n"


def test_stats_check_compact(cli, seed_journal: Path) -> None:
    code, out, _ = cli("stats", "--journal", str(seed_journal))
    assert code == 0 and "2024-05" in out and "#efficiency" in out and "OpenAI" in out
    code, out, _ = cli("check", "--journal", str(seed_journal))
    assert code == 0 and out.startswith("ok")
    code, out, _ = cli("compact", "--journal", str(seed_journal))
    assert code == 0 and "compacted" in out


def test_check_lists_likely_duplicates(cli, journal_path: Path) -> None:
    j = journal.open(journal_path)
    j.add(title="YOCO", arxiv_id="2405.05254", date="2024-05-09")
    j.add(title="YOCO again", arxiv_id="2405.05254", date="2024-06-01")
    code, out, _ = cli("check", "--journal", str(journal_path))
    assert code == 0 and "likely the same paper" in out


# --- bad input: one line on stderr, non-zero exit, nothing changed -----------------------


def _snapshot(path: Path) -> bytes:
    return path.read_bytes()


BAD = [
    (["add", "--title", "   "], "title"),
    (["add", "--title", "x", "--date", "2024-02-30"], "date"),
    (["add", "--title", "x", "--url", "not a url"], "url"),
    (["add", "--title", "x", "--tags", "a,b", "--arxiv-id", "12345"], "arXiv"),
    (["show", "ffffffffffff"], "no entry"),
    (["edit", "ffffffffffff", "--title", "x"], "no entry"),
    (["edit", "ffffffffffff"], "nothing to change"),
    (["rm", "ffffffffffff"], "no entry"),
    (["digest", "2024-13-01"], "date"),
    (["list", "--from", "yesterdayish"], "date"),
    (["import", "yaml", "x.yaml"], "unknown import format"),
    (["export", "pdf", "out.pdf"], "unknown export format"),
    (["import", "jsonl", "/nonexistent/file.jsonl"], "no such file"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_is_one_line_and_changes_nothing(seed_journal: Path, args: list[str], message: str) -> None:
    before = _snapshot(seed_journal)
    result = run_cli(*args, journal=seed_journal)
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert message.lower() in result.stderr.lower()
    assert _snapshot(seed_journal) == before
    assert journal.open(seed_journal).pending_changes() == 0


def test_import_of_binary_or_broken_files_imports_nothing(cli, seed_journal: Path, tmp_path: Path) -> None:
    binary = tmp_path / "x.jsonl"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    good = json.dumps({"title": "ok", "date": "2024-05-10"})
    broken = tmp_path / "broken.jsonl"
    broken.write_text(
        good + "\n" + '{"title": "cut' + "\n" + good.replace("ok", "ok2") + "\n", encoding="utf-8"
    )
    bad_field = tmp_path / "badfield.jsonl"
    bad_field.write_text(
        good + "\n" + json.dumps({"title": "x", "date": "2024-99-01"}) + "\n", encoding="utf-8"
    )
    digest_bad = tmp_path / "bad.txt"
    digest_bad.write_text("not a digest\n", encoding="utf-8")
    cases = [
        ("jsonl", binary, "binary"),
        ("jsonl", broken, ":2:"),
        ("jsonl", bad_field, ":2:"),
        ("digest", digest_bad, ":1:"),
        ("jsonl", tmp_path, "folder"),
    ]
    for fmt, path, message in cases:
        before = _snapshot(seed_journal)
        code, _out, err = cli("import", fmt, str(path), "--journal", str(seed_journal))
        assert (code == 1 and message in err and "nothing was imported" in err) or (
            fmt == "jsonl" and path == tmp_path
        ), err
        assert _snapshot(seed_journal) == before and len(journal.open(seed_journal)) == 5


def test_truncated_journal_then_check_restores(seed_journal: Path, cli) -> None:
    journal.open(seed_journal).add(title="sixth", date="2024-05-10")  # creates the backup
    data = seed_journal.read_bytes()
    seed_journal.write_bytes(data[:100])
    result = run_cli("list", journal=seed_journal)
    assert result.returncode == 1 and "journal check" in result.stderr and result.stderr.count("\n") == 1
    code, out, _ = cli("check", "--journal", str(seed_journal))
    assert code == 0 and "restored" in out
    assert len(journal.open(seed_journal)) == 6


def test_newer_schema_via_cli(seed_journal: Path) -> None:
    import pyarrow.parquet as pq

    t = pq.read_table(seed_journal)
    pq.write_table(t.replace_schema_metadata({b"journal.schema_version": b"4"}), seed_journal)
    result = run_cli("list", journal=seed_journal)
    assert result.returncode == 1 and "newer" in result.stderr and "Traceback" not in result.stderr


def test_cli_add_does_not_import_pandas(journal_path: Path) -> None:
    code = (
        "import sys; from journal.cli import main; "
        f"main(['add', '--title', 'x', '--journal', {str(journal_path)!r}]); "
        f"main(['add', '--title', 'y', '--journal', {str(journal_path)!r}]); "
        "print('pandas' in sys.modules)"
    )
    import subprocess
    import sys

    from conftest import cli_env

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli_env())
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr
