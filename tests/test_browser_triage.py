"""notebooks/triage.ipynb in headless Chromium. Served by Voila: Capture on a ranked paper
opens the form filled from the listing; a commentary typed and saved lands in the journal.
Open in JupyterLab on a recorded day: Dismiss, its Undo and Follow are clicked, and the
reader's feedback is read back from outside the browser (pandas and the command line).

Needs /usr/bin/chromium (``apt-get install chromium``); skipped without it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from browser_helpers import (
    CHROMIUM,
    REPO,
    lab_server,
    launch,
    run_all_cells,
    triage_notebook,
    voila_server,
    wait_for,
)
from conftest import DATA, run_cli

import journal as journal_pkg

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (apt install chromium)"
    ),
]

LISTING = DATA / "triage" / "listing.jsonl"


def prepare(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the seed journal, and the notebook set to rank the recorded listing."""
    (tmp_path / "data").mkdir()
    journal = tmp_path / "data" / "entries.parquet"
    shutil.copyfile(REPO / "entries.parquet", journal)
    return journal, triage_notebook(tmp_path / "root", journal, LISTING, "2025-01-15")


def test_voila_triage_capture_saves_an_entry(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    journal, notebook = prepare(tmp_path)
    before = len(pd.read_parquet(journal))
    with voila_server(notebook, journal, tmp_path / "home") as server, sync_playwright() as p:
        browser: Any = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1100})
            page.goto(server.url)
            capture = page.locator("button.journal-triage-capture")
            capture.first.wait_for(timeout=90_000)
            assert "2025-01-15" in page.locator(".journal-triage-status").inner_text()
            first_title = page.locator(".journal-triage-paper a").first.inner_text()
            capture.first.click()
            title_box = page.locator(".journal-title input")
            page.wait_for_function(
                "() => document.querySelector('.journal-title input').value.length > 0", timeout=20_000
            )
            assert title_box.input_value() == first_title
            assert page.locator(".journal-source input").input_value().startswith("https://arxiv.org/abs/")
            page.locator(".journal-commentary textarea").fill("Captured from triage in Voila")
            page.locator("button.journal-save-button").click()
            page.locator(".journal-saved").wait_for(timeout=20_000)
        finally:
            browser.close()

    wait_for(lambda: len(pd.read_parquet(journal)) == before + 1, what="the saved entry")
    df = pd.read_parquet(journal)  # the plain file, as any Parquet reader sees it
    row = df[df["commentary"] == "Captured from triage in Voila"].iloc[0]
    assert row["title"] == first_title and row["arxiv_id"].startswith("2501.")
    assert row["url"] == f"https://arxiv.org/abs/{row['arxiv_id']}"


READER = "browser-reader"
WAIT = 30_000  # ms: a re-ranking on a busy 2-core machine


def recorded_day(tmp_path: Path) -> tuple[Path, Path]:
    """A small journal with the listing's days recorded beside it, and the notebook set to
    rank 2025-01-15 from that record (no listing file, no request)."""
    from journal.triage.listingfile import read_listing_file
    from journal.triage.listings import record_listing

    path = tmp_path / "data" / "entries.parquet"
    path.parent.mkdir()
    j = journal_pkg.open(path)
    j.add(title="MERaLiON-TextLLM", arxiv_id="2501.08335", abstract="cross-lingual large language models")
    j.add(title="Open datasets for LLM training", abstract="datasets for training language models")
    assert record_listing(j, read_listing_file(LISTING)) == [dt.date(2025, 1, 14), dt.date(2025, 1, 15)]
    return path, triage_notebook(tmp_path / "root", path, None, "2025-01-15")


def test_jupyterlab_triage_dismiss_undo_and_follow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import expect, sync_playwright

    journal, notebook = recorded_day(tmp_path)
    monkeypatch.setenv("JOURNAL_READER", READER)  # the kernel's reader (Lab passes its environment on)
    monkeypatch.setenv("JOURNAL_ARXIV_RSS", "http://127.0.0.1:9/rss/")  # never the network
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    out = ".jp-OutputArea-output "
    with lab_server(notebook.parent, journal, tmp_path / "home") as server, sync_playwright() as p:
        browser: Any = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.goto(server.url.replace("/lab?", f"/lab/tree/{notebook.name}?"))
            run_all_cells(page, f"{out}.journal-triage-paper", "the ranked day", timeout=40_000)
            rows = page.locator(f"{out}.journal-triage-paper")
            note = page.locator(f"{out}.journal-triage-feedback-note")
            undo = page.locator(f"{out}button.journal-triage-undo-button")
            status = page.locator(f"{out}.journal-triage-status")
            expect(status).to_contain_text("the listing recorded for 2025-01-15", timeout=WAIT)
            expect(undo).to_be_hidden(timeout=WAIT)

            def paper(arxiv_id: str) -> Any:
                return rows.filter(has=page.locator(f'a[href="https://arxiv.org/abs/{arxiv_id}"]'))

            def shown_ids() -> list[str]:
                """The papers shown, best first, once all 20 rows of a ranking are drawn
                (the front end draws a new list row by row)."""
                expect(rows).to_have_count(20, timeout=WAIT)
                hrefs = rows.evaluate_all("rs => rs.map(r => r.querySelector('a').href)")
                return [h.rsplit("/", 1)[1] for h in hrefs]

            before = shown_ids()
            first = before[0]
            paper(first).locator("button.journal-triage-dismiss").click()
            expect(note).to_have_text(f"{first}: dismissed", timeout=WAIT)
            expect(undo).to_be_visible(timeout=WAIT)
            assert first not in shown_ids()  # it left (the rest re-ranked: it taught the ranker)

            undo.click()
            expect(note).to_have_text(f"{first}: no longer dismissed", timeout=WAIT)
            expect(undo).to_be_hidden(timeout=WAIT)
            expect(paper(first)).to_have_count(1, timeout=WAIT)
            assert shown_ids() == before  # back where it was, the rest as before

            # Follow the last-listed author of the lowest paper with two or more
            followed = next(i for i in reversed(before) if paper(i).locator("select option").count() > 1)
            row = paper(followed)
            label = row.locator("select option").last.inner_text()
            row.locator("select").select_option(label=label)
            name = label.replace("\xa0", " ")  # the dropdown shows spaces as no-break spaces
            row.locator("button.journal-triage-follow").click()
            expect(note).to_have_text(f"{name}: followed", timeout=WAIT)
            expect(paper(followed)).to_contain_text(f"you follow {name}", timeout=WAIT)
            expect(rows.first).to_contain_text(f"you follow {name}", timeout=WAIT)
            assert shown_ids().index(followed) < before.index(followed)
        finally:
            browser.close()

    # From outside the browser: the kernel wrote the feedback as READER's
    frame = journal_pkg.triage.read_feedback(journal)
    assert list(zip(frame["reader"], frame["action"], frame["value"], strict=True)) == [
        (READER, "dismiss", first),
        (READER, "follow", name),
    ]
    assert frame["undone"].notna().tolist() == [True, False]  # the dismissal undone, the follow in force
    done = run_cli("feedback", "--json", journal=journal, JOURNAL_READER=READER)
    assert done.returncode == 0, done.stderr
    assert [(r["action"], r["value"]) for r in map(json.loads, done.stdout.splitlines())] == [
        ("follow", name)
    ]
    other = run_cli("feedback", "--json", journal=journal, JOURNAL_READER="someone-else")
    assert other.returncode == 0 and other.stdout == ""  # another reader's ranking is untouched
