"""A paper several readers journaled on one day: the daily page (markdown) and the static
site's day page show it once, with each reader's commentary under their name."""

from __future__ import annotations

import shutil
from pathlib import Path

from journal.formats.digest import render_day
from journal.model import Entry, make_entry, reader_id
from journal.publish import site
from journal.publish.papers import papers
from journal.publish.summary import day_summary

DAY = "2024-05-09"
SHIPPED = Path(site.__file__).resolve().parent / "templates" / "entry.html.j2"


def entry(reader: str | None, commentary: str, **fields: object) -> Entry:
    e = make_entry(
        title="Attention Is All You Need",
        date=DAY,
        authors=["Ashish Vaswani"],
        arxiv_id="1706.03762",
        abstract="The dominant sequence transduction models.",
        commentary=commentary,
        reader=reader,
        **fields,  # type: ignore[arg-type]
    )
    return e.replace(id=reader_id(e.id, reader)) if reader else e


def lab_day() -> list[Entry]:
    other = make_entry(title="Another paper", date=DAY, commentary="Ada's other note.", reader="ada")
    return [
        entry("ada", "Ada thinks *this* matters.", tags=["nlp"]),
        other,
        entry(
            "<b>Grace</b> & *co*",
            "Grace disagrees.\n\nSee [[240509 Another paper.md]].",
            tags=["NLP", "attention"],
        ),
    ]


def test_the_daily_page_shows_a_paper_once_with_each_readers_commentary() -> None:
    md = day_summary(lab_day(), DAY, "en").to_markdown()
    page, digest = md.split("## Digest")
    assert page.count("Attention Is All You Need") == 1 and digest.count("Attention Is All You Need") == 2
    assert "## 1. Attention Is All You Need" in page and "## 2. Another paper" in page and "## 3." not in page
    ada, grace = page.index("\n**ada**\n"), page.index("\n**\\<b\\>Grace\\</b\\> & \\*co\\***\n")
    assert ada < page.index("Ada thinks \\*this\\* matters.") < grace < page.index("Grace disagrees.")
    assert "<b>" not in page  # the name is escaped like all pasted text
    assert "[240509 Another paper](<2024-05-09.html>)" in page  # grace's wiki link resolves
    assert "`#nlp` `#attention`" in md  # the tags of both, each once
    summary = day_summary(lab_day(), DAY, "en")
    assert summary.digest == render_day(summary.date, list(summary.entries), "en")  # the digest: every entry


def test_the_site_day_page_shows_a_paper_once_with_each_readers_commentary() -> None:
    days = lab_day()
    page = site.render_site(days, "en")[f"{DAY}.html"]
    assert page.count('<article class="entry"') == 2
    grace = days[2]
    assert page.count('<section class="reader"') == 2
    assert f'<section class="reader" id="e-{grace.id}">' in page  # links to grace's entry still land
    assert "<h3>ada</h3>" in page and "<h3>&lt;b&gt;Grace&lt;/b&gt; &amp; *co*</h3>" in page
    assert page.index("Ada thinks") < page.index("Grace disagrees") and "<b>Grace" not in page
    assert 'href="2024-05-09.html#e-' in page  # grace's wiki link leads to the other paper


def test_the_shipped_article_of_several_readers_is_what_its_template_makes(tmp_path: Path) -> None:
    shutil.copy(SHIPPED, tmp_path / "entry.html.j2")
    assert site.render_site(lab_day(), "ko") == site.render_site(lab_day(), "ko", template_dir=tmp_path)


def test_only_different_readers_entries_of_one_paper_join() -> None:
    old = entry(None, "from before readers")
    again = entry("ada", "a second one").replace(id="b" * 12)
    shown = papers([entry("ada", "one"), old, again, entry("grace", "two")])
    assert [len(p.readers) for p in shown] == [2, 0, 0]
    assert [r.reader for r in shown[0].readers] == ["ada", "grace"]
    assert papers([entry("ada", "alone")])[0].readers == ()


def titled(reader: str, title: str, commentary: str) -> Entry:
    e = make_entry(title=title, date=DAY, commentary=commentary, reader=reader)
    return e.replace(id=reader_id(e.id, reader))


def test_title_only_entries_of_one_paper_join_by_their_title() -> None:
    day = [
        titled("ada", "A  Paper Without Links", "Ada's note."),
        titled("grace", "a paper without\tlinks", "Grace's note."),
        titled("grace", "A different paper", "Grace's other note."),
    ]
    shown = papers(day)
    assert [[r.reader for r in p.readers] for p in shown] == [["ada", "grace"], []]
    page = day_summary(day, DAY, "en").to_markdown().split("## Digest")[0]
    assert "## 1. A Paper Without Links" in page and "## 2. A different paper" in page and "## 3." not in page
    assert page.index("\n**ada**\n") < page.index("Ada's note.") < page.index("\n**grace**\n")
    assert page.index("\n**grace**\n") < page.index("Grace's note.")
    html = site.render_site(day, "en")[f"{DAY}.html"]
    assert html.count('<article class="entry"') == 2 and html.count('<section class="reader"') == 2
    assert "<h3>ada</h3>" in html and "<h3>grace</h3>" in html
