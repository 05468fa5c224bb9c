"""Tag care: counts, rename and merge in one atomic change, near-duplicates in check."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from conftest import cli_env

import journal
from journal import store
from journal import tags as T
from journal.check import near_duplicate_tags, tag_key
from journal.errors import JournalFileError, ValidationError
from journal.model import make_entry


@pytest.fixture
def j(tmp_path):
    j = journal.open(str(tmp_path / "entries.parquet"))
    j.add_many(
        [
            make_entry(title="A", date="2024-01-01", tags="self_supervised vision", commentary="첫 번째"),
            make_entry(title="B", date="2024-01-02", tags="Self-Supervised contrastive self-supervised"),
            make_entry(title="C", date="2024-01-03", tags="vision self-supervised diffusion"),
            make_entry(title="D", date="2024-01-04", tags="diffusion", commentary="태그만 다른 항목"),
            make_entry(title="E", date="2024-01-05"),
        ]
    )
    return j


def tags_of(j):
    return {e.title: list(e.tags) for e in j.entries()}


def test_tag_counts_most_used_first(j):
    assert T.tag_counts(j) == [
        ("diffusion", 2),
        ("self-supervised", 2),
        ("vision", 2),
        ("Self-Supervised", 1),
        ("contrastive", 1),
        ("self_supervised", 1),
    ]


def test_rename_keeps_order_and_other_fields(j):
    before = {e.title: e for e in j.entries()}
    assert T.rename_tag(j, "vision", "#computer-vision") == 2
    after = {e.title: e for e in j.entries()}
    assert after["A"].tags == ("self_supervised", "computer-vision")
    assert after["C"].tags == ("computer-vision", "self-supervised", "diffusion")
    for title in "AC":
        assert after[title].replace(tags=(), updated_at=None) == before[title].replace(
            tags=(), updated_at=None
        )
    assert after["D"] == before["D"]  # untouched entries are not rewritten


def test_rename_to_an_existing_tag_merges_without_duplicates(j):
    assert T.rename_tag(j, "vision", "diffusion") == 2
    assert tags_of(j)["C"] == ["diffusion", "self-supervised"]  # the first place is kept
    assert tags_of(j)["A"] == ["self_supervised", "diffusion"]


@pytest.mark.parametrize("old", ["Self-Supervised", "SELF_SUPERVISED", "self-supervised"])
def test_rename_takes_every_spelling_of_the_tag(j, old):
    # one rule of tag matching everywhere: case, - and _ ignored (model.tag_key)
    assert T.rename_tag(j, old, "self-supervised") == 2  # A and B; C already says so
    assert tags_of(j) == {
        "A": ["self-supervised", "vision"],
        "B": ["self-supervised", "contrastive"],
        "C": ["vision", "self-supervised", "diffusion"],
        "D": ["diffusion"],
        "E": [],
    }
    with pytest.raises(ValidationError, match="already the tag's name"):
        T.rename_tag(j, "self-supervised", "self-supervised")  # nothing left to respell


def test_merge_several_into_one(j):
    changed = T.merge_tags(
        j, ["self_supervised", "Self-Supervised", "self-supervised"], into="self-supervised"
    )
    assert changed == 2  # C already says self-supervised
    assert tags_of(j) == {
        "A": ["self-supervised", "vision"],
        "B": ["self-supervised", "contrastive"],
        "C": ["vision", "self-supervised", "diffusion"],
        "D": ["diffusion"],
        "E": [],
    }
    assert near_duplicate_tags(j.entries()) == []


def test_merge_into_a_new_tag(j):
    assert T.merge_tags(j, ["vision", "diffusion"], into="visual") == 3
    assert tags_of(j)["C"] == ["visual", "self-supervised"]


def test_unknown_tag_changes_nothing_and_lists_close_matches(j):
    before = j.entries()
    with pytest.raises(ValidationError) as info:
        T.merge_tags(j, ["vision", "selfsupervise"], into="x")
    message = str(info.value)
    assert "#selfsupervise;" in message
    for close in ("#self_supervised", "#Self-Supervised", "#self-supervised"):
        assert close in message
    with pytest.raises(ValidationError, match="see `journal tags`"):
        T.rename_tag(j, "zzz", "x")
    assert j.entries() == before


@pytest.mark.parametrize(
    ("old", "new"), [("vision", "two words"), ("vision", ""), ("a,b", "c"), ("vision", "vision")]
)
def test_bad_names_are_refused(j, old, new):
    before = j.entries()
    with pytest.raises(ValidationError):
        T.rename_tag(j, old, new)
    assert j.entries() == before


def test_a_rename_is_one_put_many(j, monkeypatch):
    calls = []
    original = store.Journal.put_many

    def spy(self, entries):
        calls.append(entries)
        return original(self, entries)

    monkeypatch.setattr(store.Journal, "put_many", spy)
    T.merge_tags(j, ["vision", "diffusion"], into="visual")
    assert len(calls) == 1


def test_a_failure_while_writing_changes_nothing(j, monkeypatch):
    before = j.entries()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store.os, "replace", broken)
    with pytest.raises(JournalFileError, match="disk full"):  # one clear line, not a traceback
        T.rename_tag(j, "vision", "visual")
    monkeypatch.undo()
    assert journal.open(str(j.path)).entries() == before


def test_a_change_file_write_failure_changes_nothing(j, monkeypatch):
    monkeypatch.setattr(store, "SMALL_JOURNAL_ROWS", 0)  # the change goes to a change file
    before = j.entries()
    monkeypatch.setattr(store, "_durable_write", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(JournalFileError, match="disk full"):
        T.merge_tags(j, ["vision", "diffusion"], into="visual")
    assert journal.open(str(j.path)).entries() == before


@pytest.mark.parametrize("small", [True, False])
def test_killed_mid_rename_changes_nothing(j, small):
    """A real process killed (SIGKILL) just before its change becomes visible."""
    before = j.entries()
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        import journal.store as store
        from journal.tags import rename_tag
        if not {small}:
            store.SMALL_JOURNAL_ROWS = 0
        real = os.replace
        def replace(src, dst, *a, **k):
            if str(dst).endswith((".parquet", ".jsonl")):
                os.kill(os.getpid(), signal.SIGKILL)  # the new file is written, not yet in place
            return real(src, dst, *a, **k)
        store.os.replace = replace
        rename_tag(store.Journal(sys.argv[1]), "vision", "visual")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(j.path)], env=cli_env(), capture_output=True, timeout=60
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert journal.open(str(j.path)).entries() == before
    assert T.rename_tag(journal.open(str(j.path)), "vision", "visual") == 2  # and it works afterwards


def test_an_edit_made_during_a_rename_is_not_lost(j, monkeypatch):
    """The tags are rewritten from entries read under the write lock: an edit by another
    writer waits for the rename, then applies on top of it."""
    target = next(e for e in j.entries() if e.title == "A")
    reading = threading.Event()
    original = T._rewrite

    def slow(entries, sources, into):
        reading.set()
        time.sleep(0.5)  # the other writer tries to edit now
        return original(entries, sources, into)

    monkeypatch.setattr(T, "_rewrite", slow)
    rename = threading.Thread(target=T.rename_tag, args=(j, "vision", "visual"))
    rename.start()
    assert reading.wait(10)
    journal.open(str(j.path)).update(target.id, commentary="방금 고친 문장")
    rename.join()
    after = journal.open(str(j.path)).get(target.id)
    assert after.commentary == "방금 고친 문장"
    assert after.tags == ("self_supervised", "visual")


# --- near-duplicate tags -----------------------------------------------------------------


def test_tag_key():
    assert (
        tag_key("Self Supervised")
        == tag_key("self-supervised")
        == tag_key("self_supervised")
        == "selfsupervised"
    )


def test_near_duplicates_most_used_first(j):
    assert near_duplicate_tags(j.entries()) == [["self-supervised", "Self-Supervised", "self_supervised"]]


def test_check_reports_near_duplicates_with_the_command_to_merge_them(j, cli):
    code, out, _ = cli("check", "--journal", str(j.path))
    assert code == 0
    assert "near-duplicate tags: #self-supervised #Self-Supervised #self_supervised" in out
    assert "journal tags merge Self-Supervised self_supervised --into self-supervised" in out


# --- the command line ----------------------------------------------------------------------


def test_cli_tags_lists_counts(j, cli):
    code, out, _ = cli("tags", "--journal", str(j.path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["tag", "entries"]
    assert lines[1].split() == ["#diffusion", "2"]
    assert len(lines) == 7


def test_cli_rename_and_merge(j, cli):
    code, out, _ = cli("tags", "rename", "vision", "visual", "--journal", str(j.path))
    assert (code, out) == (0, "renamed #vision to #visual in 2 entries\n")
    code, out, _ = cli(
        "tags",
        "merge",
        "Self-Supervised",
        "self_supervised",
        "--into",
        "self-supervised",
        "--journal",
        str(j.path),
    )
    assert code == 0 and out.startswith(
        "merged #Self-Supervised #self_supervised into #self-supervised in 2 entries"
    )
    code, out, _ = cli("check", "--journal", str(j.path))
    assert "near-duplicate" not in out


def test_cli_unknown_tag_is_one_line_error(j, cli):
    code, out, err = cli("tags", "rename", "Visoin", "x", "--journal", str(j.path))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "did you mean #vision" in err


def test_cli_tags_on_an_empty_journal(tmp_path, cli):
    assert cli("tags", "--journal", str(tmp_path / "none.parquet")) == (0, "", "no tags\n")


@pytest.mark.parametrize(
    "argv", [["tags", "--help"], ["tags", "rename", "--help"], ["tags", "merge", "--help"]]
)
def test_cli_tags_help(argv, capsys):
    from journal.cli import main

    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: journal tags" in out and "--journal" in out


def test_cli_merge_needs_into(j, capsys):
    from journal.cli import main

    with pytest.raises(SystemExit):
        main(["tags", "merge", "a", "b", "--journal", str(j.path)])
    assert "--into" in capsys.readouterr().err


def test_no_changes_file_left_behind(j):
    T.rename_tag(j, "vision", "visual")
    leftovers = os.listdir(j.tmp_dir) if j.tmp_dir.exists() else []
    assert leftovers == []


# --- one rule of tag matching everywhere -----------------------------------------------------


@pytest.fixture
def cased(tmp_path):
    """Tags spelled several ways, as a journal gathered over years has them."""
    j = journal.open(str(tmp_path / "cased.parquet"))
    j.add_many(
        [
            make_entry(title="Chain of thought", date="2024-01-01", tags="Reasoning math"),
            make_entry(title="Tree search", date="2024-01-02", tags="reasoning"),
            make_entry(title="Verifier", date="2024-01-03", tags="REASONING Reasoning"),
            make_entry(title="Full width", date="2024-01-04", tags="ＲＥＡＳＯＮＩＮＧ"),
            make_entry(title="Diffusion", date="2024-01-05", tags="diffusion reasoning-free"),
        ]
    )
    return j


REASONING = {"Chain of thought", "Tree search", "Verifier", "Full width"}


@pytest.mark.parametrize("typed", ["Reasoning", "reasoning", "REASONING", "#Reasoning", "ｒｅａｓｏｎｉｎｇ"])
def test_list_export_and_search_find_the_same_entries_for_any_case(cased, cli, tmp_path, typed):
    import csv
    import json

    from journal.browse import EntryIndex
    from journal.search import search

    where = ["--journal", str(cased.path)]
    code, out, _ = cli("list", "--tag", typed, *where)
    listed = {line.split("  ")[2].strip() for line in out.splitlines()[1:]}
    assert code == 0 and listed == REASONING
    assert cli("export", "csv", str(tmp_path / "out.csv"), "--tag", typed, *where)[0] == 0
    exported = {row["title"] for row in csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8"))}
    assert exported == REASONING
    code, out, _ = cli("search", f"tag:{typed}", "--json", "--limit", "0", *where)
    assert code == 0 and {json.loads(line)["title"] for line in out.splitlines()} == REASONING
    code, out, _ = cli("search", "--tag", typed, "--json", "--limit", "0", *where)
    assert code == 0 and {json.loads(line)["title"] for line in out.splitlines()} == REASONING
    assert {e.title for e in cased.entries(tag=typed)} == REASONING
    assert {r.title for r in EntryIndex(cased).filter(tag=typed).rows} == REASONING
    assert {h.title for h in search(cased, f"-tag:{typed}", limit=None).hits} == {"Diffusion"}


def test_tags_are_stored_as_written_and_stats_count_spellings_together(cased, cli):
    assert [e.tags for e in cased.entries()][2] == ("REASONING", "Reasoning")
    code, out, _ = cli("stats", "--journal", str(cased.path))
    assert code == 0
    rows = [line.split() for line in out.splitlines()]
    assert ["#Reasoning", "4"] in rows  # the most used spelling; "Verifier" counts once
    assert not any(
        r and r[0].casefold() in ("#reasoning", "#ｒｅａｓｏｎｉｎｇ") and r[0] != "#Reasoning" for r in rows
    )


def test_related_entries_share_a_tag_in_any_spelling(cased):
    from journal.related import related

    found = {r.entry.title: r.reason for r in related(cased, cased.entries()[1].id)}
    for title in ("Chain of thought", "Verifier", "Full width"):
        assert "#reasoning" in found[title]
