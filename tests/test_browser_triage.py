"""notebooks/triage.ipynb served by Voila in headless Chromium: Capture on a ranked paper
opens the form filled from the listing; a commentary typed and saved lands in the journal.

Needs /usr/bin/chromium (``apt-get install chromium``); skipped without it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from browser_helpers import CHROMIUM, REPO, launch, triage_notebook, voila_server, wait_for
from conftest import DATA

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
