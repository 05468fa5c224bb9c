"""The shipped entry article is made in Python (an export renders thousands of them):
byte for byte what the shipped ``entry.html.j2`` makes through Jinja."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.model import Entry, make_entry
from journal.publish import site as html

SHIPPED = Path(html.__file__).resolve().parent / "templates" / "entry.html.j2"
_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)
_TAG = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), blacklist_characters="#,"),
    min_size=1,
    max_size=8,
)
_URLS = st.sampled_from(
    ["https://arxiv.org/abs/2405.05254", "http://example.org/a?b=1&c='2'", "https://x.io/<p>", "javascript:x"]
)


@st.composite
def _entries(draw: st.DrawFn) -> list[Entry]:
    entries: list[Entry] = []
    for i in range(draw(st.integers(1, 4))):
        title = draw(_TEXT.filter(lambda t: t.strip())) + f" {i}"
        words = draw(st.lists(st.one_of(_TEXT, _URLS), max_size=4))
        if entries and draw(st.booleans()):  # a wiki link, an arXiv mention of an earlier entry
            other = draw(st.sampled_from(entries))
            words += [f"[[{other.date:%y%m%d} {other.title}.md]]", f"arXiv:{other.arxiv_id}"]
        entries.append(
            make_entry(
                title=title,
                date=f"2024-05-{1 + draw(st.integers(0, 2)):02d}",
                authors=draw(st.lists(_TEXT.filter(lambda t: t.strip() and "," not in t), max_size=3)),
                url=draw(st.none() | st.sampled_from(["https://a.org/x?y=1&z='q'", "http://b.org"])),
                links=draw(st.lists(st.sampled_from(["https://c.org/1", 'https://d.org/"2"']), max_size=2)),
                arxiv_id=f"2405.{10000 + i}",
                arxiv_version=draw(st.none() | st.integers(1, 3)),
                abstract=draw(st.lists(st.one_of(_TEXT, _URLS), max_size=3).map("\n\n".join)),
                commentary=draw(st.sampled_from([" ", "\n", "\n\n"])).join(words),
                tags=draw(st.lists(_TAG, max_size=3)),
            )
        )
    return entries


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_entries(), st.sampled_from(["ko", "en"]))
def test_the_shipped_article_is_what_its_template_makes(
    tmp_path: Path, entries: list[Entry], lang: str
) -> None:
    copy = tmp_path / "templates"
    copy.mkdir(exist_ok=True)
    shutil.copy(SHIPPED, copy / "entry.html.j2")  # a template folder with it: Jinja renders it
    assert html.render_site(entries, lang) == html.render_site(entries, lang, template_dir=copy)


def test_a_users_entry_template_is_still_used(tmp_path: Path) -> None:
    (tmp_path / "entry.html.j2").write_text("<article>{{ entry.title }}!</article>\n", encoding="utf-8")
    entry = make_entry(title="A & B", date="2024-05-09")
    page = html.render_site([entry], template_dir=tmp_path)["2024-05-09.html"]
    assert "<article>A &amp; B!</article>" in page
    assert "<article>A &amp; B!</article>" not in html.render_site([entry])["2024-05-09.html"]
