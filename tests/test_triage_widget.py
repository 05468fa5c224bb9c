"""The Triage tab driven in-process (``.value``, ``.click()``), and notebooks/triage.ipynb
run by papermill."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, REPO, cli_env

import journal
from journal import forms
from journal.drafts import DraftStore
from journal.triage import listings
from journal.widgets import JournalApp, TriagePanel

LISTING = DATA / "triage" / "listing.jsonl"
READ_ID = "2501.08335"


@pytest.fixture
def reader(journal_path: Path) -> Path:
    j = journal.open(journal_path)
    j.add(title="MERaLiON-TextLLM", arxiv_id=READ_ID, abstract="cross-lingual large language models")
    j.add(title="Open datasets for LLM training", abstract="datasets for training language models")
    return journal_path


def make_app(path: Path, **triage: Any) -> JournalApp:
    triage.setdefault("listing", str(LISTING))
    return JournalApp(journal.open(path), triage=triage, draft_delay=3600)


def test_app_has_a_triage_tab(reader: Path) -> None:
    app = make_app(reader)
    assert [app.get_title(i) for i in range(3)] == ["Capture", "Browse", "Triage"]
    assert isinstance(app.triage, TriagePanel) and app.triage.papers.children == ()


def test_rank_shows_the_day_folded_with_reasons_and_read_apart(reader: Path) -> None:
    panel = make_app(reader).triage
    panel.limit.value = 5
    panel.rank_button.click()
    assert "2025-01-15" in panel.status.value and "23 new papers" in panel.status.value
    assert "1 already read" in panel.status.value and "showing the best 5" in panel.status.value
    assert len(panel.papers.children) == 5
    head_row, abstract = panel.papers.children[0].children
    assert head_row.children[0].value.startswith("<b>1.</b>")
    assert abstract.selected_index is None  # abstracts start folded
    assert panel.records[0]["abstract"][:40] in abstract.children[0].value.replace("&#x27;", "'")
    assert READ_ID in panel.read.value and "Already in your journal" in panel.read.value
    assert READ_ID not in {r["arxiv_id"] for r in panel.records if not r["read"]}
    assert listings.recorded_days(reader) == [dt.date(2025, 1, 14), dt.date(2025, 1, 15)]


def test_rank_an_earlier_day_and_show_all(reader: Path) -> None:
    panel = make_app(reader, day="2025-01-14", limit=0).triage
    panel.run()
    assert "2025-01-14" in panel.status.value and len(panel.papers.children) == 24
    assert panel.read.value == ""


def test_capture_opens_the_form_filled_and_saves(reader: Path) -> None:
    app = make_app(reader, rank_now=True)
    record = app.triage.records[2]
    app.selected_index = app.TRIAGE_TAB
    button = app.triage.capture_buttons[record["arxiv_id"]]
    button.click()
    assert app.selected_index == 0
    form = app.form
    assert form.title.value == record["title"]
    assert form.authors.value == ", ".join(record["authors"])
    assert form.abstract.value == record["abstract"]
    assert form.source.value == f"https://arxiv.org/abs/{record['arxiv_id']}"
    assert form.commentary.value == "" and list(form.tags.value) == []
    form.commentary.value = "읽을 만하다"
    form.tags.value = ["triage"]
    saved = form.save()
    assert saved is not None and saved.arxiv_id == record["arxiv_id"]
    stored = journal.open(reader).get(saved.id)
    assert (
        stored.commentary == "읽을 만하다" and stored.tags == ("triage",) and stored.title == record["title"]
    )
    assert button.disabled and button.description == "Captured"


def test_capture_keeps_what_the_form_held_as_a_draft(reader: Path) -> None:
    app = make_app(reader, rank_now=True)
    app.form.title.value = "Half-typed entry"
    app.form.commentary.value = "do not lose me"
    app.triage.capture_buttons[app.triage.records[0]["arxiv_id"]].click()
    app.form.flush_draft()
    kept = [d.values for d in DraftStore(reader).drafts("new")]
    assert any(v["commentary"] == "do not lose me" for v in kept)
    assert any(v["title"] == app.triage.records[0]["title"] for v in kept)
    assert app.form.other_drafts.layout.display != "none"


@pytest.mark.parametrize(
    ("box", "value", "message"),
    [
        ("listing", "missing.csv", "no such file"),
        ("date", dt.date(2025, 1, 20), "has no papers on 2025-01-20"),
    ],
)
def test_an_error_clears_the_day_shown_before(
    reader: Path, tmp_path: Path, box: str, value: Any, message: str
) -> None:
    panel = make_app(reader).triage
    panel.rank_button.click()  # a good day
    assert "<b>2025-01-15</b>" in panel.status.value and panel.papers.children and panel.read.value
    getattr(panel, box).value = str(tmp_path / value) if box == "listing" else value
    panel.rank_button.click()  # a day that fails
    assert message in panel.status.value and panel.status.value.startswith('<span style="color:#c62828">')
    assert "<b>" not in panel.status.value and "new papers" not in panel.status.value  # no date heading
    assert panel.papers.children == () and panel.read.value == ""
    assert panel.records == [] and panel.capture_buttons == {}


def test_the_tab_ranks_a_recorded_day_offline(reader: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNAL_ARXIV_RSS", "http://127.0.0.1:9/rss/")
    monkeypatch.setenv("XDG_CACHE_HOME", str(reader.parent / "xdg"))
    panel = make_app(reader).triage
    panel.rank_button.click()  # records both days of the file
    panel.listing.value = ""
    panel.date.value = dt.date(2025, 1, 14)
    panel.rank_button.click()
    assert "<b>2025-01-14</b>: 24 new papers from the listing recorded for 2025-01-14" in panel.status.value
    assert len(panel.papers.children) == 20


def test_fetch_errors_show_in_the_panel(reader: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNAL_ARXIV_RSS", "http://127.0.0.1:9/rss/")
    monkeypatch.setenv("XDG_CACHE_HOME", str(reader.parent / "xdg"))
    panel = make_app(reader, listing="", categories="cs.CL").triage
    assert panel.run() is False and "cannot reach arXiv" in panel.status.value


def test_values_from_paper_fill_what_a_fetch_fills() -> None:
    values = forms.values_from_paper(
        {"arxiv_id": "2501.00001", "title": "T", "authors": ["A B", "C D"], "abstract": "x"},
        dt.date(2025, 1, 2),
    )
    entry = forms.entry_from_form({**values, "commentary": "note"})
    assert entry.arxiv_id == "2501.00001" and entry.url == "https://arxiv.org/abs/2501.00001"
    assert entry.authors == ("A B", "C D") and entry.date == dt.date(2025, 1, 2)


def test_triage_notebook_runs_with_papermill(
    reader: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import papermill

    for name, value in cli_env().items():
        monkeypatch.setenv(name, value)  # the kernel imports this checkout
    out = tmp_path / "triage-out.ipynb"
    papermill.execute_notebook(
        str(REPO / "notebooks" / "triage.ipynb"),
        str(out),
        parameters={
            "date": "2025-01-15",
            "categories": None,
            "listing": str(LISTING),
            "journal": str(reader),
        },
        kernel_name="python3",
        progress_bar=False,
    )
    text = out.read_text(encoding="utf-8")
    assert "application/vnd.jupyter.widget-view+json" in text
    assert listings.recorded_days(reader) == [dt.date(2025, 1, 14), dt.date(2025, 1, 15)]
