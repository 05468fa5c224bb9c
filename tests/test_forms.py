"""Form values <-> entries (journal.capture.form_values) and the browsing index (journal.search.browse)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journal
from journal.capture import form_values as forms
from journal.errors import DuplicateEntry, InvalidArxivId, ValidationError
from journal.model import make_entry
from journal.search.browse import EntryIndex, tag_counts


def values(**changes: object) -> dict[str, object]:
    v = forms.blank_values(dt.date(2024, 5, 9))
    v.update(changes)
    return v


# --- the source box ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "url", "arxiv_id", "version"),
    [
        ("", None, None, None),
        ("2405.05254", "https://arxiv.org/abs/2405.05254", "2405.05254", None),
        ("2405.05254v2", "https://arxiv.org/abs/2405.05254", "2405.05254", 2),
        ("arXiv:2405.05254", "https://arxiv.org/abs/2405.05254", "2405.05254", None),
        ("hep-th/9901001", "https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001", None),
        ("arxiv.org/abs/2405.05254v3", "https://arxiv.org/abs/2405.05254", "2405.05254", 3),
        ("https://arxiv.org/pdf/2405.05254v2.pdf", "https://arxiv.org/pdf/2405.05254v2.pdf", "2405.05254", 2),
        ("https://openai.com/index/model-spec/", "https://openai.com/index/model-spec/", None, None),
    ],
)
def test_source_fields(text: str, url: str | None, arxiv_id: str | None, version: int | None) -> None:
    assert forms.source_fields(text) == {"url": url, "arxiv_id": arxiv_id, "arxiv_version": version}


def test_fetched_fields_are_used_for_the_same_paper_only() -> None:
    fetched = {"url": "https://arxiv.org/abs/2405.05254v2", "arxiv_id": "2405.05254", "arxiv_version": 2}
    assert forms.source_fields("2405.05254", fetched) == {
        "url": "https://arxiv.org/abs/2405.05254v2",
        "arxiv_id": "2405.05254",
        "arxiv_version": 2,
    }
    assert forms.source_fields("2401.00001", fetched)["arxiv_version"] is None


@pytest.mark.parametrize(
    ("source", "message"),
    [("hello", "not an arXiv id or URL"), ("example.com/post", "is not a URL"), ("http://", "is not a URL")],
)
def test_bad_sources_are_source_errors(source: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        forms.entry_from_form(values(source=source, title="t"))
    assert forms.form_field(info.value) == "source"


def test_entry_from_form_validates_like_the_cli() -> None:
    with pytest.raises(ValidationError) as info:
        forms.entry_from_form(values(title="   "))
    assert info.value.field == "title" and str(info.value) == "title: must not be empty"
    with pytest.raises(InvalidArxivId):
        forms.entry_from_form(values(title="t", source="9999"))
    entry = forms.entry_from_form(
        values(
            title=" A  title ",
            authors="Ada Lovelace, Alan Turing",
            tags=["#x", "y"],
            commentary="본문\r\n\r\n둘째",
        )
    )
    assert entry == make_entry(
        title="A title",
        authors="Ada Lovelace, Alan Turing",
        tags="x y",
        commentary="본문\n\n둘째",
        date="2024-05-09",
    )


def test_blank() -> None:
    assert forms.is_blank(forms.blank_values())
    assert not forms.is_blank(values(commentary=" 생각 "))
    assert not forms.is_blank(values(tags=["a"]))


entries = st.builds(
    make_entry,
    # the model refuses control characters in titles, and NUL and surrogates (not UTF-8) anywhere
    title=st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40).filter(
        lambda t: t.strip()
    ),
    authors=st.lists(st.text(alphabet="abc XYZ가나", min_size=1, max_size=8).filter(str.strip), max_size=3),
    commentary=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=80),
    abstract=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40),
    tags=st.lists(st.from_regex(r"[a-z가-힣_\-]{1,8}", fullmatch=True), max_size=4),
    date=st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)),
    url=st.sampled_from([None, "https://example.org/x", "https://arxiv.org/abs/2405.05254v2"]),
)


@given(entries)
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_an_entry_shown_in_the_form_has_no_changes(entry: journal.Entry) -> None:
    assert forms.changes_from_form(entry, forms.values_from_entry(entry)) == {}


def test_changes_from_form_names_what_changed() -> None:
    entry = make_entry(title="T", url="https://arxiv.org/abs/2405.05254v2", tags="a", date="2024-05-09")
    v = forms.values_from_entry(entry)
    v.update(commentary="새 생각", tags=["a", "b"], date="2024-05-10")
    assert forms.changes_from_form(entry, v) == {
        "commentary": "새 생각",
        "tags": ["a", "b"],
        "date": "2024-05-10",
    }
    v = forms.values_from_entry(entry)
    v["source"] = ""
    assert forms.changes_from_form(entry, v) == {"url": None, "arxiv_id": None, "arxiv_version": None}


def test_save_form_new_and_edit(journal_path: Path) -> None:
    j = journal.open(journal_path)
    entry, written = forms.save_form(j, values(title="First", commentary="하나"))
    assert written and j.get(entry.id).commentary == "하나"
    with pytest.raises(DuplicateEntry):
        forms.save_form(j, values(title="First"))
    v = forms.values_from_entry(entry)
    assert forms.save_form(j, v, entry_id=entry.id) == (entry, False)
    v["commentary"] = "하나\n\n둘"
    updated, written = forms.save_form(j, v, entry_id=entry.id)
    assert written and updated.id == entry.id and updated.commentary == "하나\n\n둘"
    assert updated.updated_at > entry.updated_at and updated.created_at == entry.created_at


def test_same_paper_on_another_day_is_refused_unless_again(journal_path: Path) -> None:
    j = journal.open(journal_path)
    first, _ = forms.save_form(j, values(title="YOCO", source="2405.05254"))
    with pytest.raises(forms.SamePaper) as info:
        forms.save_form(j, values(title="YOCO again", source="2405.05254", date="2024-06-01"))
    assert info.value.existing.id == first.id and "already in the journal" in str(info.value)
    assert len(j) == 1
    again, _ = forms.save_form(
        j, values(title="YOCO again", source="2405.05254", date="2024-06-01"), again=True
    )
    assert len(j) == 2 and again.arxiv_id == "2405.05254"


# --- the browsing index -----------------------------------------------------------------


def make_journal(path: Path, n: int) -> journal.Journal:
    j = journal.open(path)
    base = dt.date(2024, 1, 1)
    j.add_many(
        make_entry(
            title=f"Paper {i} on {'diffusion' if i % 3 == 0 else 'attention'}",
            commentary=("확산 모델 " if i % 3 == 0 else "주의 집중 ") + f"note {i}",
            authors=[f"Author {i % 7}"],
            tags=["even" if i % 2 == 0 else "odd", *(["five"] if i % 5 == 0 else [])],
            date=base + dt.timedelta(days=i // 4),
        )
        for i in range(n)
    )
    return j


def naive(j: journal.Journal, text: str = "", tag: str | None = None, start=None, end=None) -> list[str]:  # type: ignore[no-untyped-def]
    out = []
    for e in reversed(j.entries()):
        hay = "\n".join(
            [e.title, " ".join(e.authors), e.abstract, e.commentary, " ".join(e.tags), e.id]
        ).lower()
        words = all(t.lower() in hay for t in text.split()) and (not tag or tag in e.tags)
        if words and (start is None or e.date >= start) and (end is None or e.date <= end):
            out.append(e.id)
    return out


def test_index_filters_match_a_naive_scan(journal_path: Path) -> None:
    j = make_journal(journal_path, 120)
    index = EntryIndex(j)
    assert len(index) == 120
    cases = [
        {},
        {"text": "diffusion"},
        {"text": "DIFFUSION note"},
        {"text": "확산"},
        {"text": "author 3"},
        {"tag": "five"},
        {"text": "attention", "tag": "even"},
        {"start": dt.date(2024, 1, 5), "end": dt.date(2024, 1, 10)},
        {"text": "nothing-like-this"},
    ]
    for case in cases:
        got = index.filter(
            case.get("text", ""),
            tag=case.get("tag"),
            start=case.get("start"),
            end=case.get("end"),
            limit=1000,
        )
        assert [r.id for r in got.rows] == naive(j, **case), case
        assert got.total == len(got.rows)


def test_index_newest_first_and_limit(journal_path: Path) -> None:
    j = make_journal(journal_path, 30)
    got = EntryIndex(j).filter(limit=10)
    assert got.total == 30 and len(got.rows) == 10
    assert [r.id for r in got.rows] == [e.id for e in reversed(j.entries())][:10]
    assert got.rows[0].label.startswith(got.rows[0].date.isoformat() + "  Paper 29")


def test_index_rereads_only_when_the_store_changed(journal_path: Path) -> None:
    j = make_journal(journal_path, 5)
    index = EntryIndex(j)
    assert index.sync() is False and index.version == 1
    j.add(title="Added elsewhere", tags="fresh")
    assert index.sync() is True and index.version == 2
    assert index.filter("elsewhere").total == 1
    assert ("fresh", 1) in index.tag_counts


def test_index_of_an_empty_journal(journal_path: Path) -> None:
    index = EntryIndex(journal.open(journal_path))
    assert index.filter("x", tag="y", start="2024-01-01").total == 0
    assert index.tag_counts == []


def test_index_bad_date_is_a_validation_error(journal_path: Path) -> None:
    with pytest.raises(ValidationError, match="from"):
        EntryIndex(make_journal(journal_path, 2)).filter(start="May 5th")


def test_tag_counts_most_used_first(journal_path: Path) -> None:
    j = make_journal(journal_path, 10)
    assert tag_counts(j.to_arrow()) == [("even", 5), ("odd", 5), ("five", 2)]
