"""BibTeX export and import: golden files, escaping, keys, round trips, a real BibTeX tool."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import string
import subprocess
from pathlib import Path

import bibtexparser
import pytest
from conftest import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.capture import arxiv
from journal.errors import ImportFailed
from journal.formats import bibtex
from journal.formats import latex as _latex
from journal.model import Entry, make_entry
from journal.store import Journal

BIB = DATA / "bibtex"
COMPARED = ("id", "date", "title", "authors", "url", "links", "arxiv_id", "arxiv_version", "abstract")
COMPARED += ("commentary", "tags")


def _same(a: Entry, b: Entry) -> None:
    for name in COMPARED:
        assert getattr(a, name) == getattr(b, name), name


def _parse(text: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    return library


def arxiv_journal(path: Path) -> Journal:
    """Three arXiv papers with their metadata in the cache beside the journal, as
    `journal add --arxiv` leaves them."""
    cache = arxiv.cache_dir_for(path)
    for name in ("2405.05254.xml", "2309.15807.xml", "hep-th_9711200.xml"):
        (record,), _ = arxiv.parse_feed((DATA / "arxiv" / name).read_bytes())
        arxiv.cache_put(cache, f"{record.arxiv_id}v{record.version}", record)
    j = Journal(path)
    for name, extra in (
        (
            "2405.05254",
            {"arxiv_version": 2, "tags": "efficiency", "commentary": "인코더-디코더.\n\n둘째 문단."},
        ),
        ("2309.15807", {"arxiv_version": 1, "tags": ["diffusion", "fine_tuning"]}),
        (
            "hep-th_9711200",
            {"arxiv_version": 3, "tags": "holography", "links": ["https://example.org/~notes#ads"]},
        ),
    ):
        (record,), _ = arxiv.parse_feed((DATA / "arxiv" / f"{name}.xml").read_bytes())
        fields = record.entry_fields() | extra
        j.add(make_entry(**fields, date="2024-05-09"))
    return j


# --- export ------------------------------------------------------------------------------


def test_seed_export_matches_the_expected_file(seed_journal: Path) -> None:
    j = Journal(seed_journal)
    assert bibtex.render(j.entries(), j) == (BIB / "seed.bib").read_text(encoding="utf-8")


def test_arxiv_export_matches_the_expected_file(journal_path: Path) -> None:
    j = arxiv_journal(journal_path)
    assert bibtex.render(j.entries(), j) == (BIB / "arxiv.bib").read_text(encoding="utf-8")


def test_arxiv_fields(journal_path: Path) -> None:
    j = arxiv_journal(journal_path)
    library = _parse(bibtex.render(j.entries(), j))
    yoco, emu, old = library.entries
    assert (yoco.entry_type, yoco.key) == ("misc", "sun2024you")
    assert yoco["eprint"] == "2405.05254v2" and yoco["archivePrefix"] == "arXiv"
    assert yoco["primaryClass"] == "cs.CL"
    assert yoco["year"] == "2024" and yoco["month"] == "may"
    assert yoco["url"] == "https://arxiv.org/abs/2405.05254" and yoco["urldate"] == "2024-05-09"
    assert yoco["keywords"] == "efficiency" and yoco["annote"] == "인코더-디코더.\n\n둘째 문단."
    assert yoco["title"] == "You Only Cache Once: {Decoder-Decoder} Architectures for Language Models"
    assert emu.key == "dai2023emu" and emu["keywords"] == r"diffusion, fine\_tuning"
    assert "$82.9\\%$" in emu["abstract"]  # math kept as written
    # a journal reference in arXiv's metadata makes it an article, with the DOI
    assert (old.entry_type, old.key) == ("article", "maldacena1997large")
    assert old["journal"] == "Adv.Theor.Math.Phys.2:231-252,1998" and old["doi"] == "10.1023/A:1026654312961"
    assert old["year"] == "1997" and old["month"] == "nov"  # from the id hep-th/9711200
    assert old["links"] == "https://example.org/~notes#ads"


def test_no_cache_means_no_primary_class(journal_path: Path) -> None:
    j = Journal(journal_path)
    j.add(title="YOCO", arxiv_id="2405.05254v2", date="2024-05-10")
    (entry,) = _parse(bibtex.render(j.entries(), j)).entries
    assert "primaryClass" not in entry and entry["eprint"] == "2405.05254v2"
    assert entry.entry_type == "misc"


def test_organisation_and_names() -> None:
    entries = [
        make_entry(title="Introducing the Model Spec", authors=["OpenAI"], date="2024-05-09"),
        make_entry(title="x", authors=["Johnson and Johnson Lab", "Martin Luther King, Jr.", "C. J. Taylor"]),
    ]
    library = _parse(bibtex.render(entries))
    assert library.entries[0]["author"] == "{OpenAI}"
    assert (
        library.entries[1]["author"]
        == "{Johnson and Johnson Lab} and {Martin Luther King, Jr.} and C. J. Taylor"
    )
    back = bibtex.read_string(bibtex.render(entries))
    assert [e.authors for e in back] == [e.authors for e in entries]


def test_special_characters_are_escaped_and_parse_back() -> None:
    title = r"R&D: 100% of #1 _under_ {braces} ~tilde^ \back $\alpha$-Net and $ alone"
    entry = make_entry(title=title, abstract="50% & more\n\nsecond {paragraph}", tags=["c#", "a_b"])
    text = bibtex.render([entry])
    assert r"R\&D" in text and r"100\%" in text and r"\#1" in text and r"\_under\_" in text
    assert (
        r"\textbraceleft{}braces\textbraceright{}" in text and "$\\alpha$-Net" in text and r"\$ alone" in text
    )
    (parsed,) = _parse(text).entries
    assert _latex.decode(parsed["title"]) == title
    (back,) = bibtex.read_string(text)
    _same(back, entry)


def test_capitals_are_protected_word_by_word() -> None:
    assert bibtex.encode_title("YOCO beats GPT-4 with PixArt-$\\alpha$ and $O(n \\log N)$ memory") == (
        "{YOCO} beats {GPT-4} with {PixArt-$\\alpha$} and {$O(n \\log N)$} memory"
    )
    assert bibtex.encode_title("Attention Is All You Need") == "Attention Is All You Need"


def test_citation_keys_are_stable_and_unique() -> None:
    def paper(title: str, authors: list[str], day: str = "2024-05-09", **kw: object) -> Entry:
        return make_entry(title=title, authors=authors, date=day, **kw)

    entries = [
        paper("You Only Cache Once", ["Yutao Sun"], arxiv_id="2405.05254"),
        paper("You only look once", ["Joseph Redmon"], "2016-05-01"),
        paper("You Only Cache Once (again)", ["Yutao Sun"], "2024-06-01", arxiv_id="2405.05254"),
        paper("The Emu of Schönfeld", ["Edgar Schönfeld"]),
        paper("인코더 디코더", ["김철수"]),
        paper("A note", []),
        paper("You only cache once", ["Y. Sun"], "2024-07-01", arxiv_id="2405.05254"),
    ]
    keys = bibtex.citation_keys(entries)
    assert keys == [
        "sun2024you",
        "redmon2016you",
        "sun2024youa",
        "schonfeld2024emu",
        "anon2024",
        "anon2024note",
        "sun2024youb",
    ]
    assert bibtex.citation_keys(entries[:3]) == keys[:3]  # adding entries later changes no key
    assert len(set(keys)) == len(keys)


def test_year_comes_from_the_arxiv_id() -> None:
    assert bibtex.paper_year(make_entry(title="t", arxiv_id="hep-th/9901001", date="2024-01-02")) == (1999, 1)
    assert bibtex.paper_year(make_entry(title="t", arxiv_id="0704.0001", date="2024-01-02")) == (2007, 4)
    assert bibtex.paper_year(make_entry(title="t", date="2023-03-04")) == (2023, 3)


# --- a real BibTeX tool ---------------------------------------------------------------------


@pytest.mark.skipif(
    shutil.which("bibtool") is None, reason="bibtool is not installed (apt-get install bibtool)"
)
def test_bibtool_reads_the_export_without_a_warning(tmp_path: Path, seed_journal: Path) -> None:
    j = arxiv_journal(tmp_path / "arxiv.parquet")
    nasty = make_entry(
        title=r"R&D: 100% of #1 _under_ {braces} ~tilde^ \back $\alpha$ @home",
        authors=["OpenAI", "Martin Luther King, Jr."],
        abstract="a } b { c \\ d",
        commentary="첫 문단 %\n\n둘째 문단 &",
        url="https://example.com/a_b%20c?x=1&y={2}#frag",
        tags=["c#", "a_b"],
    )
    text = bibtex.render([*Journal(seed_journal).entries(), *j.entries(), nasty], j)
    bib = tmp_path / "out.bib"
    bib.write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["bibtool", "-d", "-q", str(bib), "-o", str(tmp_path / "checked.bib")], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stderr == ""
    loud = subprocess.run(
        ["bibtool", "-d", str(bib), "-o", str(tmp_path / "c2.bib")], capture_output=True, text=True
    )
    assert loud.stderr == "", loud.stderr  # not quiet: any warning shows here
    assert (tmp_path / "checked.bib").read_text(encoding="utf-8").count("@") >= 9


# --- import ------------------------------------------------------------------------------


def _expected(name: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in (BIB / name).read_text(encoding="utf-8").splitlines()]


def _as_dicts(entries: list[Entry]) -> list[dict[str, object]]:
    out = []
    for e in entries:
        d = e.to_json_dict()
        del d["created_at"], d["updated_at"]
        out.append(d)
    return out


@pytest.mark.parametrize("name", ["zotero", "scholar"])
def test_import_matches_the_expected_entries(name: str) -> None:
    assert _as_dicts(bibtex.read(BIB / f"{name}.bib")) == _expected(f"{name}.expected.jsonl")


def test_zotero_details() -> None:
    yoco, flash, attention, ddpm, spec = bibtex.read(BIB / "zotero.bib")
    assert yoco.title == "You Only Cache Once: Decoder-Decoder Architectures for Language Models"
    assert yoco.authors[0] == "Yutao Sun" and yoco.arxiv_id == "2405.05254"  # from the arXiv DOI
    assert yoco.date == dt.date(2024, 5, 9)  # urldate: the day it was saved
    assert "efficiency" in yoco.tags and yoco.commentary.startswith("Comment: Code is available")
    assert "Edgar Schönfeld" in flash.authors and flash.commentary.count("\n\n") == 1
    assert "Łukasz Kaiser" in attention.authors
    assert ddpm.url == "https://doi.org/10.5555/3495724.3496298" and ddpm.date == dt.date(2020, 12, 1)
    assert "3.17 & a sample" in ddpm.abstract and "50% of" in ddpm.abstract
    assert spec.authors == ("OpenAI",)


def test_scholar_details() -> None:
    yoco, emu, old, resnet = bibtex.read(BIB / "scholar.bib")
    assert yoco.arxiv_id == "2405.05254" and yoco.url == "https://arxiv.org/abs/2405.05254"
    assert emu.authors[-1] == "Abhimanyu Dubey"  # "and others" is not an author
    assert old.url is None and old.date == dt.date(1999, 1, 1)  # year only: January 1
    assert resnet.authors == ("Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun")


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as info:
        bibtex.read(BIB / "broken.bib")
    message = str(info.value)
    assert message.startswith(
        f"{BIB / 'broken.bib'}:8: the @article entry starting on this line is not valid"
    )
    assert message.endswith("nothing was imported")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("@misc{x,\n  title = {a} b = {c}\n}", 2, "is not braced or quoted"),
        ("@misc{x, title={a}}\n\n@misc{x, title={b}}", 3, "citation key 'x' is used twice"),
        ("@misc{x,\n title={a},\n title={b}}", 1, "the field title twice"),
        ("@misc{x,\n  author = {A. Author}\n}", 1, "entry 'x': title: is missing"),
        ("@misc{x, title={T}, url={javascript:alert(1)}}", 1, "is not a URL"),
    ],
)
def test_bad_entries(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "bad.bib"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFailed, match=rf"^{path}:{line}: .*{words}"):
        bibtex.read(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.bib"
    path.write_text("% just a comment\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="holds no BibTeX entries"):
        bibtex.read(path)


def test_date_override_and_fallbacks(tmp_path: Path) -> None:
    path = tmp_path / "d.bib"
    path.write_text(
        "@misc{a, title={A}, urldate={2024-05-09}, year={2020}}\n"
        "@misc{b, title={B}, date={2021-03-04}}\n"
        "@misc{c, title={C}, year={2019}, month=feb}\n"
        "@misc{d, title={D}}\n",
        encoding="utf-8",
    )
    a, b, c, d = bibtex.read(path)
    assert (a.date, b.date, c.date, d.date) == (
        dt.date(2024, 5, 9),
        dt.date(2021, 3, 4),
        dt.date(2019, 2, 1),
        dt.date.today(),
    )
    assert bibtex.read(path)[3].id == d.id  # no date: the id comes from the citation key
    assert {e.date for e in bibtex.read(path, date="2024-01-02")} == {dt.date(2024, 1, 2)}


def test_latex_accents_and_commands() -> None:
    assert _latex.decode(r"Sch{\"o}nfeld, Ang{\'e}lica, \c{C}a\u{g}lar, {\ss}, \emph{very} {\bf bold}") == (
        "Schönfeld, Angélica, Çağlar, ß, very bold"
    )
    assert _latex.decode(r"$\mathcal{O}(n)$ and {\L}ukasz and \'{\i}") == r"$\mathcal{O}(n)$ and Łukasz and í"


def test_latex_math_stays_tex() -> None:
    # pylatexenc would turn $\alpha$ into α: math spans are kept as written
    assert (
        _latex.decode(r"PixArt-$\alpha$: {Fast} Training of {\"o}") == r"PixArt-$\alpha$: Fast Training of ö"
    )
    assert (
        _latex.decode(r"costs \$5 and $O(n \log N)$ -- 50% of {NLP}")
        == r"costs $5 and $O(n \log N)$ -- 50% of NLP"
    )
    assert (
        _latex.decode(r"\url{https://x.org/a_b} \unknowncommand x") == r"https://x.org/a_b \unknowncommand x"
    )


def test_latex_unknown_commands_and_references_keep_their_text() -> None:
    # a command pylatexenc cannot read keeps its argument as typed; no words are lost
    assert _latex.decode(r"\unknowncmd{xyz} and \foo bar") == r"\unknowncmd{xyz} and \foo bar"
    assert _latex.decode(r"as in \cite{smith20}, see \ref{fig:1} and \eqref{e1}") == (
        r"as in \cite{smith20}, see \ref{fig:1} and \eqref{e1}"
    )
    assert _latex.decode(r"See \href{https://x.org}{the site}") == "See the site <https://x.org>"
    assert _latex.decode(r"a \href b") == r"a \href b"  # too few arguments: as typed, no error


def test_cli_import_of_href_and_odd_commands(journal_path: Path, tmp_path: Path, cli) -> None:
    path = tmp_path / "odd.bib"
    path.write_text(
        "@misc{h,\n title = {See \\href{https://x.org}{the site} and \\cite{foo}},\n year = {2024}\n}\n"
    )
    code, _, err = cli("import", "bibtex", str(path), "--journal", str(journal_path))
    assert code == 0, err
    assert [e.title for e in Journal(journal_path)] == [r"See the site <https://x.org> and \cite{foo}"]


_TEX = st.lists(
    st.sampled_from(
        [
            *"abc XZ{}$&%#_^'\"`-.,!?~\n",
            "가",
            r"\'e",
            r"\"{o}",
            r"\emph{x}",
            r"\ss",
            r"\&",
            r"\%",
            r"\$",
            r"\textbackslash{}",
            r"\c c",
            r"\v{s}",
            r"\\",
            r"{\bf b}",
            r"\foo",
            "$x^2$",
            "--",
            r"\L{}",
        ]
    ),
    max_size=14,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEX)
def test_latex_decoding_is_pylatexenc(value: str) -> None:
    """Words without a command skip pylatexenc (it is slow): they must read the same."""
    balanced = value.count("{") == value.count("}")
    if balanced and not value.endswith("\\"):
        whole = "".join(p if m else _latex._pylatexenc(p) for m, p in _latex.split_math(value))
        assert _latex.decode(value) == whole


_NAMES_TEX = st.lists(
    st.sampled_from(
        [
            *"aZé{}~ \n,.-'\"`\\$%&",
            "\\",
            "가",
            r"{\"o}",
            r"\"{u}",
            r"\'e",
            r"\'{\i}",
            r"{\'\i}",
            r"\'\i",
            r"\v{r}",
            r"{\c{c}}",
            r"\c c",
            r"\~n",
            r"\^a",
            r"{\ss}",
            r"\ss",
            r"\ss{}",
            r"{\L}",
            r"\L{}",
            r"{\AA}",
            r"\o",
            r"{\i}",
            r"\&",
            r"\%",
            r"\$",
            r"\_",
            r"\emph{",
            r"\foo",
            "i",
            "j",
        ]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(_NAMES_TEX)
def test_accents_read_alone_read_as_in_their_word(value: str) -> None:
    """A word whose commands are all accents, letters or escaped characters has each read
    by pylatexenc alone (names rarely repeat, their accents do): as the word is read whole."""
    balanced = value.count("{") == value.count("}")
    if balanced and not value.endswith("\\"):
        whole = "".join(p if m else _latex._pylatexenc(p) for m, p in _latex.split_math(value))
        assert _latex.decode(value) == whole


# --- round trips -------------------------------------------------------------------------

_SAFE = string.ascii_letters + string.digits + " .,:;!?'\"()[]<>/@*+=|-&%#_{}~^\\$" + "가나다한글éüßøΩ"
_word = st.text(alphabet=_SAFE.replace(" ", ""), min_size=1, max_size=8)
_line = st.lists(_word, min_size=1, max_size=6).map(" ".join)
_paragraph = st.lists(_line, min_size=1, max_size=2).map("\n".join)
_text = st.lists(_paragraph, min_size=0, max_size=3).map("\n\n".join)
_name = (
    st.lists(
        st.text(alphabet=string.ascii_letters + "éü.-'{}&", min_size=1, max_size=8), min_size=1, max_size=3
    )
    .map(" ".join)
    .filter(lambda n: n.strip().lower() != "others")
)
_tag = st.text(alphabet=string.ascii_letters + string.digits + "_-#&%.:가나", min_size=1, max_size=10).filter(
    lambda t: t.lstrip("#")
)
_url = st.builds(
    "https://example.com/{}?q={}#{}".format,
    st.text(alphabet=string.ascii_letters + "_-~.%/", max_size=10),
    st.text(alphabet=string.ascii_letters + "&=_", max_size=6),
    st.text(alphabet=string.ascii_letters, max_size=4),
)
_arxiv = st.sampled_from([None, "2405.05254", "2405.05254v2", "hep-th/9711200v3", "0704.0001", "2309.15807"])


@st.composite
def entries(draw: st.DrawFn) -> Entry:
    arxiv_id = draw(_arxiv)
    return make_entry(
        title=draw(_line),
        date=draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31))),
        authors=draw(st.lists(_name, max_size=4)),
        url=draw(st.none() | _url) if arxiv_id is None else f"https://arxiv.org/abs/{arxiv_id.split('v')[0]}",
        links=draw(st.lists(_url, max_size=2)),
        arxiv_id=arxiv_id,
        abstract=draw(_text),
        commentary=draw(_text),
        tags=draw(st.lists(_tag, max_size=4)),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entries(), min_size=1, max_size=4))
def test_round_trip_export_import(batch: list[Entry]) -> None:
    text = bibtex.render(batch)
    _parse(text)  # bibtexparser reads it without a failed block
    back = bibtex.read_string(text)
    assert len(back) == len(batch)
    for original, again in zip(batch, back, strict=True):
        _same(original, again)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_SAFE + "\n", max_size=60))
def test_latex_codec_round_trip(text: str) -> None:
    assert _latex.decode(_latex.encode(text)) == text


# --- the command line ---------------------------------------------------------------------


def test_cli_import_twice_adds_nothing(journal_path: Path, cli) -> None:
    j = ["--journal", str(journal_path)]
    code, out, _ = cli("import", "bibtex", str(BIB / "zotero.bib"), *j)
    assert code == 0 and out.startswith("imported 5 entries")
    code, out, _ = cli("import", "bibtex", str(BIB / "zotero.bib"), *j)
    assert code == 0 and out.startswith("imported 0 entries") and "(5 already present in the journal)" in out


def test_cli_import_date_option(journal_path: Path, cli) -> None:
    j = ["--journal", str(journal_path)]
    assert cli("import", "bibtex", str(BIB / "scholar.bib"), "--date", "2024-05-10", *j)[0] == 0
    assert {e.date for e in Journal(journal_path).entries()} == {dt.date(2024, 5, 10)}
    code, _, err = cli("import", "jsonl", str(BIB / "scholar.bib"), "--date", "2024-05-10", *j)
    assert code == 1 and "--date does not apply to jsonl imports" in err


def test_cli_broken_file_imports_nothing(journal_path: Path, cli) -> None:
    code, out, err = cli("import", "bibtex", str(BIB / "broken.bib"), "--journal", str(journal_path))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and f"{BIB / 'broken.bib'}:8:" in err
    assert not journal_path.exists()


def test_cli_export_takes_the_list_filters(journal_path: Path, tmp_path: Path, cli) -> None:
    arxiv_journal(journal_path)
    Journal(journal_path).add(title="Later", date="2024-06-01", tags="efficiency")
    out = tmp_path / "out.bib"
    j = ["--journal", str(journal_path)]
    assert cli("export", "bibtex", str(out), "--tag", "efficiency", *j)[0] == 0
    assert [e.key for e in _parse(out.read_text(encoding="utf-8")).entries] == ["sun2024you", "anon2024later"]
    assert cli("export", "bibtex", str(out), "--from", "2024-05-10", *j)[0] == 0
    assert [e.key for e in _parse(out.read_text(encoding="utf-8")).entries] == ["anon2024later"]
    assert cli("export", "bibtex", str(out), "--date", "2024-05-09", "--to", "2024-05-09", *j)[0] == 0
    assert len(_parse(out.read_text(encoding="utf-8")).entries) == 3


def test_cli_round_trip_into_a_new_journal(seed_journal: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "seed.bib"
    assert cli("export", "bibtex", str(out), "--journal", str(seed_journal))[0] == 0
    fresh = tmp_path / "fresh.parquet"
    assert cli("import", "bibtex", str(out), "--journal", str(fresh))[0] == 0
    for a, b in zip(Journal(seed_journal).entries(), Journal(fresh).entries(), strict=True):
        _same(a, b)
    # and back into the journal it came from: nothing new
    code, stdout, _ = cli("import", "bibtex", str(out), "--journal", str(seed_journal))
    assert code == 0 and stdout.startswith("imported 0 entries")


def test_an_at_sign_first_on_a_line_survives_export_and_import(tmp_path: Path) -> None:
    """A line of commentary that starts with "@" would start a new entry to a BibTeX parser."""
    import journal
    from journal.cli import main as cli_main
    from journal.formats.latex import decode, encode

    for text in ("0\n@(", "@home", "note\n  @mention done"):
        assert decode(encode(text)) == text
    j = journal.open(tmp_path / "a.parquet")
    j.add(title="At", date="2024-05-01", commentary="first line\n@(not an entry")
    bib = tmp_path / "out.bib"
    assert cli_main(["export", "bibtex", str(bib), "--journal", str(j.path)]) == 0
    imported = journal.open(tmp_path / "b.parquet")
    assert cli_main(["import", "bibtex", str(bib), "--journal", str(imported.path)]) == 0
    assert [e.commentary for e in imported.entries()] == ["first line\n@(not an entry"]
