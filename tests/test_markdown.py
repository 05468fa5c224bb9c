"""The markdown note vault format (SPEC section 3): import, byte-identical export, safe names."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from journal.formats import FOLDER_FORMATS, exporter, importer, vault_files, vault_names
from journal.formats import markdown as md
from journal.formats.note_layout import Layout, split_source
from journal.model import make_entry
from journal.search.links import build_index
from journal.store import Journal
from journal.text.rules import CONTROL, clean_text

VAULT = Path(__file__).resolve().parent / "data" / "vault"
NOTES = vault_files.walk(str(VAULT))
FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def _by_name(entries, fragment):
    (found,) = [e for e in entries if fragment in e.source]
    return found


def _note_files(folder: Path) -> dict[str, bytes]:
    return {rel: (folder / rel).read_bytes() for rel in vault_files.walk(str(folder))}


def _round_trip(text: bytes | str, rel: str = "2024/240509 A note.md") -> tuple[object, bytes]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    entry = md.note_to_entry(data, rel)
    ((path, out),) = md.plan([entry])
    assert path == rel
    return entry, out


# --- the test vault ------------------------------------------------------------------------


def test_registered_as_folder_format() -> None:
    assert importer("markdown") is md and exporter("markdown") is md
    assert "markdown" in FOLDER_FORMATS


def test_every_note_becomes_an_entry_with_its_relative_path_as_source() -> None:
    entries = md.read(VAULT)
    assert len(NOTES) >= 30 and len(entries) == len(NOTES)
    assert sorted(split_source(e.source)[0] for e in entries) == NOTES
    assert len({e.id for e in entries}) == len(entries)
    # the same paper read three times: three entries
    yoco = [e for e in entries if e.arxiv_id == "2405.05254"]
    assert sorted(e.date.isoformat() for e in yoco) == ["2024-05-09", "2024-05-11", "2024-06-20"]


def test_fields_of_the_variants() -> None:
    entries = md.read(VAULT)
    canonical = _by_name(entries, "240509 You Only Cache Once")
    assert (
        canonical.source
        == "arXiv/2024/240509 You Only Cache Once - Decoder-Decoder Architectures for Language Models.md"
    )
    assert canonical.date == dt.date(2024, 5, 9)
    assert canonical.title == "You Only Cache Once: Decoder-Decoder Architectures for Language Models"
    assert canonical.authors[:2] == ("Yutao Sun", "Li Dong") and len(canonical.authors) == 9
    assert canonical.url == "https://arxiv.org/abs/2405.05254" and canonical.arxiv_id == "2405.05254"
    assert canonical.abstract.startswith("We introduce a decoder-decoder architecture, YOCO")
    assert canonical.commentary.startswith("인코더-디코더가") and canonical.commentary.count("\n\n") == 1
    assert canonical.tags == ("efficiency",)

    plain = _by_name(entries, "230615 Textbooks")
    assert (plain.title, plain.authors[0], plain.tags) == (
        "Textbooks Are All You Need",
        "Suriya Gunasekar",
        ("data", "code"),
    )
    assert (plain.source, plain.layout) == ("arXiv/2023/230615 Textbooks Are All You Need.md", "plain")

    inline = _by_name(entries, "231005 Think")
    assert inline.tags == ("reasoning", "pretraining")
    assert inline.commentary.endswith("포인트네요.") and "#" not in inline.commentary

    several = _by_name(entries, "240212 Scaling Laws")
    assert several.url == "https://arxiv.org/abs/2402.07871"
    assert several.links == (
        "https://github.com/llm-random/llm-random",
        "https://twitter.com/example/status/1757000000000000000",
    )

    links_after_tags = _by_name(entries, "240510 Diffusion")
    assert links_after_tags.tags == ("diffusion", "distillation")
    assert links_after_tags.commentary.endswith(
        "# Links\n"
        "[[240509 Imagine Flash - Accelerating Emu Diffusion Models with Backward Distillation.md]]\n"
        "[[240509 You Only Cache Once - Decoder-Decoder Architectures for Language Models.md]]"
    )

    essay = _by_name(entries, "240520 연구 노트")
    assert essay.title == "연구 노트를 쓰는 이유" and essay.url is None and essay.tags == ()
    assert essay.commentary.startswith("논문을 읽고") and "> 기록하지 않은 생각" in essay.commentary
    assert essay.abstract == ""

    latex = _by_name(entries, "230930 PixArt")
    assert latex.title.startswith("PixArt-$\\alpha$: Fast Training")
    assert "$\\mathcal{L}_{\\text{diff}}$" in latex.commentary

    crlf = _by_name(entries, "240115 $\\mu$P")
    assert "\r" not in crlf.commentary + crlf.abstract and crlf.layout == "crlf"
    assert crlf.source == "arXiv/2024/240115 $\\mu$P 다시 보기.md"  # a path, nothing else

    assert _by_name(entries, "990115 Large N").date == dt.date(1999, 1, 15)  # year folder 1999
    assert _by_name(entries, "2024-07-05 읽을").date == dt.date(2024, 7, 5)
    assert _by_name(entries, "231120 Orca").authors[0] == "Arindam Mitra"  # authors on their own line
    assert _by_name(entries, "240509 Introducing").authors == ("OpenAI",)
    assert _by_name(entries, "240725 A star").title == "A* Search Without Expansions (Revisited)"
    assert _by_name(entries, "240730 C#").tags == ()  # "issue #123" is not a tag
    empty = _by_name(entries, "240706 빈 노트")
    assert (empty.title, empty.commentary) == ("빈 노트", "")


def test_wiki_links_resolve_to_the_notes_they_name() -> None:
    entries = md.read(VAULT)
    index = build_index(entries)
    by_id = {e.id: e for e in entries}
    links = _by_name(entries, "240510 Diffusion")
    targets = {split_source(by_id[i].source)[0].rsplit("/", 1)[1] for i in index.links_of(links.id)}
    assert targets == {
        "240509 Imagine Flash - Accelerating Emu Diffusion Models with Backward Distillation.md",
        "240509 You Only Cache Once - Decoder-Decoder Architectures for Language Models.md",
    }
    essay = _by_name(entries, "240715 이번 달")  # a CRLF note with a layout hint in its source
    assert index.backlinks_of(_by_name(entries, "240701 Mixture").id)
    assert len(index.links_of(essay.id)) == 2


def test_vault_import_then_export_is_byte_identical(cli, journal_path: Path, tmp_path: Path) -> None:
    code, out, err = cli("import", "markdown", str(VAULT), "--journal", str(journal_path))
    assert code == 0, err
    assert f"imported notes from {VAULT}: {len(NOTES)} added, 0 updated, 0 unchanged" in out
    dest = tmp_path / "out"
    code, _, err = cli("export", "markdown", str(dest), "--journal", str(journal_path))
    assert code == 0, err
    original, exported = _note_files(VAULT), _note_files(dest)
    assert sorted(exported) == sorted(original)
    different = [rel for rel in original if original[rel] != exported[rel]]
    assert different == []
    # the hidden .obsidian folder and attachments are not notes: not imported, not written
    assert not (dest / ".obsidian").exists() and not (dest / "attachments").exists()


def test_import_is_idempotent(cli, journal_path: Path) -> None:
    assert cli("import", "markdown", str(VAULT), "--journal", str(journal_path))[0] == 0
    before = {e.id: e for e in Journal(journal_path).entries()}
    code, out, _ = cli("import", "markdown", str(VAULT), "--journal", str(journal_path))
    assert code == 0
    assert f"imported notes from {VAULT}: 0 added, 0 updated, {len(NOTES)} unchanged" in out
    assert {e.id: e for e in Journal(journal_path).entries()} == before


def test_one_file_in_a_year_folder_gets_the_same_id_as_from_its_vault(tmp_path: Path) -> None:
    rel = "arXiv/2024/240202 OLMo.md"
    (one,) = md.read(VAULT / "arXiv" / "2024" / "240202 OLMo.md")
    from_folder = _by_name(md.read(VAULT / "arXiv"), "240202 OLMo")
    assert split_source(one.source)[0] == "2024/240202 OLMo.md" == split_source(from_folder.source)[0]
    assert one.id == from_folder.id
    assert rel in NOTES


# --- editing, then exporting ---------------------------------------------------------------


def test_edited_entries_are_written_in_their_notes_layout(tmp_path: Path) -> None:
    j = Journal(tmp_path / "entries.parquet")
    j.add_many(md.read(VAULT))
    inline = _by_name(j.entries(), "231005 Think")
    j.update(inline.id, tags=["reasoning", "compute"])
    crlf = _by_name(j.entries(), "240115 $\\mu$P")
    j.update(crlf.id, commentary=crlf.commentary + "\n\n추가한 문단.")
    essay = _by_name(j.entries(), "240520 연구 노트")
    j.update(essay.id, title="연구 노트를 쓰는 까닭")
    links = _by_name(j.entries(), "240510 Diffusion")
    j.update(links.id, tags=["diffusion"], date="2024-05-13")
    md.write(j.entries(), tmp_path / "out")
    out = tmp_path / "out"

    text = (
        out / "arXiv/2023/231005 Think before you speak - Training Language Models With Pause Tokens.md"
    ).read_text("utf-8")
    assert text.endswith("효과가 있다는 것이 포인트네요. #reasoning #compute\n")

    data = (out / "arXiv/2024/240115 $\\mu$P 다시 보기.md").read_bytes()
    assert data.endswith("\r\n\r\n추가한 문단.\r\n\r\n#hyperparameter #scaling_law\r\n".encode())
    assert b"\n" not in data.replace(b"\r\n", b"")

    essay_text = (out / "essays/2024/240520 연구 노트를 쓰는 이유.md").read_text("utf-8")
    assert essay_text.startswith("*연구 노트를 쓰는 까닭*\n\n논문을 읽고")  # the new title is not lost

    assert not (out / "arXiv/2024/240510 Diffusion Distillation 정리.md").exists()
    moved = (out / "arXiv/2024/240513 Diffusion Distillation 정리.md").read_text("utf-8")
    assert "Score Distillation을 결합했습니다.\n\n#diffusion\n\n# Links\n" in moved
    (again,) = md.read(out / "arXiv/2024/240513 Diffusion Distillation 정리.md")
    assert again.date == dt.date(2024, 5, 13) and again.tags == ("diffusion",)

    # everything not edited is still byte-identical
    original = _note_files(VAULT)
    exported = _note_files(out)
    edited = {
        "arXiv/2023/231005 Think before you speak - Training Language Models With Pause Tokens.md",
        "arXiv/2024/240115 $\\mu$P 다시 보기.md",
        "essays/2024/240520 연구 노트를 쓰는 이유.md",
        "arXiv/2024/240510 Diffusion Distillation 정리.md",
    }
    assert all(exported[rel] == original[rel] for rel in original if rel not in edited)


def test_an_edited_layout_hint_never_breaks_export(tmp_path: Path) -> None:
    entry = make_entry(
        title="T",
        date="2024-05-09",
        commentary="c",
        source="x/240509 T.md#md:end=9999999999,sep=1u0041,zz,k=x",
    )
    ((path, data),) = md.plan([entry])
    assert path == "x/240509 T.md"
    assert data.startswith(b"*T*\n\nc") and b"A" not in data


# --- round trips, generated --------------------------------------------------------------

_WORDS = [
    "인코더-디코더가",
    "이렇게",
    "다시",
    "등장하는군요.",
    "학습",
    "모델을",
    "Attention",
    "RLHF",
    "$\\alpha$",
    "$\\mathcal{O}(n^2)$",
    "(참고)",
    "https://arxiv.org/abs/2405.05254",
    "[[240509 Other note.md]]",
    "C#",
    "50%",
    "KV",
    "캐시",
    "Diffusion",
    "할루시네이션",
    "😀",
    "—",
    "é",
    "x*y",
]
_TITLE_WORDS = [
    "You",
    "Only",
    "Cache",
    "Once:",
    "PixArt-$\\alpha$",
    "LLM?",
    "A/B",
    "한국어",
    "모델",
    "평가",
    "(Revisited)",
    "1.58",
    "Bits",
]
_AUTHORS = ["Yutao Sun", "Li Dong", "OpenAI", "김철수", "J. E. Gonzalez", "Edgar Schönfeld"]
_TAGS = ["efficiency", "diffusion", "non-autoregressive", "multi_word", "한국어", "llm/eval", "t2i"]
_URLS = [
    "https://arxiv.org/abs/2405.05254",
    "https://github.com/x/y",
    "https://example.com/a?b=c#d",
    "http://localhost:8888/lab",
]


def _words(n_min: int, n_max: int, pool: list[str] = _WORDS):
    return st.lists(st.sampled_from(pool), min_size=n_min, max_size=n_max).map(" ".join)


@st.composite
def variant_notes(draw):
    """A note in one of the layouts real vaults hold, and the fields it must give."""
    gap = lambda: "\n" * draw(st.integers(2, 3))  # noqa: E731
    urls = draw(st.lists(st.sampled_from(_URLS), max_size=3, unique=True))
    style = draw(st.sampled_from(["star", "plain", "none"]))
    if style == "plain" and not urls:
        style = "star"
    title = draw(_words(1, 6, _TITLE_WORDS))
    authors = draw(st.lists(st.sampled_from(_AUTHORS), max_size=4, unique=True))
    if style == "plain" and not authors:
        authors = ["OpenAI"]
    abstract_paras = draw(st.lists(st.lists(_words(2, 8), min_size=1, max_size=2).map("\n".join), max_size=3))
    paras = draw(st.lists(st.lists(_words(2, 10), min_size=1, max_size=3).map("\n".join), max_size=4))
    if style == "none":
        urls, authors, abstract_paras = [], [], []
        paras = paras or ["에세이 첫 문단입니다"]
    tags = draw(st.lists(st.sampled_from(_TAGS), max_size=3, unique=True))
    placement = draw(st.sampled_from(["line", "inline", "tight"])) if tags else "line"
    if placement == "inline" and not paras:
        placement = "line"
    wiki = draw(st.lists(st.sampled_from(["[[240509 YOCO.md]]", "[[240101 첫 노트.md|별칭]]"]), max_size=2))
    links_first = bool(wiki) and bool(tags) and draw(st.booleans())

    blocks: list[tuple[str, str]] = []  # (gap before, text)
    for i, url in enumerate(urls):
        blocks.append(("\n" if i and draw(st.booleans()) else gap(), url))
    if style != "none":
        a = ", ".join(authors)
        if style == "star" and authors and draw(st.booleans()):
            blocks += [(gap(), f"*{title}*"), ("\n", f"({a})")]
        else:
            line = f"*{title}*" if style == "star" else title
            blocks.append((gap(), f"{line} ({a})" if authors else line))
    if abstract_paras:
        quoted = "\n>\n".join("\n".join("> " + line for line in p.split("\n")) for p in abstract_paras)
        blocks.append((gap(), quoted))
    body = ""
    for i, p in enumerate(paras):
        body += (gap() if i else "") + p
    tag_text = " ".join("#" + t for t in tags)
    section = "# Links\n" + "\n".join(wiki) if wiki else ""
    if tags and placement == "inline":
        body += " " + tag_text
        tag_block = None
    else:
        tag_block = tag_text if tags else None
    if body:
        blocks.append((gap(), body))
    if links_first and tag_block:
        blocks.append((gap(), section))
        blocks.append(("\n" if placement == "tight" else gap(), tag_block))
    else:
        if tag_block:
            blocks.append(("\n" if placement == "tight" and body else gap(), tag_block))
        if section:
            blocks.append((gap(), section))
    text = "".join(g + t for g, t in blocks).lstrip("\n") + "\n" * draw(st.integers(0, 2))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    data = text.replace("\n", newline).encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    expected = {
        "title": title if style != "none" else "A note",
        "authors": tuple(authors),
        "url": urls[0] if urls else None,
        "links": tuple(urls[1:]),
        "abstract": "\n\n".join(abstract_paras),
        "tags": tuple(tags),
        "commentary_words": (body.replace(" " + tag_text, "") if placement == "inline" else body).split()
        + section.split(),
    }
    return data, expected


@FAST
@given(variant_notes())
def test_variant_notes_round_trip_byte_for_byte(case) -> None:
    data, expected = case
    entry, out = _round_trip(data)
    assert out == data
    assert entry.title == expected["title"]
    assert entry.authors == expected["authors"]
    assert (entry.url, entry.links) == (expected["url"], expected["links"])
    assert entry.abstract == expected["abstract"]
    assert entry.tags == expected["tags"]
    assert entry.commentary.split() == expected["commentary_words"]


_CONTROLS_BUT_TAB_LF = "".join(chr(c) for c in (*range(9), *range(11, 32), *range(127, 160)))


@FAST
@given(
    st.text(st.characters(blacklist_categories=("Cs", "Zl", "Zp"), blacklist_characters=_CONTROLS_BUT_TAB_LF))
)
def test_any_utf8_note_round_trips_byte_for_byte(text: str) -> None:
    _, out = _round_trip(text)
    assert out == text.encode("utf-8")


@FAST
@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r")))
def test_a_note_with_control_characters_is_read_under_the_rule_for_text(text: str) -> None:
    """The other case that is not byte-identical: a page break becomes a paragraph break,
    other control characters are dropped (journal.text.rules), everything else is kept."""
    _, out = _round_trip(text)
    assert out.decode("utf-8") == clean_text(text)


@FAST
@given(
    st.lists(
        st.sampled_from(["a", "#t", " ", "\n", "\r\n", "\r", "> q", "*T*", "https://x.org"]), max_size=30
    ).map("".join)
)
def test_mixed_line_endings_lose_no_content(text: str) -> None:
    """The one case that is not byte-identical: line endings become uniform."""
    _, out = _round_trip(text)

    def lf(s: str) -> str:
        return s.replace("\r\n", "\n").replace("\r", "\n")

    assert lf(out.decode("utf-8")) == lf(text)


@FAST
@given(
    title=_words(1, 8, _TITLE_WORDS + _WORDS),
    authors=st.lists(st.sampled_from(_AUTHORS), max_size=3, unique=True),
    url=st.none() | st.sampled_from(_URLS),
    abstract=st.lists(_words(1, 8), max_size=3).map("\n\n".join),
    commentary=st.lists(_words(1, 8), max_size=3).map("\n\n".join),
    tags=st.lists(st.sampled_from(_TAGS), max_size=3, unique=True),
    day=st.dates(dt.date(1970, 1, 1), dt.date(2099, 12, 31)),
)
def test_new_entries_export_canonically_and_read_back(
    title, authors, url, abstract, commentary, tags, day
) -> None:
    entry = make_entry(
        title=title, authors=authors, url=url, abstract=abstract, commentary=commentary, tags=tags, date=day
    )
    ((path, data),) = md.plan([entry])
    assert path.startswith(f"{day.year:04d}/{day:%y%m%d} ")
    back = md.note_to_entry(data, path)
    for name in ("date", "title", "authors", "url", "abstract", "commentary", "tags"):
        assert getattr(back, name) == getattr(entry, name), name
    assert split_source(back.source) == (path, "")  # canonical: no layout hint


def test_canonical_form_of_a_new_entry() -> None:
    entry = make_entry(
        title="You Only Cache Once",
        date="2024-05-09",
        authors="Yutao Sun, Li Dong",
        url="https://arxiv.org/abs/2405.05254",
        links=["https://github.com/microsoft/unilm"],
        abstract="First.\n\nSecond.",
        commentary="좋네요.\n\n둘째.",
        tags="efficiency llm",
    )
    ((path, data),) = md.plan([entry])
    assert path == "2024/240509 You Only Cache Once.md"
    assert data.decode("utf-8") == (
        "https://arxiv.org/abs/2405.05254\nhttps://github.com/microsoft/unilm\n\n"
        "*You Only Cache Once* (Yutao Sun, Li Dong)\n\n> First.\n>\n> Second.\n\n"
        "좋네요.\n\n둘째.\n\n#efficiency #llm\n"
    )


# --- safe file names -----------------------------------------------------------------------

_NASTY = [
    "a/b",
    "../../etc/passwd",
    "C:\\Windows",
    "CON",
    "nul.txt",
    "LPT1",
    "COM9",
    "what?",
    'say "hi"',
    "<tag>",
    "a|b",
    "star*",
    "trailing.",
    "trailing ",
    "...",
    " ",
    "\t\n",
    "PixArt-$\\alpha$: Fast",
    "한국어 제목: 부제?",
    "x" * 400,
    "가" * 300,
    "#hash ^caret [bracket]",
    "e\u0301",
    "\u202eevil",
    ".hidden",
    "a:b:c",
]


def _valid_name(name: str) -> bool:
    stem = name[:-3]
    return (
        name.endswith(".md")
        and not any(c in name for c in '<>:"/\\|?*\x00')
        and not any(ord(c) < 32 for c in name)
        and not name.endswith((".", " "))
        and not name.startswith((".", " "))
        and len(name.encode("utf-8")) <= 255
        and stem.split(".")[0].strip().upper() not in vault_names._WINDOWS_RESERVED
    )


@FAST
@given(st.one_of(st.sampled_from(_NASTY), st.text(min_size=1, max_size=300)))
def test_new_note_names_are_valid_everywhere(title: str) -> None:
    assume(title.strip())
    assume(not CONTROL.search(" ".join(title.split())))  # the model refuses these
    entry = make_entry(title=title, date="2024-05-09")
    path = vault_names.new_note_path(entry)
    folder, name = path.split("/")
    assert folder == "2024" and name.startswith("240509 ")
    assert _valid_name(name), name
    assert vault_names.is_safe_relative(path)


def test_nasty_titles_are_written_inside_the_folder(tmp_path: Path) -> None:
    entries = [make_entry(title=t, date="2024-05-09") for t in _NASTY if t.strip()]
    dest = tmp_path / "vault"
    assert md.write(entries, dest) == len(entries)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) == len(entries)
    assert all(dest in p.parents and _valid_name(p.name) for p in written)
    # read back (a NUL character marks a file as binary, so that title is left out)
    for path in dest.rglob("*.md"):
        if b"\x00" in path.read_bytes():
            path.unlink()
    back = md.read(dest)
    assert sorted(e.title for e in back) == sorted(e.title for e in entries if "\x00" not in e.title)


def test_same_file_name_never_overwrites(tmp_path: Path) -> None:
    a = make_entry(title="What?", date="2024-05-09", commentary="첫째")
    b = make_entry(title="What", date="2024-05-09", commentary="둘째", url="https://x.org")
    c = make_entry(title="WHAT", date="2024-05-09", commentary="셋째")  # differs only in case
    imported = make_entry(title="Z", date="2024-05-09", commentary="note", source="2024/240509 What.md")
    same_source = make_entry(title="Z2", date="2024-05-09", commentary="copy", source="2024/240509 What.md")
    assert md.write([a, b, c, imported, same_source], tmp_path / "v") == 5
    files = sorted(p.relative_to(tmp_path / "v").as_posix() for p in (tmp_path / "v").rglob("*.md"))
    assert files == [
        "2024/240509 WHAT (5).md",
        "2024/240509 What (2).md",
        "2024/240509 What (3).md",
        "2024/240509 What (4).md",
        "2024/240509 What.md",
    ]
    assert (tmp_path / "v/2024/240509 What.md").read_text(
        "utf-8"
    ) == "*Z*\n\nnote\n"  # the imported note keeps its path
    texts = {p.read_text("utf-8") for p in (tmp_path / "v").rglob("*.md")}
    assert len(texts) == 5


@pytest.mark.parametrize(
    "source",
    [
        "../evil.md",
        "../../evil.md",
        "/tmp/evil.md",
        "a/../../evil.md",
        "..\\evil.md",
        "C:\\evil.md",
        "C:evil.md",
        "./x/../../evil.md",
        "",
    ],
)
def test_sources_cannot_escape_the_folder(tmp_path: Path, source: str) -> None:
    entry = make_entry(title="Escape", date="2024-05-09", commentary="x", source=source or None)
    dest = tmp_path / "a" / "b"
    md.write([entry], dest)
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()] == [
        "a/b/2024/240509 Escape.md"
    ]


def test_a_link_inside_the_folder_cannot_lead_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "vault"
    dest.mkdir()
    (dest / "2024").symlink_to(outside)
    entry = make_entry(title="T", date="2024-05-09", commentary="x")
    with pytest.raises(md.ExportFailed, match="outside"):
        md.write([entry], dest)
    assert list(outside.iterdir()) == []


def test_export_to_a_file_or_stdout_is_refused(cli, seed_journal: Path, tmp_path: Path) -> None:
    target = tmp_path / "file.md"
    target.write_text("keep")
    code, _, err = cli("export", "markdown", str(target), "--journal", str(seed_journal))
    assert code == 1 and "is a file; give a folder" in err and target.read_text() == "keep"
    code, out, err = cli("export", "markdown", "-", "--journal", str(seed_journal))
    assert code == 1 and "give a folder" in err and out == ""


def test_export_of_the_seed_journal(cli, seed_journal: Path, tmp_path: Path) -> None:
    code, _, err = cli("export", "markdown", str(tmp_path / "v"), "--journal", str(seed_journal))
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "v" / "2024").iterdir())
    assert "240509 What's up with Llama 3 Arena data analysis.md" in names
    assert len(names) == len(Journal(seed_journal).entries())


# --- bad input -----------------------------------------------------------------------------


def _bad_vault(tmp_path: Path, name: str, data: bytes) -> Path:
    vault = tmp_path / "vault"
    shutil.copytree(VAULT / "arXiv" / "2024", vault / "2024")
    (vault / "2024" / name).write_bytes(data)
    return vault


def _assert_refused(cli, journal_path: Path, source: Path, *expected: str, strict: bool = False) -> str:
    before = journal_path.read_bytes() if journal_path.exists() else None
    flags = ["--strict"] if strict else []
    code, out, err = cli("import", "markdown", str(source), "--journal", str(journal_path), *flags)
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for text in expected:
        assert text in lines[0], lines[0]
    assert "nothing was imported" in lines[0]
    after = journal_path.read_bytes() if journal_path.exists() else None
    assert after == before
    return lines[0]


@pytest.fixture
def filled_journal(journal_path: Path) -> Path:
    Journal(journal_path).add(title="Already here", date="2024-01-01")
    return journal_path


def test_strict_refuses_a_korean_note_in_cp949(cli, filled_journal: Path, tmp_path: Path) -> None:
    data = "https://x.org/a\n\n*제목*\n\n한국어 코멘트입니다.\n".encode("cp949")
    vault = _bad_vault(tmp_path, "240509 인코딩.md", data)
    line = _assert_refused(cli, filled_journal, vault, "240509 인코딩.md:", "not UTF-8", "CP949", strict=True)
    assert str(vault / "2024" / "240509 인코딩.md") in line and "line 3" in line


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("240509 binary.md", b"PNG\x00\x01", "binary"),
        ("240509 latin1.md", "café\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_strict_refuses_bad_notes(
    cli, filled_journal: Path, tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    vault = _bad_vault(tmp_path, name, data)
    _assert_refused(cli, filled_journal, vault, name, expected, strict=True)


def test_strict_refuses_an_unreadable_note(cli, filled_journal: Path, tmp_path: Path) -> None:
    vault = _bad_vault(tmp_path, "240509 ok.md", b"*T*\n")
    os.symlink(tmp_path / "missing.md", vault / "2024" / "240510 gone.md")
    _assert_refused(cli, filled_journal, vault, "240510 gone.md", "cannot be read", strict=True)


def test_refuses_missing_empty_and_wrong_sources(cli, filled_journal: Path, tmp_path: Path) -> None:
    _assert_refused(cli, filled_journal, tmp_path / "nope", "nope", "no such file or folder")
    empty = tmp_path / "empty"
    (empty / ".obsidian").mkdir(parents=True)
    (empty / "notes.txt").write_text("not a note")
    _assert_refused(cli, filled_journal, empty, "holds no markdown notes")
    _assert_refused(cli, filled_journal, empty / "notes.txt", "is not a markdown note")


def test_a_new_journal_is_not_created_by_a_failed_import(cli, journal_path: Path, tmp_path: Path) -> None:
    _assert_refused(cli, journal_path, tmp_path / "nope", "no such file or folder")
    assert not journal_path.exists()


def test_progress_bar_only_for_many_notes_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    few = ["a"] * 3
    assert vault_files.progress(few, "x") is few
    many = ["a"] * vault_files.PROGRESS_MIN
    monkeypatch.setattr("sys.stderr.isatty", lambda: False, raising=False)
    assert vault_files.progress(many, "x") is many


def test_layout_hint_round_trip() -> None:
    lay = Layout(
        newline="\r\n",
        bom=True,
        title="plain",
        authors_own_line=True,
        empty_parens=True,
        quote=">",
        quote_blank="> ",
        inline_tags=True,
        tags_before=2,
        gaps={"lead": "\n ", "link2": "\n\n", "end": "", "sep": "\u3000"},
    )
    hint = lay.to_hint()
    assert hint == "crlf,bom,plain,aown,aempty,qtight,qspace,inline,k=2,lead=1n1s,link2=2,sep=1u3000,end=0"
    assert Layout.from_hint(hint) == lay
    assert Layout().to_hint() == ""


def test_the_layout_travels_with_the_entry_through_jsonl(cli, tmp_path: Path) -> None:
    first, second = tmp_path / "a.parquet", tmp_path / "b.parquet"
    assert cli("import", "markdown", str(VAULT), "--journal", str(first))[0] == 0
    assert cli("export", "jsonl", str(tmp_path / "all.jsonl"), "--journal", str(first))[0] == 0
    assert cli("import", "jsonl", str(tmp_path / "all.jsonl"), "--journal", str(second))[0] == 0
    assert cli("export", "markdown", str(tmp_path / "out"), "--journal", str(second))[0] == 0
    assert _note_files(tmp_path / "out") == _note_files(VAULT)


def test_a_note_path_without_a_date_goes_back_where_it_came_from() -> None:
    entry = make_entry(title="T", date="2024-05-09", commentary="c", source="notes/reading list.md")
    ((path, _),) = md.plan([entry])
    assert path == "notes/reading list.md"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_vault_notes_round_trip_with_any_single_line_break_style(newline: str) -> None:
    for rel in NOTES:
        text = (VAULT / rel).read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
        data = text.replace("\n", newline).encode("utf-8")
        entry = md.note_to_entry(data, rel)
        assert md.plan([entry])[0][1] == data, rel


def test_no_vault_note_needs_the_last_resort_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str) -> None:
        raise AssertionError(f"fell back to verbatim for {text[:40]!r}")

    from journal.formats import markdown_note

    monkeypatch.setattr(markdown_note, "verbatim_layout", refuse)
    assert len(md.read(VAULT)) == len(NOTES)
