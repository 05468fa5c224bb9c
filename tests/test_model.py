"""The entry model: validation, normalisation, ids (no I/O)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journal.errors import InvalidArxivId, ValidationError
from journal.model import (
    make_entry,
    make_id,
    normalise_authors,
    normalise_tags,
    parse_arxiv,
    parse_date,
    update_entry,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2405.05254", ("2405.05254", None)),
        ("2405.05254v2", ("2405.05254", 2)),
        ("arXiv:2405.05254v3", ("2405.05254", 3)),
        ("https://arxiv.org/abs/2405.05254", ("2405.05254", None)),
        ("https://arxiv.org/abs/2405.05254v2", ("2405.05254", 2)),
        ("http://arxiv.org/pdf/2405.05254v2.pdf", ("2405.05254", 2)),
        ("https://arxiv.org/pdf/2405.05254", ("2405.05254", None)),
        ("https://export.arxiv.org/abs/2405.05254", ("2405.05254", None)),
        ("https://www.arxiv.org/html/2405.05254v1", ("2405.05254", 1)),
        ("arxiv.org/abs/2405.05254/", ("2405.05254", None)),
        ("hep-th/9901001", ("hep-th/9901001", None)),
        ("hep-th/9901001v1", ("hep-th/9901001", 1)),
        ("https://arxiv.org/abs/hep-th/9901001v2", ("hep-th/9901001", 2)),
        ("math.GT/0309136", ("math.GT/0309136", None)),
        ("0704.0001", ("0704.0001", None)),
    ],
)
def test_arxiv_ids_from_every_form(text: str, expected: tuple[str, int | None]) -> None:
    assert parse_arxiv(text) == expected


@pytest.mark.parametrize(
    "text", ["", "2405", "24050.5254", "https://example.org/abs/2405.05254", "hep-th/99", "abc"]
)
def test_malformed_arxiv_ids_are_refused(text: str) -> None:
    with pytest.raises(InvalidArxivId):
        parse_arxiv(text)


def test_arxiv_url_fills_id_and_version() -> None:
    e = make_entry(title="YOCO", url="https://arxiv.org/abs/2405.05254v2", date="2024-05-09")
    assert (e.arxiv_id, e.arxiv_version) == ("2405.05254", 2)


def test_tags_lose_hash_and_keep_order() -> None:
    assert normalise_tags("#efficiency #diffusion, distillation #efficiency") == (
        "efficiency",
        "diffusion",
        "distillation",
    )
    assert normalise_tags(["#multi_word", "non-autoregressive"]) == ("multi_word", "non-autoregressive")
    with pytest.raises(ValidationError):
        normalise_tags(["two words"])


def test_authors_from_text_and_lists() -> None:
    assert normalise_authors("Yutao Sun, Li Dong") == ("Yutao Sun", "Li Dong")
    assert normalise_authors(["OpenAI"]) == ("OpenAI",)
    assert normalise_authors("") == ()


@pytest.mark.parametrize("title", ["", "   ", "\n\t"])
def test_blank_title_is_refused(title: str) -> None:
    with pytest.raises(ValidationError, match="title"):
        make_entry(title=title)


@pytest.mark.parametrize("date", ["2024-02-30", "2024-13-01", "yesterdayish", "9/5/2024", "20241301"])
def test_impossible_dates_are_refused(date: str) -> None:
    with pytest.raises(ValidationError, match="date"):
        make_entry(title="x", date=date)


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "example.org",
        "ftp://example.org/x",
        "http://",
        "https://exa mple.org",
        "javascript:alert(1)",
    ],
)
def test_urls_that_are_not_urls_are_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="url"):
        make_entry(title="x", url=url)


def test_dates() -> None:
    assert parse_date("2024-05-09") == dt.date(2024, 5, 9)
    assert parse_date("20240509") == dt.date(2024, 5, 9)
    assert parse_date("today") == dt.date.today()
    assert make_entry(title="x").date == dt.date.today()


def test_ids_are_deterministic_and_follow_spec_priority() -> None:
    day = dt.date(2024, 5, 9)
    a = make_entry(title="A", arxiv_id="2405.05254", url="https://x.org", date=day)
    b = make_entry(title="B (other title)", arxiv_id="2405.05254v2", date=day)
    assert a.id == b.id == make_id(day, arxiv_id="2405.05254")
    assert make_entry(title="A", url="https://x.org", date=day).id == make_id(day, url="https://x.org")
    assert make_entry(title="Same  Title", date=day).id == make_entry(title="same title", date=day).id
    assert make_entry(title="A", date=day).id != make_entry(title="A", date=day + dt.timedelta(days=1)).id
    assert make_entry(title="A", date=day, source_key="2024/240509 A.md").id == make_id(
        day, source_key="2024/240509 A.md"
    )


def test_update_validates_and_keeps_id() -> None:
    e = make_entry(title="A", date="2024-05-09")
    e2 = update_entry(e, title="B", tags="x y")
    assert e2.id == e.id and e2.title == "B" and e2.tags == ("x", "y")
    with pytest.raises(ValidationError):
        update_entry(e, title=" ")
    with pytest.raises(ValidationError, match="editable"):
        update_entry(e, id="zzz")


@given(st.text())
def test_parse_arxiv_raises_only_its_own_error(text: str) -> None:
    try:
        parse_arxiv(text)
    except InvalidArxivId:
        pass


def test_control_characters_are_refused_in_titles_and_dropped_from_commentary() -> None:
    with pytest.raises(ValidationError, match="title"):
        make_entry(title="a\x1bb")
    assert make_entry(title="x", commentary="a\x00b").commentary == "ab"  # a paste never fails
    assert make_entry(title="x", commentary="tab\there").commentary == "tab\there"


def test_a_broken_url_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="url"):
        make_entry(title="x", url="https://y.com[")


@pytest.mark.parametrize(
    "fields",
    [
        {"url": 5},
        {"links": [5]},
        {"arxiv_id": 5},
        {"source": 5},
        {"source": "a\x00b"},
        {"arxiv_version": 2**31},
        {"url": "https://arxiv.org/abs/2405.05254v99999999999"},
    ],
)
def test_values_of_the_wrong_type_or_size_are_validation_errors(fields: dict[str, object]) -> None:
    # JSONL lines carry any JSON type; each must be refused as bad input, not crash later
    with pytest.raises(ValidationError):
        make_entry(title="t", date="2024-05-09", **fields)  # type: ignore[arg-type]


def test_links_given_as_one_string_are_split_on_white_space() -> None:
    e = make_entry(title="t", date="2024-05-09", links="https://a.org/x https://b.org/y")  # type: ignore[arg-type]
    assert e.links == ("https://a.org/x", "https://b.org/y")


@pytest.mark.parametrize("field", ["title", "commentary", "abstract", "tags", "authors", "url"])
def test_text_that_was_not_utf8_is_refused(field: str) -> None:
    # Python hands undecodable argv/stdin bytes over as lone surrogates, which no file can hold
    value = "https://example.com/\udcff" if field == "url" else "bad \udcff bytes"
    fields: dict[str, object] = {"title": "t", field: value}
    with pytest.raises(ValidationError, match=field):
        make_entry(date="2024-05-09", **fields)  # type: ignore[arg-type]
