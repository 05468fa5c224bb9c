"""The daily and analysis notebooks, run on a real kernel, and the library under them.

Kernel runs (a few seconds each) are kept to four: one day, a three-day range, the CLI
with a hostile journal path, and the analysis notebook.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal import mdtext, render
from journal.errors import JournalError, ValidationError
from journal.formats.digest import to_entries
from journal.model import make_entry
from journal.store import Journal
from journal.summary import day_summaries, day_summary

REPO = Path(__file__).resolve().parents[1]
SEED_DIGEST = REPO / "tests" / "data" / "digest-2024-05-09.txt"
EXPECTED = REPO / "tests" / "data" / "render"
UPDATE = os.environ.get("JOURNAL_UPDATE_EXPECTED") == "1"  # regenerate the expected files

TRICKY_TITLE = 'Attack <script>alert("x")</script> & *stars* _under_ [brackets] #hash'


def fixture_entries() -> list:
    """A small journal: two earlier days, the seed day (plus two entries), nothing after."""
    earlier = [
        make_entry(
            title="Emu: Enhancing Image Generation Models Using Photogenic Needles in a Haystack",
            date="2024-05-06",
            authors="Xiaoliang Dai, Ji Hou",
            url="https://arxiv.org/abs/2309.15807",
            abstract="Training text-to-image models with web scale image-text pairs.",
            tags="diffusion",
        ),
        make_entry(
            title="Old efficiency note",
            date="2024-05-06",
            authors="Someone Else",
            commentary="KV caches again.",
            tags="efficiency llm",
        ),
        make_entry(
            title=TRICKY_TITLE,
            date="2024-05-08",
            authors="A. Hacker, OpenAI",
            url="https://example.org/post?a=1&b=<2>",
            commentary=(
                "1. not a list\n# not a heading\ncosts $5 and $10; x_1 * y_2 <b>bold?</b>\n\n"
                "[[250101 Note]] is a wiki link"
            ),
            tags="benchmark",
        ),
    ]
    seed = to_entries(SEED_DIGEST.read_text(encoding="utf-8"))
    extra = [
        make_entry(
            title=r"PixArt-$\alpha$: Fast Training of Diffusion Transformer",
            date="2024-05-09",
            authors="Junsong Chen",
            url="https://arxiv.org/abs/2310.00426",
            links=["https://pixart-alpha.github.io/", "https://github.com/PixArt-alpha/PixArt-alpha"],
            commentary=(
                "Compare with Emu: https://arxiv.org/abs/2309.15807 and the cost (`$` signs).\n\n"
                "# Links\n[[240506 Emu - Enhancing Image Generation Models Using Photogenic Needles in a Haystack.md|Emu]]"
            ),
            tags="diffusion efficiency",
        )
    ]
    return [*earlier, *seed, *extra]


@pytest.fixture(scope="module")
def journal_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("render") / "entries.parquet"
    Journal(path).add_many(fixture_entries())
    return path


@pytest.fixture(autouse=True)
def kernel_imports_this_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    # the kernel inherits the environment: make it import this checkout
    monkeypatch.setenv("PYTHONPATH", str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def check_expected(name: str, text: str) -> None:
    path = EXPECTED / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from tests/data/render/{name}"


def body_of(page: str) -> str:
    """The page without its <head> (CSS) and scripts."""
    body = page[page.index("<body") :]
    return re.sub(r"<script.*?</script>", "", body, flags=re.S)


def assert_clean_html(page: str, titles: list[str]) -> None:
    body = body_of(page)
    for title in titles:
        assert html.escape(title, quote=False) in body.replace("&quot;", '"'), title
    assert "<script>alert" not in page
    # no code: no input areas, no prompts, none of the notebook's source
    assert "jp-InputArea-editor" not in body
    assert "jp-InputPrompt" not in body and "jp-OutputPrompt" not in body
    assert "show_days" not in page and "import" not in body


# --- in-process: the summary without a kernel --------------------------------------------


def test_day_summary_data(journal_file: Path) -> None:
    s = day_summary(journal_file, "2024-05-09", "en")
    assert s.date == dt.date(2024, 5, 9)
    assert len(s.entries) == 6
    assert dict(s.tags)["efficiency"] == 3
    related = {r.entry.title: r for r in s.related}
    emu = related["Emu: Enhancing Image Generation Models Using Photogenic Needles in a Haystack"]
    assert {e.title for e in emu.linked_from} == {
        "Imagine Flash: Accelerating Emu Diffusion Models with Backward Distillation",
        r"PixArt-$\alpha$: Fast Training of Diffusion Transformer",
    }
    assert emu.shared_tags == ("diffusion",)
    assert related["Old efficiency note"].shared_tags == ("efficiency",)
    assert related["Old efficiency note"].entry.commentary == "KV caches again."  # full entry
    assert related[TRICKY_TITLE].shared_tags == ("benchmark",)
    assert related[TRICKY_TITLE].linked_from == ()
    assert s.digest.startswith("May 9, 2024\nWhat's up with Llama 3?")


def test_related_only_looks_back(journal_file: Path) -> None:
    s = day_summary(journal_file, "2024-05-06", "en")
    assert s.related == ()
    assert "Earlier entries" not in s.to_markdown()


def test_empty_day_in_process(journal_file: Path) -> None:
    s = day_summary(journal_file, "2024-05-10", "ko")
    assert s.entries == () and s.tags == ()
    assert s.to_markdown() == "# 2024년 5월 10일\n\n**이 날에는 항목이 없습니다.**"


def test_range_in_process_matches_single_days(journal_file: Path) -> None:
    days = day_summaries(journal_file, "2024-05-06", "2024-05-10", "en")
    assert [d.date.day for d in days] == [6, 7, 8, 9, 10]
    for s in days:
        assert s.to_markdown() == day_summary(journal_file, s.date, "en").to_markdown()


def test_summary_accepts_entries_and_journal(journal_file: Path) -> None:
    j = Journal(journal_file)
    a = day_summary(j, "2024-05-09", "ko").to_markdown()
    assert a == day_summary(j.entries(), "2024-05-09", "ko").to_markdown()
    assert a == day_summary(str(journal_file), dt.date(2024, 5, 9)).to_markdown()


def test_summary_refuses_bad_input(journal_file: Path) -> None:
    with pytest.raises(ValidationError, match="not a real date"):
        day_summary(journal_file, "2024-02-30")
    with pytest.raises(ValidationError, match="before"):
        day_summaries(journal_file, "2024-05-09", "2024-05-01")
    with pytest.raises(ValidationError, match="lang"):
        day_summary(journal_file, "2024-05-09", "fr")


# --- markdown escaping ---------------------------------------------------------------------


def markdown_text(md: str) -> str:
    """What a reader sees of rendered markdown (mistune, as nbconvert uses it)."""
    import mistune

    rendered = mistune.html(md)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()


@given(st.text(alphabet=st.sampled_from(list("ab #*_-+=>.1)[]`\\<&;$|~!(x")), min_size=1, max_size=40))
@settings(max_examples=300, deadline=None)
def test_escaped_paragraph_shows_the_same_characters(text: str) -> None:
    text = text.strip()
    if not text or mdtext._MATH.search(text):  # math spans are kept for MathJax on purpose
        return
    assert " ".join(markdown_text(mdtext.paragraph(text)).split()) == " ".join(text.split())


def test_wiki_links_lead_to_the_linked_entry() -> None:
    paper = make_entry(title="A Paper", date="2024-05-01", url="https://example.org/p?a=1&b=2")
    arxiv_only = make_entry(title="On arXiv", date="2024-05-01", arxiv_id="2405.05254v2")
    note = make_entry(title="Just a note", date="2024-05-02", source="notes/240502 Just a note.md")
    today = make_entry(
        title="Today",
        date="2024-05-09",
        commentary=(
            "See [[240501 A Paper]] and [[On arXiv|the *arXiv* one]].\n\n# Links\n"
            "- [[240502 Just a note.md]]\n- [[250101 Not in the journal]]"
        ),
    )
    s = day_summary([paper, arxiv_only, note, today], "2024-05-09", "en")
    md = s.to_markdown()
    assert (
        "See [240501 A Paper](<https://example.org/p?a=1&b=2>) and [the \\*arXiv\\* one](<https://arxiv.org/abs/2405.05254v2>)."
        in md
    )
    assert "\\- [240502 Just a note](<2024-05-02.html>)\\\n\\- \\[\\[250101 Not in the journal\\]\\]" in md
    assert "[[240501 A Paper]]" in s.digest and "[[250101 Not in the journal]]" in s.digest  # unchanged


@pytest.mark.parametrize("stored", [False, True])
def test_wiki_link_to_a_later_note_leads_there(tmp_path: Path, stored: bool) -> None:
    # a note may link to one written after it (the HTML export resolves these too)
    today = make_entry(title="Today", date="2024-05-09", commentary="See [[240510 Next day.md]].")
    later = make_entry(title="Next day", date="2024-05-10", source="240510 Next day.md")
    journal: object = [today, later]
    if stored:
        journal = Journal(tmp_path / "j.parquet")
        journal.add_many([today, later])
    md = day_summary(journal, "2024-05-09", "en").to_markdown()
    assert "See [240510 Next day](<2024-05-10.html>)." in md


def test_escape_keeps_links_and_math_live() -> None:
    md = mdtext.paragraph(r"see https://arxiv.org/abs/2405.05254, PixArt-$\alpha$ for $5 and $10")
    assert "<https://arxiv.org/abs/2405.05254>," in md
    assert r"$\alpha$" in md
    assert r"\$5 and \$10" in md
    assert mdtext.link("a [b]", "https://x.org/a b") == r"[a \[b\]](<https://x.org/a%20b>)"


def test_fenced_block_outlasts_backticks() -> None:
    assert mdtext.fenced("a\n````\nb") == "`````text\na\n````\nb\n`````"


# --- a real kernel ---------------------------------------------------------------------------


def read_nb(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    return nb


def injected(nb: nbformat.NotebookNode) -> str:
    return next(c.source for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))


def test_render_one_day(journal_file: Path, tmp_path: Path) -> None:
    paths = render.render_days(journal_file, "2024-05-09", to_dir=tmp_path / "out", lang="ko")
    stem = tmp_path / "out" / "2024-05-09"
    assert paths == [stem.with_suffix(".ipynb"), stem.with_suffix(".html"), stem.with_suffix(".md")]
    md = stem.with_suffix(".md").read_text(encoding="utf-8")
    check_expected("2024-05-09.ko.md", md)
    # the same summary in-process, without a kernel
    assert md == day_summary(journal_file, "2024-05-09", "ko").to_markdown() + "\n"
    titles = [e.title for e in Journal(journal_file).entries(date="2024-05-09")]
    assert_clean_html(stem.with_suffix(".html").read_text(encoding="utf-8"), titles)
    nb = read_nb(stem.with_suffix(".ipynb"))
    assert 'date = "2024-05-09"' in injected(nb) and "until = None" in injected(nb)
    assert nb.metadata.papermill.parameters["journal"] == str(journal_file)
    assert "urn:journal:day:2024-05-09" in (tmp_path / "out" / "feed.xml").read_text(encoding="utf-8")
    # a wiki link to an entry of the journal is a link in every output; the digest keeps it as typed
    assert "[Emu](<https://arxiv.org/abs/2309.15807>)" in md
    assert '<a href="https://arxiv.org/abs/2309.15807">Emu</a>' in stem.with_suffix(".html").read_text(
        encoding="utf-8"
    )
    assert "[Emu](<https://arxiv.org/abs/2309.15807>)" in "".join(
        o.data["text/markdown"] for c in nb.cells for o in c.get("outputs", []) if "data" in o
    )
    assert "Haystack.md|Emu]]" in md.split("## ")[-1]  # the digest block
    # the page and the static site share one stylesheet
    from journal.formats import html as site

    css = (REPO / "journal" / "templates" / "journal.css").read_text(encoding="utf-8")
    page = stem.with_suffix(".html").read_text(encoding="utf-8")
    assert f'<style id="journal-css">\n{css}</style>\n</head>' in page
    assert f"<style>\n{css}</style>" in site.render_site(Journal(journal_file).entries())["2024-05-09.html"]


def test_render_range_runs_one_kernel(
    journal_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import papermill

    calls = []
    real = papermill.execute_notebook

    def counting(*args, **kwargs):
        calls.append(kwargs.get("parameters"))
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", counting)
    out = tmp_path / "range"
    paths = render.render_days(journal_file, "2024-05-08", "2024-05-10", out, "en", progress=True)
    assert len(calls) == 1 and calls[0]["until"] == "2024-05-10"
    assert "3/3" in capsys.readouterr().err  # the progress bar
    assert len(paths) == 9 and all(p.exists() for p in paths)
    for day in ("2024-05-08", "2024-05-09", "2024-05-10"):
        md = (out / f"{day}.md").read_text(encoding="utf-8")
        check_expected(f"{day}.en.md", md)
        assert md == day_summary(journal_file, day, "en").to_markdown() + "\n"
        nb = read_nb(out / f"{day}.ipynb")
        assert f'date = "{day}"' in injected(nb)  # a slice is what rendering that day gives
        assert nb.metadata.journal == {
            "day": day,
            "rendered_with": {"date": "2024-05-08", "until": "2024-05-10"},
        }
        days_shown = [o.metadata.get("journal_day") for c in nb.cells for o in c.get("outputs", [])]
        assert days_shown == [day]
    # the days with entries are in the feed, newest first, linked to their pages
    import feedparser

    parsed = feedparser.parse(str(out / "feed.xml"))
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == ["May 9, 2024", "May 8, 2024"]
    assert [e.link for e in parsed.entries] == ["2024-05-09.html", "2024-05-08.html"]
    assert "&lt;script&gt;" in parsed.entries[1].summary  # the tricky title, escaped
    # the empty day: a clear page, no traceback
    empty = (out / "2024-05-10.html").read_text(encoding="utf-8")
    assert "No entries on this day." in empty and "Traceback" not in empty
    tricky = (out / "2024-05-08.html").read_text(encoding="utf-8")
    assert_clean_html(tricky, [TRICKY_TITLE])
    assert "[[250101 Note]] is a wiki link" in tricky  # a note not in the journal stays visible text
    assert "&lt;script&gt;alert" in tricky
    # a spliced page is the page nbconvert makes of that day's notebook
    from bs4 import BeautifulSoup

    full = render.html(read_nb(out / "2024-05-09.ipynb"), "Reading journal · 2024-05-09")
    spliced = (out / "2024-05-09.html").read_text(encoding="utf-8")
    assert BeautifulSoup(spliced, "html.parser").decode() == BeautifulSoup(full, "html.parser").decode()


def test_cli_render_with_hostile_journal_path(
    journal_file: Path, tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # quotes, a backslash and a newline in the path: papermill must pass it as data
    monkeypatch.chdir(tmp_path)  # the kernel's working folder, where injected code would write
    marker = tmp_path / "INJECTED"
    weird = tmp_path / 'a"b\'c\\\nopen("INJECTED", "w")#\'"' / "entries.parquet"
    weird.parent.mkdir()
    weird.write_bytes(journal_file.read_bytes())
    code, out, err = cli(
        "--journal", str(weird), "render", "2024-05-09", "--to", str(tmp_path / "d"), "--lang", "ko"
    )
    assert code == 0, err
    assert not marker.exists()
    assert out.splitlines() == [str(tmp_path / "d" / f"2024-05-09{s}") for s in (".ipynb", ".html", ".md")]
    # the kernel read the journal at that very path
    assert (tmp_path / "d" / "2024-05-09.md").read_text(encoding="utf-8") == (
        EXPECTED / "2024-05-09.ko.md"
    ).read_text(encoding="utf-8")
    nb = read_nb(tmp_path / "d" / "2024-05-09.ipynb")
    assert nb.metadata.papermill.parameters["journal"] == str(weird)


def test_render_analysis(journal_file: Path, tmp_path: Path) -> None:
    paths = render.render_analysis(journal_file, to_dir=tmp_path / "a")
    assert [p.name for p in paths] == ["analysis.ipynb", "analysis.html"]
    page = paths[1].read_text(encoding="utf-8")
    body = body_of(page)
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', body)) == 6
    for heading in ("Entries per week", "Tags over time", "Tags read together", "Most-read authors and labs"):
        assert heading in body
    assert "9 entries</strong> from 2024-05-06 to 2024-05-09 (3 days with entries, 8 with commentary)" in body
    assert "jp-InputArea-editor" not in body and "analysis.frame" not in page
    nb = read_nb(paths[0])
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type in ("error", "stream")]


# --- checks before any kernel ------------------------------------------------------------------


@pytest.fixture
def no_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(render, "_execute", refuse)


@pytest.mark.parametrize(
    "date, until, message",
    [
        ('2024-05-09"; import os', None, "not a date"),
        ("2024-05-09\nimport os", None, "not a date"),
        ("2024-13-01", None, "not a real date"),
        ("2024-05-09", "2024-05-01", "before"),
        ("2024-05-09", "soon", "until"),
    ],
)
def test_bad_dates_fail_before_any_kernel(journal_file, tmp_path, no_kernel, date, until, message) -> None:
    with pytest.raises(ValidationError, match=message):
        render.render_days(journal_file, date, until, tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_bad_inputs_fail_before_any_kernel(journal_file: Path, tmp_path: Path, no_kernel) -> None:
    with pytest.raises(ValidationError, match="lang"):
        render.render_days(journal_file, "2024-05-09", lang="ko'; import os")
    with pytest.raises(JournalError, match="no journal here"):
        render.render_days(tmp_path / "missing.parquet", "2024-05-09")
    (tmp_path / "file").write_text("x")
    with pytest.raises(JournalError, match="not a folder"):
        render.render_days(journal_file, "2024-05-09", to_dir=tmp_path / "file")
    with pytest.raises(ValidationError, match="before"):
        render.render_analysis(journal_file, "2024-06-01", "2024-05-01")


def test_cli_errors_are_one_line(journal_file: Path, cli, no_kernel) -> None:
    code, _, err = cli("--journal", str(journal_file), "render", "2024-02-30")
    assert code == 1 and err == "journal: error: date: '2024-02-30' is not a real date\n"
    code, _, err = cli("--journal", str(journal_file), "render")
    assert code == 1 and "give the DATE" in err
    code, _, err = cli("--journal", str(journal_file), "render", "--analysis", "2024-05-09")
    assert code == 1 and "--from/--until" in err
    code, _, err = cli("--journal", str(journal_file), "render", "--analysis", "--feed-days", "3")
    assert code == 1 and "not --analysis" in err
    code, _, err = cli("--journal", str(journal_file), "render", "2024-05-09", "--base-url", "x")
    assert code == 1 and "base-url" in err


def test_split_days_needs_every_day() -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", {"text/markdown": "# a"}, metadata={"journal_day": "2024-05-09"}
        )
    ]
    nb.cells.append(cell)
    days = [dt.date(2024, 5, 9), dt.date(2024, 5, 10)]
    with pytest.raises(render.RenderFailed, match="2024-05-10"):
        render.split_days(
            nb, days, {"date": "2024-05-09", "until": "2024-05-10", "journal": "j", "lang": "ko"}
        )


def test_notebooks_are_found_and_parametrized() -> None:
    for name, params in (
        ("daily", {"date", "journal", "lang", "until"}),
        ("analysis", {"journal", "start", "until"}),
    ):
        nb = read_nb(render.notebook_path(name))
        source = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assert {line.split("=")[0].strip() for line in source.splitlines() if "=" in line} == params
        assert all(not c.get("outputs") for c in nb.cells)  # shipped clean


def test_kernel_error_is_one_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "entries.parquet"
    broken.write_bytes(b"PAR1 this is not a parquet file")
    with pytest.raises(render.RenderFailed) as caught:
        render.render_days(broken, "2024-05-09", to_dir=tmp_path / "out")
    message = str(caught.value)
    assert "daily.ipynb failed" in message and "CorruptJournal" in message and "journal check" in message
    assert "\n" not in message
    assert not (tmp_path / "out").exists()


def test_write_failure_is_a_journal_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(render.RenderFailed, match="cannot write"):
        render._write_files(tmp_path, {tmp_path / "file" / "2024-05-09.md": "text"})
    with pytest.raises(render.RenderFailed, match="cannot create"):
        render._make_dir(tmp_path / "file" / "sub")
