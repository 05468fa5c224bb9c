"""The digest format (SPEC section 2): the seed round-trips byte for byte."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import SEED_DIGEST
from hypothesis import given, settings
from hypothesis import strategies as st

from journal.errors import JournalError
from journal.formats import digest
from journal.model import make_entry

SEED = SEED_DIGEST.read_text(encoding="utf-8")


def test_render_of_parsed_seed_is_byte_identical() -> None:
    day, items = digest.parse(SEED)
    assert digest.render_parsed(day, items) == SEED
    assert not SEED.endswith("\n")


def test_seed_entries_have_the_right_fields() -> None:
    day, items = digest.parse(SEED)
    assert day == dt.date(2024, 5, 9)
    assert [i.title for i in items] == [
        "What's up with Llama 3? Arena data analysis",
        "Introducing the Model Spec",
        "You Only Cache Once: Decoder-Decoder Architectures for Language Models",
        "Imagine Flash: Accelerating Emu Diffusion Models with Backward Distillation",
        "THRONE: An Object-based Hallucination Benchmark for the Free-form Generations of Large Vision-Language Models",
    ]
    llama, spec, yoco, flash, throne = items
    # no URL, no abstract, no tags; five commentary paragraphs
    assert llama.urls == [] and llama.abstract == "" and llama.tags == []
    assert llama.authors[0] == "Lisa Dunlap" and len(llama.authors) == 6
    assert len(llama.commentary) == 5 and llama.commentary[0].startswith("LMSYS에서")
    # an organisation as author, a URL, no abstract
    assert spec.authors == ["OpenAI"]
    assert spec.urls == ["https://cdn.openai.com/spec/model-spec-2024-05-08.html"]
    assert spec.abstract == "" and spec.commentary[0].startswith("OpenAI가")
    # English abstract, Korean commentary, tags
    assert yoco.abstract.startswith("We introduce a decoder-decoder architecture, YOCO")
    assert yoco.abstract.endswith("Code is available at https://aka.ms/YOCO.")
    assert len(yoco.commentary) == 2 and yoco.tags == ["efficiency"]
    assert flash.tags == ["efficiency", "diffusion", "distillation"]
    assert flash.commentary[0].startswith("Emu (https://arxiv.org/abs/2309.15807)")
    assert throne.tags == ["benchmark", "hallucination"] and throne.abstract.startswith(
        "Mitigating hallucinations"
    )


def test_english_date_line() -> None:
    day, items = digest.parse(SEED)
    en = digest.render_parsed(day, items, "en")
    assert en.split("\n", 1)[0] == "May 9, 2024"
    assert digest.parse(en)[0] == day


def test_several_days_in_one_file() -> None:
    entries = digest.to_entries(SEED)
    other = make_entry(title="Another day", date="2024-05-10", commentary="짧은 메모")
    text = digest.render([*entries, other])
    days = digest.parse_days(text)
    assert [d for d, _ in days] == [dt.date(2024, 5, 9), dt.date(2024, 5, 10)]
    assert days[1][1][0].title == "Another day"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "2024년 5월 9일\nTitle only",
        "2024년 13월 9일\nT\n()",
        "2024년 5월 9일\nT\n()\n\nstray",
        "\x00\x01",
    ],
)
def test_bad_digests_give_the_projects_error(text: str) -> None:
    with pytest.raises(JournalError):
        digest.to_entries(text) if text else digest.parse(text)


@given(st.text())
@settings(max_examples=300)
def test_parser_raises_only_its_own_error(text: str) -> None:
    try:
        digest.to_entries(text)
    except JournalError:
        pass


# --- entries -> digest -> entries for digest-safe text ---------------------------------

_word = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=0x24F),
    min_size=1,
    max_size=8,
)
_hangul = st.text(alphabet=st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), min_size=1, max_size=6)
_latin_sentence = st.lists(_word, min_size=1, max_size=8).map(" ".join)
_korean_paragraph = (
    st.lists(st.one_of(_hangul, _word), min_size=1, max_size=8).map(" ".join).map(lambda s: "한 " + s)
)
_tag = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-0123456789", min_size=1, max_size=10)
_author = st.lists(_word, min_size=1, max_size=3).map(" ".join)


@st.composite
def digest_safe_entries(draw: st.DrawFn) -> list:
    day = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)))
    out = []
    for _ in range(draw(st.integers(1, 4))):
        out.append(
            make_entry(
                title=draw(_latin_sentence),
                date=day,
                authors=draw(st.lists(_author, max_size=4)),
                url=draw(st.one_of(st.none(), _word.map(lambda w: f"https://example.org/{w}"))),
                abstract=draw(st.one_of(st.just(""), _latin_sentence)),
                commentary="\n\n".join(draw(st.lists(_korean_paragraph, min_size=1, max_size=3))),
                tags=draw(st.lists(_tag, max_size=3, unique=True)),
            )
        )
    return out


@given(digest_safe_entries())
@settings(max_examples=150, deadline=None)
def test_entries_digest_entries_round_trip(entries: list) -> None:
    text = digest.render(entries)
    back = digest.to_entries(text)
    fields = ("date", "title", "authors", "url", "links", "abstract", "commentary", "tags")
    assert [[getattr(e, f) for f in fields] for e in back] == [
        [getattr(e, f) for f in fields] for e in entries
    ]
    assert digest.render(back) == text
