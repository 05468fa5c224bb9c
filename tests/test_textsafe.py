"""The rule for control characters and sizes of text (journal.text.rules): every way in
(command line, capture form, JSONL, BibTeX, markdown) meets it in the model; terminals and
the feed never see control characters; an export completes or writes nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from conftest import cli_env, run_cli
from hypothesis import given
from hypothesis import strategies as st

import journal
from journal.errors import ExportFailed, ValidationError
from journal.model import make_entry, normalise_text

DAY = "2025-01-02"
#: what a PDF paste, a terminal escape and a stray byte bring
NASTY = "one\x0cpage two \x1b]0;pwned\x07 \x1b[2J\x9b31m end"
CONTROLS = [chr(c) for c in (*range(32), *range(127, 160)) if chr(c) not in "\t\n"]


def no_controls(text: str) -> bool:
    return not any(c in text for c in CONTROLS)


def raw_journal(path: Path) -> Path:
    """A journal written before the rule (or by another tool): straight with pyarrow."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    day = dt.date.fromisoformat(DAY)
    rows = [
        {
            "id": "0123456789ab",
            "date": day,
            "title": "Evil \x1b[2J title",
            "authors": ["Ann \x1b[5mBlink"],
            "abstract": "abs\x0bract",
            "commentary": NASTY,
            "tags": ["a\x1bb"],
        },
        {
            "id": "ba9876543210",
            "date": day,
            "title": "Second \x1b[31mred",
            "authors": ["Bob"],
            "abstract": "",
            "commentary": "plain",
            "tags": ["a\x1bb"],
        },
    ]
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def on_terminal(*args: str) -> tuple[int, str, str]:
    """Run the command line with standard output on a pseudo-terminal."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "journal", *args],
        stdout=slave,
        stderr=subprocess.PIPE,
        env=cli_env(COLUMNS="200"),
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the other end closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    return proc.returncode, b"".join(chunks).decode().replace("\r\n", "\n"), err


# --- the rule, in the model ---------------------------------------------------------


@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_multi_line_text_holds_no_control_but_tab_and_newline(text: str) -> None:
    from journal.text.rules import clean_text

    clean = normalise_text(text, "commentary")
    assert no_controls(clean) and "\u2028" not in clean and "\u2029" not in clean
    assert normalise_text(clean, "commentary") == clean  # the rule is idempotent
    if no_controls(text) and "\u2028" not in text and "\u2029" not in text:
        assert clean_text(text) == text  # text without controls passes untouched


def test_page_breaks_become_paragraph_breaks_and_other_controls_are_dropped() -> None:
    e = make_entry(title="T", commentary="one\x0cpage two", abstract="a\r\nb\rc\x0bd\u2029e\u2028f")
    assert e.commentary == "one\n\npage two"
    assert e.paragraphs == ["one", "page two"]
    assert e.abstract == "a\nb\nc\n\nd\n\ne\nf"
    assert make_entry(title="T", commentary="end of page\n\x0c\nnext").commentary == "end of page\n\nnext"
    assert make_entry(title="T", commentary="tab\there\nline").commentary == "tab\there\nline"
    dropped = make_entry(title="T", commentary="a\x1b[31mb\x00c\x7fd\x9be\x85f").commentary
    assert dropped == "a[31mbcde\nf"


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", "a\x1bb"),
        ("title", "a\x9bb"),
        ("authors", "Ann \x1b[5m"),
        ("tags", "a\x1bb"),
        ("tags", ["ok", "a\x07b"]),
        ("url", "https://example.org/\x1b[2J"),
        ("links", ["https://example.org/\x1bx"]),
        ("source", "notes/a\x1bb.md"),
    ],
)
def test_one_line_fields_refuse_control_characters(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        make_entry(title="T", **{field: value}) if field != "title" else make_entry(title=value)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert "control character" in str(caught.value) and "remove it" in str(caught.value)


def test_white_space_in_one_line_fields_still_folds() -> None:
    e = make_entry(title="A\x0ctitle\tover\nlines", authors=["Ann\x0cLee"], tags="a\x0cb")
    assert (e.title, e.authors, e.tags) == ("A title over lines", ("Ann Lee",), ("a", "b"))


@pytest.mark.parametrize(
    "field, limit",
    [("commentary", 1_000_000), ("abstract", 1_000_000), ("title", 1_000), ("url", 8_000)],
)
def test_each_field_has_a_size_limit_named_in_the_error(field: str, limit: int) -> None:
    def value(n: int) -> str:
        return "https://example.org/" + "x" * (n - 20) if field == "url" else "x" * n

    fields = {"title": "T", field: value(limit)}
    assert len(getattr(make_entry(**fields), field)) == limit
    fields[field] = value(limit + 1)
    with pytest.raises(ValidationError) as caught:
        make_entry(**fields)
    message = str(caught.value)
    assert message.startswith(f"{field}: ") and f"{limit + 1:,}" in message and f"{limit:,}" in message


def test_lists_have_a_length_limit() -> None:
    with pytest.raises(ValidationError, match=r"tags: holds 10,001 values; the limit is 10,000"):
        make_entry(title="T", tags=[f"t{i}" for i in range(10_001)])
    with pytest.raises(ValidationError, match="authors"):
        make_entry(title="T", authors=[f"A{i}" for i in range(10_001)])


# --- the ways in ---------------------------------------------------------------------


def test_jsonl_import_follows_the_rule(cli, journal_path: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"title": "J", "date": DAY, "commentary": "one\x0cpage two"}) + "\n")
    assert cli("import", "jsonl", str(src), "--journal", str(journal_path))[0] == 0
    assert [e.commentary for e in journal.open(journal_path).entries()] == ["one\n\npage two"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"title": "a\x1bb", "date": DAY}) + "\n")
    code, _, err = cli("import", "jsonl", str(bad), "--journal", str(journal_path))
    assert code == 1 and err.count("\n") == 1 and "title: contains the control character" in err


def test_bibtex_import_follows_the_rule(cli, journal_path: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.bib"
    src.write_text("@article{k,\n  title = {Fine},\n  annote = {one\x0cpage two},\n  year = 2024\n}\n")
    assert cli("import", "bibtex", str(src), "--journal", str(journal_path))[0] == 0
    assert [e.commentary for e in journal.open(journal_path).entries()] == ["one\n\npage two"]
    bad = tmp_path / "bad.bib"
    bad.write_text("@article{k,\n  title = {A\x1b title},\n  year = 2024\n}\n")
    code, _, err = cli("import", "bibtex", str(bad), "--journal", str(journal_path))
    assert code == 1 and err.count("\n") == 1 and "title: contains the control character" in err


def test_markdown_import_follows_the_rule(cli, journal_path: Path, tmp_path: Path) -> None:
    note = tmp_path / "vault" / "2024" / "240509 Note.md"
    note.parent.mkdir(parents=True)
    note.write_text("*Note*\n\none\x0cpage two\x1b[31m\n\n#tag\n", encoding="utf-8")
    assert cli("import", "markdown", str(tmp_path / "vault"), "--journal", str(journal_path))[0] == 0
    (entry,) = journal.open(journal_path).entries()
    assert (entry.title, entry.commentary, entry.tags) == ("Note", "one\n\npage two[31m", ("tag",))


def test_capture_form_follows_the_rule() -> None:
    from journal.capture import form_values as forms

    values = {**forms.blank_values(), "title": "Form", "commentary": "one\x0cpage two"}
    assert forms.entry_from_form(values).commentary == "one\n\npage two"
    with pytest.raises(ValidationError) as caught:
        forms.entry_from_form({**values, "tags": ["a\x1bb"]})
    assert forms.form_field(caught.value) == "tags"


# --- the command line ----------------------------------------------------------------


def test_a_form_feed_in_commentary_is_a_paragraph_and_the_site_is_published(
    journal_path: Path, tmp_path: Path
) -> None:
    done = run_cli(
        "add", "--title", "T", "--date", DAY, "--commentary", "one\x0cpage two", journal=journal_path
    )
    assert done.returncode == 0, done.stderr
    (entry,) = journal.open(journal_path).entries()
    assert entry.commentary == "one\n\npage two"
    site = tmp_path / "site"
    done = run_cli("export", "html", str(site), journal=journal_path)
    assert done.returncode == 0, done.stderr
    parsed = feedparser.parse(str(site / "feed.xml"))
    assert not parsed.bozo and "<p>one</p>" in parsed.entries[0].summary


def test_tags_with_an_escape_are_refused_in_one_line_and_nothing_is_written(journal_path: Path) -> None:
    done = run_cli("add", "--title", "T", "--tags", "a\x1bb", journal=journal_path)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == "journal: error: tags: contains the control character '\\x1b'; remove it\n"
    assert not journal_path.exists() and not journal_path.with_name(journal_path.name + ".d").exists()


def test_a_commentary_of_2_mb_from_stdin_is_refused_in_one_line(journal_path: Path) -> None:
    done = run_cli("add", "--title", "T", "--commentary", "-", input="x" * 2_000_000, journal=journal_path)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (
        "journal: error: commentary: is 2,000,000 characters long, over the limit of 1,000,000; "
        "shorten it, or keep the full text in a file and give its URL\n"
    )
    assert not journal_path.exists() and not journal_path.with_name(journal_path.name + ".d").exists()


def test_an_old_journal_with_escapes_loads_and_never_reaches_the_terminal(tmp_path: Path) -> None:
    path = raw_journal(tmp_path / "old.parquet")
    j = ["--journal", str(path)]
    for args in (["show", "0123"], ["list"], ["digest", DAY], ["related", "0123"], ["search", "title"]):
        code, out, err = on_terminal(*args, *j)
        assert code == 0, (args, err)
        shown = out.replace("\x1b[1m", "").replace("\x1b[0m", "")  # search's own bold matches
        assert no_controls(shown.replace("\n", "")), (args, out)
        assert "Evil [2J title" in out or "Second" in out, (args, out)
    code, out, _ = on_terminal("show", "0123", *j)
    assert "one\n\npage two ]0;pwned [2J31m end" in out and "#ab" in out
    # not a terminal: the bytes as stored (a file gets what the journal holds)
    assert "\x1b]0;pwned" in run_cli("show", "0123", journal=path).stdout


def test_triage_output_on_a_terminal_has_no_escapes(tmp_path: Path) -> None:
    path = raw_journal(tmp_path / "old.parquet")
    listing = tmp_path / "listing.jsonl"
    paper = {
        "arxiv_id": "2501.00001",
        "title": "Red\x1b[31m paper",
        "authors": ["A\x1b[0m"],
        "abstract": "x\x1b",
    }
    listing.write_text(json.dumps({**paper, "date": DAY}) + "\n")
    code, out, err = on_terminal("triage", "--listing", str(listing), "--journal", str(path))
    assert code == 0, err
    assert no_controls(out.replace("\n", "")) and "Red[31m paper" in out


def test_an_old_journal_with_control_characters_exports_html_and_feed(tmp_path: Path) -> None:
    path = raw_journal(tmp_path / "old.parquet")
    site = tmp_path / "site"
    done = run_cli("export", "html", str(site), journal=path)
    assert done.returncode == 0, done.stderr
    feed_text = (site / "feed.xml").read_text(encoding="utf-8")
    assert no_controls(feed_text.replace("\n", ""))
    parsed = feedparser.parse(str(site / "feed.xml"))
    assert not parsed.bozo and "page two" in parsed.entries[0].summary


def test_check_repairs_an_old_journal(cli, tmp_path: Path) -> None:
    path = raw_journal(tmp_path / "old.parquet")
    before = path.read_bytes()
    code, out, _ = cli("check", "--no-repair", "--journal", str(path))
    assert code == 0 and "2 entries held control characters" in out and "`journal check` removes them" in out
    assert path.read_bytes() == before
    code, out, _ = cli("check", "--journal", str(path))
    assert code == 0 and "repaired: 2 entries held control characters" in out
    entries = {e.id: e for e in journal.open(path).entries()}
    old = entries["0123456789ab"]
    assert old.commentary == "one\n\npage two ]0;pwned [2J31m end"
    assert (old.title, old.authors, old.tags, old.abstract) == (
        "Evil [2J title",
        ("Ann [5mBlink",),
        ("ab",),
        "abs\n\nract",
    )
    assert cli("check", "--journal", str(path))[1] == "ok: the journal is readable and consistent\n"


# --- an export completes or writes nothing -------------------------------------------


@pytest.fixture
def fail_feed(monkeypatch: pytest.MonkeyPatch):
    """Call it to make feedgen fail as it did on a control character."""
    from feedgen.feed import FeedGenerator

    def refuse(self, *args, **kwargs):
        raise ValueError(
            "All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters"
        )

    return lambda: monkeypatch.setattr(FeedGenerator, "atom_str", refuse)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_failing_feed_leaves_no_site(cli, tmp_path: Path, fail_feed) -> None:
    path = raw_journal(tmp_path / "old.parquet")
    site = tmp_path / "site"
    assert cli("export", "html", str(site), "--journal", str(path))[0] == 0
    before = snapshot(site)
    journal.open(path).add(title="New day", date="2025-01-03")
    fail_feed()
    code, _, err = cli("export", "html", str(site), "--journal", str(path))
    assert code == 1 and err.count("\n") == 1 and "feed.xml" in err
    assert snapshot(site) == before  # the earlier export, untouched
    code, _, _ = cli("export", "html", str(tmp_path / "new"), "--journal", str(path))
    assert code == 1 and not (tmp_path / "new").exists()


def test_a_failing_write_changes_no_file(tmp_path: Path) -> None:
    from journal.fileio import write_all

    (tmp_path / "a").write_bytes(b"old")
    (tmp_path / "c").mkdir()  # a folder where a file should go: that write fails
    with pytest.raises(OSError):
        write_all({tmp_path / "a": b"new", tmp_path / "b": b"new", tmp_path / "c": b"new"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "c"]
    assert (tmp_path / "a").read_bytes() == b"old"


def test_render_of_an_old_journal_with_a_long_essay_and_a_failing_feed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_feed
) -> None:
    """One kernel: an old journal with control characters plus a 500 KB essay renders
    (with its feed); then, the feed failing, a render writes nothing."""
    from journal.publish import notebooks as render

    path = raw_journal(tmp_path / "old.parquet")
    essay = ("A long essay paragraph. " * 40 + "\n\n") * 520  # ~500 KB
    done = run_cli("add", "--title", "Essay", "--date", DAY, "--commentary", "-", input=essay, journal=path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "digests"
    done = run_cli("render", DAY, "--to", str(out), "--lang", "en", journal=path)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"{DAY}.html", f"{DAY}.ipynb", f"{DAY}.md", "feed.xml"]
    assert not feedparser.parse(str(out / "feed.xml")).bozo
    md = (out / f"{DAY}.md").read_text(encoding="utf-8")
    assert "Essay" in md and "A long essay paragraph." in md and "\x1b" not in (out / "feed.xml").read_text()
    assert (out / f"{DAY}.ipynb").stat().st_size < 8 * len(essay)
    # the same run again without a kernel, the feed failing: nothing changes
    import nbformat

    executed = nbformat.read(str(out / f"{DAY}.ipynb"), as_version=4)
    monkeypatch.setattr(render, "_execute", lambda *a, **k: (executed, render._Warm()))
    fail_feed()
    before = snapshot(out)
    with pytest.raises(ExportFailed, match=r"feed\.xml"):
        render.render_days(path, DAY, to_dir=out, lang="en")
    assert snapshot(out) == before
    with pytest.raises(ExportFailed):
        render.render_days(path, DAY, to_dir=tmp_path / "fresh", lang="en")
    assert not (tmp_path / "fresh").exists()
