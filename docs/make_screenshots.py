"""Make docs/capture-form.png and docs/journal-browser.png (notebooks/capture.ipynb served
by Voila on a copy of the seed journal, filled in by headless Chromium) and
docs/triage-tab.png (notebooks/triage.ipynb ranking tests/data/triage/listing.jsonl).

    python docs/make_screenshots.py     # needs /usr/bin/chromium; fonts-noto-cjk for Hangul

Nothing is saved: the form is filled and photographed, the journal copy is thrown away.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
sys.path.insert(0, str(REPO / "tests"))

import browser_helpers as bh  # noqa: E402

ABSTRACT = (
    "We introduce YOCO, a decoder-decoder architecture for large language models, which only caches "
    "key-value pairs once. It consists of two components, i.e., a cross-decoder stacked upon a self-decoder."
)
COMMENTARY = (
    "Self-decoder가 만든 KV 캐시 하나를 cross-decoder 전체가 공유하는 구조. "
    "긴 문맥에서 메모리가 크게 줄어드는 게 핵심이네요.\n\n"
    "프리필 단계에서 조기 종료가 가능하다는 점도 흥미롭습니다."
)


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        journal = tmp / "entries.parquet"
        shutil.copyfile(REPO / "entries.parquet", journal)
        notebook = tmp / "capture.ipynb"
        shutil.copyfile(REPO / "notebooks" / "capture.ipynb", notebook)
        with bh.voila_server(notebook, journal, tmp / "home") as server, sync_playwright() as p:
            browser = bh.launch(p)
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.goto(server.url)
            page.wait_for_selector(".journal-title input", timeout=60_000)
            page.locator(".journal-source input").fill("https://arxiv.org/abs/2405.05254")
            page.locator(".journal-title input").fill(
                "You Only Cache Once: Decoder-Decoder Architectures for Language Models"
            )
            page.locator(".journal-authors input").fill(
                "Yutao Sun, Li Dong, Yi Zhu, Shaohan Huang, Wenhui Wang"
            )
            page.locator(".journal-abstract textarea").fill(ABSTRACT)
            page.locator(".journal-commentary textarea").fill(COMMENTARY)
            bh.add_tag(page, "", "efficiency")
            bh.add_tag(page, "", "long_context")
            page.locator(".journal-capture").screenshot(path=str(DOCS / "capture-form.png"))
            page.locator(".lm-TabBar-tab", has_text="Browse").click()
            page.wait_for_selector(".journal-browser .widget-select select option")
            page.locator(".journal-browser .widget-select select").select_option(index=2)
            page.wait_for_selector(".journal-entry")
            page.locator(".journal-browser").screenshot(path=str(DOCS / "journal-browser.png"))
            browser.close()
    triage_tab()
    print(f"wrote {DOCS / 'capture-form.png'}, {DOCS / 'journal-browser.png'} and {DOCS / 'triage-tab.png'}")


def triage_tab() -> None:
    """The Triage tab ranking a recorded day, the first abstract unfolded."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        journal = tmp / "entries.parquet"
        shutil.copyfile(REPO / "entries.parquet", journal)
        import journal as journal_lib

        journal_lib.open(journal).add(  # one paper of the day already read: shown apart
            title="MERaLiON-TextLLM", arxiv_id="2501.08335", date="2025-01-15", tags="multilingual"
        )
        listing = REPO / "tests" / "data" / "triage" / "listing.jsonl"
        notebook = bh.triage_notebook(tmp / "nb", journal, listing, "2025-01-15")
        with bh.voila_server(notebook, journal, tmp / "home") as server, sync_playwright() as p:
            browser = bh.launch(p)
            page = browser.new_page(viewport={"width": 1000, "height": 2000})
            page.goto(server.url)
            page.wait_for_selector("button.journal-triage-capture", timeout=90_000)
            page.locator(".journal-triage-limit input").fill("5")
            page.locator("button.journal-triage-rank-button").click()
            page.wait_for_function("() => document.querySelectorAll('.journal-triage-paper').length === 5")
            page.locator(".journal-triage-paper .jupyter-widget-Collapse-header").nth(1).click()
            page.wait_for_timeout(500)
            page.locator(".journal-triage").screenshot(path=str(DOCS / "triage-tab.png"))
            browser.close()


if __name__ == "__main__":
    main()
