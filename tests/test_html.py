"""The static HTML site: pages, escaping, links that work from file://."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from journal.errors import ExportFailed, ValidationError
from journal.formats import FOLDER_FORMATS, html
from journal.model import Entry, make_entry
from journal.store import Journal

EXPECTED = DATA / "html"
XSS = "<script>alert(1)</script>"


class Page(HTMLParser):
    """What a page holds: tags seen, hrefs, element ids, text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.attrs_seen: list[tuple[str, str | None]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs_seen += attrs
        for name, value in attrs:
            if name == "href" and value is not None:
                self.hrefs.append(value)
            if name == "id" and value is not None:
                self.ids.add(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _site(entries: list[Entry], tmp_path: Path, lang: str = "ko") -> Path:
    folder = tmp_path / "site"
    html.write(entries, folder, lang=lang)
    return folder


def _pages(folder: Path) -> dict[str, Page]:
    return {p.name: Page(p.read_text(encoding="utf-8")) for p in folder.glob("*.html")}


def test_seed_site(seed_journal: Path, tmp_path: Path) -> None:
    j = Journal(seed_journal)
    folder = _site(j.entries(), tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == [
        ".journal-site",
        "2024-05-09.html",
        "feed.xml",
        "index.html",
        "tags.html",
    ]
    # the expected files: regenerate with html.render_site on the seed when the layout changes on purpose
    for name in ("2024-05-09.html", "index.html", "tags.html"):
        assert (folder / name).read_text(encoding="utf-8") == (EXPECTED / name).read_text(encoding="utf-8"), (
            name
        )


def test_day_page_shows_every_part_of_an_entry(seed_journal: Path, tmp_path: Path) -> None:
    folder = _site(Journal(seed_journal).entries(), tmp_path)
    text = (folder / "2024-05-09.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in text and '<html lang="ko">' in text
    assert "<h1>2024년 5월 9일</h1>" in text
    assert "인코더-디코더가 이렇게 다시 등장하는군요." in text  # Korean as is, not as entities
    assert (
        '<h2><a href="https://cdn.openai.com/spec/model-spec-2024-05-08.html">Introducing the Model Spec</a></h2>'
        in text
    )
    assert '<p class="authors">OpenAI</p>' in text
    assert text.count('<details class="abstract">') == 3  # three entries have an abstract
    assert '<a href="tags.html#tag-efficiency">#efficiency</a>' in text
    # commentary: one <p> per paragraph, URLs linked
    assert text.count("<p>LMSYS에서") == 1 and '<a href="https://arxiv.org/abs/2309.15807">' in text


class _Details(HTMLParser):
    """The attributes of every ``<details>`` element of a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[dict[str, str | None]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "details":
            self.found.append(dict(attrs))


def test_abstracts_are_folded_as_the_docs_say(seed_journal: Path, tmp_path: Path) -> None:
    """docs/bibtex-html.md: the abstract is "folded away with <details>": closed until clicked."""
    assert "the abstract (folded away with `<details>`" in (
        DATA.parent.parent / "docs/bibtex-html.md"
    ).read_text(encoding="utf-8")
    folder = _site(Journal(seed_journal).entries(), tmp_path)
    details = _Details((folder / "2024-05-09.html").read_text(encoding="utf-8")).found
    assert len(details) == 3 and all(d.get("class") == "abstract" for d in details)
    assert not [d for d in details if "open" in d]  # folded: no `open` attribute
    # one entry alone (html.render_entry) folds it too
    with_abstract = next(e for e in Journal(seed_journal).entries() if e.abstract)
    alone = _Details(html.render_entry(with_abstract)).found
    assert len(alone) == 1 and "open" not in alone[0]


def test_index_by_month_and_tag(journal_path: Path, tmp_path: Path) -> None:
    j = Journal(journal_path)
    j.add(title="A", date="2024-04-30", tags="diffusion", url="https://example.com/a")
    j.add(title="B", date="2024-05-01", tags="diffusion efficiency")
    j.add(title="C", date="2024-05-09", tags="efficiency 한국어")
    j.add(title="D", date="2024-05-09")
    folder = _site(j.entries(), tmp_path, lang="en")
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert index.index("May 2024") < index.index("April 2024")  # newest first
    assert "4 entries · 3 days" in index
    assert '<a href="2024-05-09.html">May 9, 2024</a>' in index
    tags = _pages(folder)["tags.html"]
    assert {"tag-diffusion", "tag-efficiency", "tag-한국어"} <= tags.ids
    body = (folder / "tags.html").read_text(encoding="utf-8")
    assert body.index('id="tag-diffusion"') < body.index('id="tag-한국어"')  # most used first
    assert '<li><a href="https://example.com/a">A</a> (<a class="day" href="2024-04-30.html#e-' in body
    assert '<li><a href="2024-05-01.html#e-' in body  # no URL: the title leads to the entry


def test_user_text_is_escaped_everywhere(tmp_path: Path) -> None:
    entry = make_entry(
        title=XSS,
        authors=[XSS, 'Bob "the" <b>'],
        abstract=f"{XSS} & <img src=x onerror=alert(1)>",
        commentary=f'{XSS}\n\n<a href="javascript:alert(1)">x</a> https://example.com/?a=1&b="2"',
        tags=["<script>", 'a"b'],
        links=['https://example.com/"><script>alert(1)</script>'],
        date="2024-05-09",
    )
    folder = _site([entry], tmp_path)
    for name, page in _pages(folder).items():
        assert "script" not in page.tags and "img" not in page.tags, name
        assert not any(n.startswith("on") for n, _ in page.attrs_seen), name
        for href in page.hrefs:
            assert not href.lower().startswith("javascript"), (name, href)
    text = (folder / "2024-05-09.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert f"<h2>{XSS}</h2>" not in text
    page = _pages(folder)["2024-05-09.html"]
    assert XSS in "".join(page.text)  # shown to the reader as text


def test_javascript_urls_cannot_get_in() -> None:
    with pytest.raises(ValidationError):
        make_entry(title="x", url="javascript:alert(1)")
    # even an entry built around the model's checks gets no such link
    forged = Entry(id="x", date=dt.date(2024, 5, 9), title="t", url="javascript:alert(1)", links=("data:x",))
    text = html.render_entry(forged, "en")
    assert "href" not in text and "javascript" not in text and "<h2>t</h2>" in text


def test_content_security_policy_forbids_scripts(tmp_path: Path) -> None:
    folder = _site([make_entry(title="t")], tmp_path)
    for path in folder.glob("*.html"):
        assert "content=\"default-src 'none'; style-src 'unsafe-inline'" in path.read_text(encoding="utf-8")


def test_relative_links_resolve(tmp_path: Path, journal_path: Path) -> None:
    j = Journal(journal_path)
    j.add(title="Emu", arxiv_id="2309.15807", date="2023-10-01", tags="diffusion")
    j.add(title="Imagine Flash", date="2024-05-09", tags="diffusion distillation",
          commentary="Emu (https://arxiv.org/abs/2309.15807) 에 대한 Distillation.")  # fmt: skip
    j.add(title="Later", date="2024-06-01", tags="weird/tag #x",
          commentary="# Links\n[[240509 Imagine Flash.md]]\n[[231001 Emu|<Emu & co>]]\n[[250101 Missing]]")  # fmt: skip
    folder = _site(j.entries(), tmp_path)
    pages = _pages(folder)
    checked = 0
    for name, page in pages.items():
        for href in page.hrefs:
            if href.startswith(("http://", "https://")):
                continue
            parts = urlsplit(href)
            target = parts.path or name
            assert not target.startswith("/") and ".." not in target, href
            assert (folder / target).is_file(), (name, href)
            if parts.fragment:
                assert unquote(parts.fragment) in pages[target].ids, (name, href)
            checked += 1
    assert checked > 10
    # mentions between entries link both ways, across days
    flash_day = (folder / "2024-05-09.html").read_text(encoding="utf-8")
    emu_day = (folder / "2023-10-01.html").read_text(encoding="utf-8")
    assert '<a href="2023-10-01.html#e-' in flash_day and '<a href="2024-05-09.html#e-' in emu_day
    assert "← " in flash_day and " →" in flash_day  # previous / next day
    # wiki links lead to the linked entry's day page; one to a note not in the journal stays text
    later = (folder / "2024-06-01.html").read_text(encoding="utf-8")
    ids = {e.title: e.id for e in j.entries()}
    assert f'<a href="2024-05-09.html#e-{ids["Imagine Flash"]}">240509 Imagine Flash</a><br>' in later
    assert f'<a href="2023-10-01.html#e-{ids["Emu"]}">&lt;Emu &amp; co&gt;</a><br>' in later
    assert "[[250101 Missing]]</p>" in later


@settings(max_examples=60, deadline=None)
@given(
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40).filter(
        lambda t: t.strip()
    ),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=80),
)
def test_any_text_stays_text(title: str, commentary: str) -> None:
    entry = make_entry(title=title, commentary=commentary, date="2024-05-09", tags=["t"])
    page = Page(html.render_site([entry])["2024-05-09.html"])
    assert set(page.tags) <= {"html", "head", "meta", "title", "style", "body", "header", "h1", "nav", "a",
                              "main", "article", "h2", "p", "br", "span"}  # fmt: skip
    assert " ".join(entry.title.split()) in "".join(page.text)


def test_folder_rules(tmp_path: Path) -> None:
    entries = [make_entry(title="t", date="2024-05-09")]
    with pytest.raises(ExportFailed, match="writes a folder"):
        html.write(entries, "-")  # type: ignore[arg-type]
    a_file = tmp_path / "file.html"
    a_file.write_text("mine")
    with pytest.raises(ExportFailed, match="is a file"):
        html.write(entries, a_file)
    other = tmp_path / "docs"
    other.mkdir()
    (other / "index.html").write_text("my own page")
    with pytest.raises(ExportFailed, match="holds other files; give a new or empty folder"):
        html.write(entries, other)
    assert (other / "index.html").read_text() == "my own page"
    with pytest.raises(ExportFailed, match="does not exist"):
        html.write(entries, tmp_path / "missing" / "site")
    site = tmp_path / "site"
    assert html.write(entries, site) == 1
    assert html.write(entries * 1, site) == 1  # our own folder: written again
    assert "html" in FOLDER_FORMATS


def test_cli_export_html_with_filters(journal_path: Path, tmp_path: Path, cli) -> None:
    j = Journal(journal_path)
    j.add(title="A", date="2024-04-30", tags="diffusion")
    j.add(title="B", date="2024-05-01", tags="efficiency")
    j.add(title="C", date="2024-05-09", tags="diffusion")
    site = tmp_path / "site"
    code, _, err = cli("export", "html", str(site), "--tag", "diffusion", "--journal", str(journal_path))
    assert code == 0 and "exported 2 entries" in err
    assert sorted(p.name for p in site.glob("*.html")) == [
        "2024-04-30.html",
        "2024-05-09.html",
        "index.html",
        "tags.html",
    ]
    shutil.rmtree(site)
    assert cli("export", "html", str(site), "--from", "2024-05-01", "--to", "2024-05-01",
               "--journal", str(journal_path), "--lang", "en")[0] == 0  # fmt: skip
    assert sorted(p.name for p in site.glob("*.html")) == ["2024-05-01.html", "index.html", "tags.html"]
    assert "May 1, 2024" in (site / "2024-05-01.html").read_text(encoding="utf-8")


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="needs /usr/bin/chromium")
def test_site_in_a_browser_from_file_url(seed_journal: Path, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    j = Journal(seed_journal)
    entries = [*j.entries(), make_entry(title=XSS, date="2024-05-10", tags="efficiency", commentary=XSS)]
    folder = _site(entries, tmp_path)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto((folder / "index.html").as_uri())
            assert page.title() == "읽기 일지"
            page.click("text=2024년 5월 10일")
            assert page.url.endswith("/2024-05-10.html")
            assert XSS in page.inner_text("article h2")
            page.click("text=#efficiency")
            assert page.url.endswith("/tags.html#tag-efficiency")
            page.click("text=2024-05-09")
            assert "/2024-05-09.html#e-" in page.url
            assert "인코더-디코더가" in page.inner_text("body")
            assert dialogs == []
        finally:
            browser.close()


# --- templates ------------------------------------------------------------------------


def test_a_user_template_replaces_the_shipped_one(seed_journal: Path, tmp_path: Path) -> None:
    mine = tmp_path / "templates"
    mine.mkdir()
    (mine / "day.html.j2").write_text(
        '{% extends "page.html.j2" %}\n{% block main %}\n'
        "{% for e in entries %}<p class=mine>{{ e.title }} {{ e.commentary }}</p>\n{% endfor %}"
        "{% endblock %}\n",
        encoding="utf-8",
    )
    (mine / "journal.css").write_text("body { color: rebeccapurple; }\n", encoding="utf-8")
    entries = [*Journal(seed_journal).entries(), make_entry(title=XSS, date="2024-05-10", commentary="a & b")]
    folder = tmp_path / "site"
    html.write(entries, folder, template_dir=mine)
    day = (folder / "2024-05-10.html").read_text(encoding="utf-8")
    assert f"<p class=mine>{html_escape(XSS)} a &amp; b</p>" in day  # user templates are escaped too
    assert "<style>\nbody { color: rebeccapurple; }\n</style>" in day
    # the templates not in the folder are the shipped ones (with the user's stylesheet)
    index = (folder / "index.html").read_text(encoding="utf-8")
    expected = (EXPECTED / "index.html").read_text(encoding="utf-8")
    default_css = (Path(html.__file__).parents[1] / "templates" / "journal.css").read_text(encoding="utf-8")
    assert "2024-05-10.html" in index and '<h2 id="m-2024-05">' in index
    assert "rebeccapurple" in index and default_css not in index
    assert default_css in expected  # the shipped pages inline the shipped stylesheet


def html_escape(text: str) -> str:
    import html as html_lib

    return html_lib.escape(text)


def test_a_broken_template_is_one_clear_error(tmp_path: Path, cli, journal_path: Path) -> None:
    Journal(journal_path).add(title="t", date="2024-05-09")
    mine = tmp_path / "templates"
    mine.mkdir()
    (mine / "index.html.j2").write_text("{% for x in %}\n", encoding="utf-8")
    site = tmp_path / "site"
    code, _, err = cli(
        "--journal", str(journal_path), "export", "html", str(site), "--template-dir", str(mine)
    )
    assert code == 1 and "index.html.j2" in err and "line 1" in err and len(err.splitlines()) == 1
    assert not site.exists()
    code, _, err = cli(
        "--journal", str(journal_path), "export", "html", str(site), "--template-dir", str(tmp_path / "nope")
    )
    assert code == 1 and "is not a folder" in err and "day.html.j2" in err
    code, _, err = cli("--journal", str(journal_path), "export", "csv", "-", "--template-dir", str(mine))
    assert code == 1 and "--template-dir does not apply to export csv" in err


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"\xff\xfe<p>", "is not UTF-8 text"), (b"{{ 1 // 0 }}", "the template failed: integer division")],
)
def test_an_unreadable_or_failing_template_is_one_clear_error(
    tmp_path: Path, cli, journal_path: Path, data: bytes, message: str
) -> None:
    Journal(journal_path).add(title="t", date="2024-05-09")
    mine = tmp_path / "templates"
    mine.mkdir()
    (mine / "day.html.j2").write_bytes(data)
    site = tmp_path / "site"
    code, _, err = cli(
        "--journal", str(journal_path), "export", "html", str(site), "--template-dir", str(mine)
    )
    assert code == 1 and "day.html.j2" in err and message in err and len(err.splitlines()) == 1
    assert not site.exists()


def test_templates_are_package_data() -> None:
    from journal.formats import _templates

    shipped = {p.name for p in _templates.TEMPLATES_DIR.iterdir()}
    assert set(_templates.NAMES) <= shipped
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"templates/*.html.j2"' in pyproject and '"templates/*.css"' in pyproject
