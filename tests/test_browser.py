"""notebooks/capture.ipynb in a real browser: JupyterLab and Voila, driven in Debian's
headless Chromium by Playwright. Fill the form (Korean typed through input-method
composition events), save, check the Parquet row; type a draft, reload, find it again.

Needs /usr/bin/chromium (``apt-get install chromium``); skipped without it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from browser_helpers import (
    CHROMIUM,
    REPO,
    TAG,
    add_tag,
    lab_server,
    launch,
    restart_kernels,
    run_all_cells,
    type_korean,
    voila_server,
    wait_for,
)

from journal.capture.drafts import DraftStore

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (apt install chromium)"
    ),
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def workspace(tmp_path: Path) -> dict[str, Path]:
    """A copy of the seed journal (its tags feed the autocompletion) and of the notebook."""
    (tmp_path / "data").mkdir()
    journal = tmp_path / "data" / "entries.parquet"
    shutil.copyfile(REPO / "entries.parquet", journal)
    root = tmp_path / "root"
    root.mkdir()
    shutil.copyfile(REPO / "notebooks" / "capture.ipynb", root / "capture.ipynb")
    return {"journal": journal, "root": root, "home": tmp_path / "home"}


def fill_and_save(page: Any, scope: str, title: str, commentary: tuple[str, str, str]) -> str:
    """Title, commentary typed (English, Korean by composition, two paragraphs), one new tag
    in the tags box and one existing tag through the autocompleting picker; Save.
    Returns the saved entry's id as the form reports it."""
    page.locator(f"{scope}.journal-title input").fill(title)
    page.locator(f"{scope}.journal-commentary textarea").click()
    english, korean, second = commentary
    page.keyboard.type(english)
    type_korean(page, korean)
    page.keyboard.press("Enter")  # a blank line between paragraphs: Enter stays in the box
    page.keyboard.press("Enter")
    type_korean(page, second)
    add_tag(page, scope, "browser-test")
    picker = page.locator(f"{scope}.journal-tag-picker input")
    picker.fill("efficiency")  # an existing tag, offered by the picker's list
    picker.press("Enter")
    wait_for(lambda: page.locator(f"{scope}.journal-tags {TAG}").count() == 2, what="the picked tag")
    page.locator(f"{scope}button.journal-save-button").click()
    saved = page.locator(f"{scope}.journal-saved")
    saved.wait_for(timeout=20_000)
    return saved.locator("code").inner_text()


def check_row(journal: Path, entry_id: str, title: str, commentary: str) -> None:
    df = pd.read_parquet(journal)  # the plain file, as any Parquet reader sees it
    row = df[df["id"] == entry_id].iloc[0]
    assert row["title"] == title
    assert row["commentary"] == commentary
    assert list(row["tags"]) == ["browser-test", "efficiency"]
    assert len(df) == 6


def wait_for_draft(journal: Path, title: str, commentary: str) -> None:
    def found() -> bool:
        return any(
            d.values.get("title") == title and d.values.get("commentary") == commentary
            for d in DraftStore(journal).drafts("new")
        )

    wait_for(found, timeout=20, what="the draft file")


def type_draft(page: Any, scope: str, title: str, korean: str) -> None:
    page.locator(f"{scope}.journal-title input").fill(title)
    page.locator(f"{scope}.journal-commentary textarea").click()
    type_korean(page, korean)


def test_jupyterlab_capture_save_and_draft_after_kernel_restart(
    chromium: Any, workspace: dict[str, Path]
) -> None:
    journal, scope = workspace["journal"], ".jp-OutputArea-output "
    title, commentary = "Read in JupyterLab", ("Typed in Lab: ", "좋은 논문", "두 번째 문단")
    with lab_server(workspace["root"], journal, workspace["home"]) as server:
        page = chromium.new_page(viewport={"width": 1280, "height": 1200})
        try:
            page.goto(server.url.replace("/lab?", "/lab/tree/capture.ipynb?"))

            def run_notebook() -> None:
                run_all_cells(page, f"{scope}.journal-title input", "the capture form")

            run_notebook()
            entry_id = fill_and_save(page, scope, title, commentary)
            check_row(journal, entry_id, title, "Typed in Lab: 좋은 논문\n\n두 번째 문단")

            type_draft(page, scope, "Draft in Lab", "초안입니다")
            wait_for_draft(journal, "Draft in Lab", "초안입니다")
            assert restart_kernels(server) == 1  # a new kernel: only the draft file remembers
            page.reload()
            run_notebook()
            restored = "document.querySelector('.jp-OutputArea-output .journal-title input').value"
            page.wait_for_function(f"() => {restored} === 'Draft in Lab'", timeout=20_000)
            assert page.locator(f"{scope}.journal-commentary textarea").input_value() == "초안입니다"
        finally:
            page.close()


def test_voila_capture_save_and_draft_after_reload(chromium: Any, workspace: dict[str, Path]) -> None:
    journal = workspace["journal"]
    title, commentary = "Read in Voila", ("Typed in Voila: ", "한국어 입력", "둘째 문단")
    with voila_server(workspace["root"] / "capture.ipynb", journal, workspace["home"]) as server:
        page = chromium.new_page(viewport={"width": 1100, "height": 1100})
        try:
            page.goto(server.url)
            page.locator(".journal-title input").wait_for(timeout=60_000)
            entry_id = fill_and_save(page, "", title, commentary)
            check_row(journal, entry_id, title, "Typed in Voila: 한국어 입력\n\n둘째 문단")

            type_draft(page, "", "Draft in Voila", "닫힌 탭")
            wait_for_draft(journal, "Draft in Voila", "닫힌 탭")
            page.reload()  # a new page is a new kernel: only the draft file remembers
            page.locator(".journal-title input").wait_for(timeout=60_000)
            page.wait_for_function(
                "() => document.querySelector('.journal-title input').value === 'Draft in Voila'",
                timeout=20_000,
            )
            assert page.locator(".journal-commentary textarea").input_value() == "닫힌 탭"
            assert "Restored" in page.locator(".journal-capture").inner_text()
        finally:
            page.close()
