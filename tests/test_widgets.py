"""Every widget of the capture form and the browser, driven in-process (``.value``,
``.click()``), checked against the store and the draft files."""

from __future__ import annotations

import datetime as dt
import html
import threading
from pathlib import Path
from typing import Any

import pytest

import journal
from journal.capture.drafts import DraftStore, edit_key
from journal.errors import JournalError, ValidationError
from journal.widgets import CaptureForm, JournalApp, JournalBrowser, journal_app

KOREAN = "디코더-디코더 구조가 흥미롭다.\n\n두 번째 문단에는 https://arxiv.org/abs/2405.05254 링크."
YOCO = {
    "title": "You Only Cache Once: Decoder-Decoder Architectures for Language Models",
    "authors": ["Yutao Sun", "Li Dong"],
    "abstract": "We introduce YOCO, a decoder-decoder architecture.",
    "url": "https://arxiv.org/abs/2405.05254v2",
    "arxiv_id": "2405.05254",
    "arxiv_version": 2,
}


class FakeFetch:
    """Stands in for journal.capture.paper.fetch_fields (no network in tests)."""

    def __init__(self, result: dict[str, Any] | Exception) -> None:
        self.result = result
        self.calls: list[tuple[str, Any]] = []

    def __call__(self, id_or_url: str, journal_path: Any) -> dict[str, Any]:
        self.calls.append((id_or_url, journal_path))
        if isinstance(self.result, Exception):
            raise self.result
        return dict(self.result)


def make_form(path: Path, **options: Any) -> CaptureForm:
    options.setdefault("draft_delay", 3600)  # tests write drafts with flush_draft()
    options.setdefault("fetch", FakeFetch(YOCO))
    return CaptureForm(journal.open(path), **options)


def shown(box: Any) -> bool:
    return box.layout.display != "none"


def drafts(path: Path) -> list[dict[str, Any]]:
    return [d.values for d in DraftStore(path).drafts()]


def change_files(path: Path) -> list[Path]:
    folder = path.with_name(path.name + ".d") / "changes"
    return sorted(folder.glob("*.jsonl")) if folder.exists() else []


# --- the form ---------------------------------------------------------------------------------


def test_form_starts_blank_with_today_and_the_journals_tags(seed_journal: Path) -> None:
    form = make_form(seed_journal)
    assert form.date.value == dt.date.today()
    assert all(
        getattr(form, name).value == "" for name in ("source", "title", "authors", "abstract", "commentary")
    )
    assert form.tags.value == []
    assert form.tag_picker.options[0] == "efficiency"  # the most used tag first
    assert {"benchmark", "hallucination", "distillation"} <= set(form.tag_picker.options)
    assert form.tags.allowed_tags == []  # new tags are always possible
    assert "New entry" in form.mode.value and not shown(form.new_button)


def test_save_a_new_entry(journal_path: Path) -> None:
    form = make_form(journal_path)
    form.title.value = "Titles may hold $\\alpha$ / : ?"
    form.authors.value = "Ada Lovelace, Alan Turing"
    form.source.value = "https://example.org/post"
    form.abstract.value = "Abstract."
    form.commentary.value = KOREAN
    form.tags.value = ["#diffusion", "long_context"]
    assert form.tags.value == ["diffusion", "long_context"]  # '#' dropped as typed
    form.date.value = dt.date(2024, 5, 9)
    form.save_button.click()

    (entry,) = journal.open(journal_path).entries()
    assert entry.title == "Titles may hold $\\alpha$ / : ?"
    assert entry.authors == ("Ada Lovelace", "Alan Turing")
    assert entry.url == "https://example.org/post"
    assert entry.commentary == KOREAN and entry.tags == ("diffusion", "long_context")
    assert entry.date == dt.date(2024, 5, 9)
    assert f"Saved <code>{entry.id}</code>" in form.status.value
    # the form is ready for the next paper, and nothing is left as a draft
    assert form.title.value == form.commentary.value == "" and form.tags.value == []
    assert drafts(journal_path) == []


@pytest.mark.parametrize(
    ("field", "value", "where", "message"),
    [
        ("title", "   ", "title", "title: must not be empty"),
        ("source", "not a url", "source", "is not an arXiv id or URL"),
        ("source", "ftp://example.org/x", "source", "is not a URL"),
        ("source", "example.org/x", "source", "is not a URL"),
    ],
)
def test_validation_errors_show_next_to_the_field_and_write_nothing(
    journal_path: Path, field: str, value: str, where: str, message: str
) -> None:
    form = make_form(journal_path)
    form.title.value = "A title"
    form.commentary.value = KOREAN
    getattr(form, field).value = value
    assert form.save() is None
    assert message in form.errors[where].value and shown(form.errors[where])
    assert all(not shown(box) for name, box in form.errors.items() if name != where)
    assert not journal_path.exists() and change_files(journal_path) == []
    # the words are still in the form and on disk
    assert form.commentary.value == KOREAN
    assert drafts(journal_path)[0]["commentary"] == KOREAN
    # fixing it clears the message on the next save
    getattr(form, field).value = "Fixed title" if field == "title" else ""
    assert form.save() is not None and not shown(form.errors[where])


def test_validation_is_the_same_as_the_cli(journal_path: Path, cli: Any) -> None:
    form = make_form(journal_path)
    form.title.value = "t"
    form.source.value = "example.org/x"
    form.save()
    code, _, err = cli("add", "--title", "t", "--url", "example.org/x", "--journal", str(journal_path))
    message = "url: 'example.org/x' is not a URL (expected http:// or https:// and a host)"
    assert code != 0 and message in err
    assert message in html.unescape(form.errors["source"].value)


def test_unreadable_journal_still_opens_and_keeps_words(journal_path: Path) -> None:
    journal_path.write_bytes(b"not parquet at all")
    app = journal_app(journal_path, fetch=FakeFetch(YOCO), draft_delay=3600)
    assert "cannot be read" in app.form.errors["form"].value
    assert "cannot be read" in app.browser.message.value and app.browser.list.options == ()
    app.form.title.value = "Typed anyway"
    app.form.commentary.value = KOREAN
    assert app.form.save() is None
    assert "Not saved" in app.form.errors["form"].value
    assert drafts(journal_path)[0]["commentary"] == KOREAN


def test_paper_already_in_the_journal_offers_to_open_it(journal_path: Path) -> None:
    form = make_form(journal_path)
    form.source.value = "2405.05254"
    form.title.value = "YOCO"
    form.date.value = dt.date(2024, 5, 9)
    first = form.save()
    assert first is not None

    form.source.value = "https://arxiv.org/abs/2405.05254"
    form.title.value = "YOCO, read twice on one day"
    form.commentary.value = "이미 있는 논문"
    form.date.value = dt.date(2024, 5, 9)
    assert form.save() is None
    assert "already in the journal" in form.errors["source"].value and first.id in form.errors["source"].value
    assert shown(form.open_button) and shown(form.again_button)  # open it, or save a second reading
    assert len(journal.open(journal_path)) == 1

    form.open_button.click()
    assert form.entry_id == first.id and form.title.value == "YOCO"
    assert "kept as a draft" in form.status.value
    form.new_button.click()  # back to the unsaved new entry, words intact
    assert form.entry_id is None and form.commentary.value == "이미 있는 논문"


def test_same_paper_same_day_saved_anyway_gets_its_own_id(journal_path: Path) -> None:
    form = make_form(journal_path)
    form.source.value, form.title.value, form.date.value = "2405.05254", "YOCO", dt.date(2024, 5, 9)
    first = form.save()
    form.source.value, form.title.value, form.date.value = "2405.05254", "YOCO again", dt.date(2024, 5, 9)
    form.commentary.value = "두 번째 읽기"
    assert form.save() is None
    form.again_button.click()
    entries = journal.open(journal_path).entries()
    assert first is not None and len(entries) == 2 and entries[1].id != first.id
    assert entries[1].commentary == "두 번째 읽기"


def test_same_paper_another_day_can_be_saved_anyway(journal_path: Path) -> None:
    form = make_form(journal_path)
    form.source.value, form.title.value = "2405.05254", "YOCO"
    first = form.save()
    assert first is not None
    form.source.value, form.title.value = "2405.05254", "YOCO again"
    form.date.value = dt.date.today() + dt.timedelta(days=1)
    assert form.save() is None
    assert shown(form.open_button) and shown(form.again_button)
    form.again_button.click()
    assert len(journal.open(journal_path)) == 2 and "Saved" in form.status.value


def test_fetch_fills_title_authors_abstract_and_keeps_commentary(journal_path: Path) -> None:
    fetch = FakeFetch(YOCO)
    form = make_form(journal_path, fetch=fetch)
    form.commentary.value = KOREAN
    form.tags.value = ["efficiency"]
    form.source.value = "2405.05254v2"
    form.fetch_button.click()
    assert fetch.calls == [("2405.05254v2", journal_path)]
    assert form.title.value == YOCO["title"] and form.authors.value == "Yutao Sun, Li Dong"
    assert form.abstract.value == YOCO["abstract"] and form.source.value == YOCO["url"]
    assert form.commentary.value == KOREAN and form.tags.value == ["efficiency"]
    assert "Fetched 2405.05254v2" in form.status.value
    form.title.value = "YOCO (edited after fetch)"
    entry = form.save()
    assert entry is not None
    assert (entry.arxiv_id, entry.arxiv_version, entry.url) == ("2405.05254", 2, YOCO["url"])
    assert entry.title == "YOCO (edited after fetch)" and entry.commentary == KOREAN


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (JournalError("arXiv cannot be reached (offline?); type the fields"), "arXiv cannot be reached"),
        (ImportError("no module journal.capture.paper"), "not available in this installation"),
        (RuntimeError("boom"), "Fetch failed: boom"),
    ],
)
def test_fetch_errors_show_next_to_the_source_and_change_nothing(
    journal_path: Path, result: Exception, message: str
) -> None:
    form = make_form(journal_path, fetch=FakeFetch(result))
    form.source.value = "2405.05254"
    form.title.value = "Typed by hand"
    form.fetch_button.click()
    assert message in form.errors["source"].value and shown(form.errors["source"])
    assert form.title.value == "Typed by hand" and form.source.value == "2405.05254"


def test_fetch_needs_a_source(journal_path: Path) -> None:
    fetch = FakeFetch(YOCO)
    form = make_form(journal_path, fetch=fetch)
    form.fetch_button.click()
    assert fetch.calls == [] and "Type an arXiv id or URL" in form.errors["source"].value


def test_tag_picker_autocompletes_existing_tags_and_accepts_new_ones(seed_journal: Path) -> None:
    form = make_form(seed_journal)
    form.tag_picker.value = "efficiency"
    form.tag_picker.value = "#brand-new, 한국어"
    form.tag_picker.value = "efficiency"  # no duplicates
    assert form.tags.value == ["efficiency", "brand-new", "한국어"]
    assert form.tag_picker.value == ""
    form.tags.value = [*form.tags.value, "typed directly"]
    assert form.tags.value == ["efficiency", "brand-new", "한국어", "typed", "directly"]
    form.title.value = "Tagged"
    entry = form.save()
    assert entry is not None and "brand-new" in form.tag_picker.options


def test_draft_is_written_as_you_type_and_restored(journal_path: Path) -> None:
    form = make_form(journal_path, draft_delay=0.05)
    form.title.value = "Half-written"
    form.commentary.value = KOREAN
    form.tags.value = ["wip"]
    done = threading.Event()
    for _ in range(500):  # the debounce timer writes on its own
        if drafts(journal_path) and drafts(journal_path)[0]["tags"] == ["wip"]:
            break
        done.wait(0.02)
    (draft,) = drafts(journal_path)
    assert draft["title"] == "Half-written" and draft["commentary"] == KOREAN

    # a kernel restart or a closed tab: a new form opens with the words back
    again = make_form(journal_path)
    assert again.title.value == "Half-written" and again.commentary.value == KOREAN
    assert again.tags.value == ["wip"] and "Restored" in again.draft_note.value
    assert len(DraftStore(journal_path).keys()) == 1  # adopted, not copied
    again.save_button.click()
    assert DraftStore(journal_path).keys() == []
    assert journal.open(journal_path).entries()[0].commentary == KOREAN


def test_blank_form_writes_no_draft_and_clearing_removes_it(journal_path: Path) -> None:
    form = make_form(journal_path)
    form.date.value = dt.date(2020, 1, 1)
    form.flush_draft()
    assert drafts(journal_path) == []
    form.commentary.value = "생각"
    form.flush_draft()
    assert len(drafts(journal_path)) == 1
    form.commentary.value = ""
    form.flush_draft()
    assert drafts(journal_path) == []


def test_discard_draft(journal_path: Path) -> None:
    form = make_form(journal_path)
    form.commentary.value = "버릴 초안"
    form.flush_draft()
    again = make_form(journal_path)
    assert shown(again.discard_button)
    again.discard_button.click()
    assert again.commentary.value == "" and drafts(journal_path) == [] and not shown(again.discard_button)


def test_two_forms_keep_both_drafts(journal_path: Path) -> None:
    one, two = make_form(journal_path), make_form(journal_path)
    one.commentary.value = "첫 번째 탭"
    two.commentary.value = "두 번째 탭"
    one.flush_draft()
    two.flush_draft()
    assert sorted(d["commentary"] for d in drafts(journal_path)) == ["두 번째 탭", "첫 번째 탭"]
    three = make_form(journal_path)
    assert three.commentary.value == "두 번째 탭"  # the newest
    assert shown(three.other_drafts)
    (label, key) = three.other_drafts.options[1]
    assert "(untitled)" in label
    three.other_drafts.value = key
    assert three.commentary.value == "첫 번째 탭"
    assert sorted(d["commentary"] for d in drafts(journal_path)) == ["두 번째 탭", "첫 번째 탭"]


def test_a_failed_save_keeps_the_draft(journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    form = make_form(journal_path)
    form.title.value = "Will fail"
    form.commentary.value = KOREAN

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(form.journal, "add", broken)
    assert form.save() is None
    assert "Not saved" in form.errors["form"].value and "kept as a draft" in form.errors["form"].value
    assert drafts(journal_path)[0]["commentary"] == KOREAN


def test_edit_mode_updates_the_entry(seed_journal: Path) -> None:
    j = journal.open(seed_journal)
    old = j.entries()[0]
    form = make_form(seed_journal)
    form.edit(old.id)
    assert form.entry_id == old.id and "Editing" in form.mode.value and shown(form.new_button)
    assert form.title.value == old.title and form.commentary.value == old.commentary
    assert form.tags.value == list(old.tags) and form.date.value == old.date
    form.flush_draft()
    assert drafts(seed_journal) == []  # opening is not editing

    form.save_button.click()
    assert form.status.value == "No changes to save." and j.get(old.id).updated_at == old.updated_at

    form.commentary.value = old.commentary + "\n\n다시 읽고 덧붙임."
    form.tags.value = [*old.tags, "reread"]
    form.save_button.click()
    new = journal.open(seed_journal).get(old.id)
    assert new.commentary.endswith("다시 읽고 덧붙임.") and new.tags[-1] == "reread"
    assert new.updated_at > old.updated_at and new.created_at == old.created_at
    assert new.title == old.title and new.authors == old.authors and new.abstract == old.abstract
    assert "Updated" in form.status.value and old.id in form.status.value
    assert form.entry_id == old.id  # still editing it
    assert len(journal.open(seed_journal)) == 5


def test_edit_draft_is_kept_per_entry(seed_journal: Path) -> None:
    entry_id = journal.open(seed_journal).entries()[1].id
    form = make_form(seed_journal)
    form.edit(entry_id)
    form.commentary.value = "저장 안 한 수정"
    form.new_button.click()  # leaving edit mode keeps the changes as a draft
    assert DraftStore(seed_journal).read(edit_key(entry_id)).values["commentary"] == "저장 안 한 수정"  # type: ignore[union-attr]
    assert form.entry_id is None and form.commentary.value == ""
    other = make_form(seed_journal)
    other.edit(entry_id)
    assert other.commentary.value == "저장 안 한 수정" and "Restored" in other.draft_note.value
    other.discard_button.click()
    assert other.commentary.value == journal.open(seed_journal).get(entry_id).commentary


def test_edit_draft_older_than_the_entry_says_so(seed_journal: Path) -> None:
    entry_id = journal.open(seed_journal).entries()[0].id
    form = make_form(seed_journal)
    form.edit(entry_id)
    form.commentary.value = "어제 쓰다 만 수정"
    form.flush_draft()
    journal.open(seed_journal).update(entry_id, tags="changed-from-the-cli")
    other = make_form(seed_journal)
    other.edit(entry_id)
    assert other.commentary.value == "어제 쓰다 만 수정"
    assert "changed after you typed them" in other.draft_note.value


def test_edit_validation_error(seed_journal: Path) -> None:
    entry = journal.open(seed_journal).entries()[0]
    form = make_form(seed_journal)
    form.edit(entry.id)
    form.title.value = ""
    form.save_button.click()
    assert "title: must not be empty" in form.errors["title"].value
    assert journal.open(seed_journal).get(entry.id) == entry


def test_edit_unknown_entry(journal_path: Path) -> None:
    form = make_form(journal_path)
    form.edit("nope")
    assert "no entry with id" in form.errors["form"].value and form.entry_id is None


def test_korean_commentary_is_never_rewritten_while_typing(journal_path: Path) -> None:
    """An input method composes a syllable through several values; the form must take
    each one without writing the box back (which would break the composition)."""
    form = make_form(journal_path)
    writes: list[str] = []
    form.commentary.observe(lambda c: writes.append(c["new"]), names="value")
    for typed in ["ㅎ", "하", "한", "한ㄱ", "한그", "한글"]:
        form.commentary.value = typed
    assert writes == ["ㅎ", "하", "한", "한ㄱ", "한그", "한글"]
    form.flush_draft()
    assert form.commentary.value == "한글" and drafts(journal_path)[0]["commentary"] == "한글"


# --- the browser -------------------------------------------------------------------------------


def linked_journal(path: Path) -> journal.Journal:
    j = journal.open(path)
    j.add(title="Base paper", url="https://arxiv.org/abs/2401.00001", date="2024-01-01", tags="base")
    j.add(title="Follow-up", date="2024-01-02", commentary="builds on arXiv:2401.00001", tags="follow base")
    j.add(
        title="<b>Escaped</b> & fine",
        date="2024-01-03",
        authors="Ada",
        abstract="An abstract.",
        commentary="한 문단\n\n두 문단",
        url="https://example.org/a?b=1&c=2",
    )
    return j


def test_browser_lists_newest_first_and_filters(seed_journal: Path) -> None:
    j = journal.open(seed_journal)
    j.add(title="Older one", date="2023-01-01", tags="old")
    browser = JournalBrowser(j)
    labels = [label for label, _ in browser.list.options]
    assert len(labels) == 6 and labels[-1].startswith("2023-01-01  Older one")
    assert browser.count.value == "6 of 6 entries"

    browser.text.value = "cache"
    assert [label for label, _ in browser.list.options] == [
        "2024-05-09  You Only Cache Once: Decoder-Decoder Architectures for Language Models  #efficiency"
    ]
    browser.text.value = "인코더"  # Korean commentary
    assert browser.matches.total == 1
    browser.text.value = ""
    browser.tag.value = "efficiency"
    assert browser.matches.total == 2 and browser.count.value == "2 of 6 entries"
    browser.tag.value = ""
    browser.start.value = dt.date(2023, 1, 1)
    browser.end.value = dt.date(2023, 12, 31)
    assert [r.title for r in browser.matches.rows] == ["Older one"]
    browser.text.value = "nothing matches this"
    assert browser.list.options == () and browser.count.value == "0 of 6 entries"
    assert ("#old (1)", "old") in browser.tag.options


def test_browser_shows_the_selected_entry(journal_path: Path) -> None:
    j = linked_journal(journal_path)
    browser = JournalBrowser(j)
    assert browser.view.value == "" and browser.edit_button.disabled
    escaped = next(e for e in j.entries() if e.authors == ("Ada",))
    browser.list.value = escaped.id
    html = browser.view.value
    assert "&lt;b&gt;Escaped&lt;/b&gt; &amp; fine" in html and "<b>Escaped" not in html
    assert 'href="https://example.org/a?b=1&amp;c=2"' in html
    assert "Ada" in html and "An abstract." in html and "<p>한 문단</p><p>두 문단</p>" in html
    assert not browser.edit_button.disabled and not browser.delete_button.disabled


def test_browser_links_and_backlinks(journal_path: Path) -> None:
    j = linked_journal(journal_path)
    base, follow, _ = j.entries()
    browser = JournalBrowser(j)
    browser.list.value = follow.id
    (row,) = browser.links_box.children
    assert "Links to" in row.children[0].value
    (button,) = row.children[1].children
    assert "Base paper" in button.description
    button.click()
    assert browser.list.value == base.id and "Base paper" in browser.view.value
    (row,) = browser.links_box.children
    assert "Linked from" in row.children[0].value


def test_browser_select_clears_hiding_filters(journal_path: Path) -> None:
    j = linked_journal(journal_path)
    base = j.entries()[0]
    browser = JournalBrowser(j)
    browser.text.value = "Follow"
    browser.select(base.id)
    assert browser.text.value == "" and browser.list.value == base.id


def test_browser_delete_asks_first(journal_path: Path) -> None:
    j = linked_journal(journal_path)
    target = j.entries()[1]
    browser = JournalBrowser(j)
    browser.list.value = target.id
    browser.delete_button.click()
    assert shown(browser.confirm_row) and "Follow-up" in browser.confirm.value
    assert len(journal.open(journal_path)) == 3
    browser.cancel_button.click()
    assert not shown(browser.confirm_row) and len(journal.open(journal_path)) == 3
    browser.delete_button.click()
    browser.confirm_button.click()
    assert target.id not in journal.open(journal_path)
    assert target.id not in [v for _, v in browser.list.options]
    assert "Deleted" in browser.message.value and browser.count.value == "2 of 2 entries"


def test_browser_sees_changes_made_elsewhere(journal_path: Path) -> None:
    j = linked_journal(journal_path)
    browser = JournalBrowser(j)
    version = browser.index.version
    browser.refresh()
    assert browser.index.version == version  # unchanged store: nothing read again
    journal.open(journal_path).add(title="From the command line", tags="cli")
    browser.reload_button.click()
    assert browser.matches.total == 4 and ("#cli (1)", "cli") in browser.tag.options


def test_browser_shows_at_most_limit_rows(journal_path: Path) -> None:
    from journal.model import make_entry

    j = journal.open(journal_path)
    j.add_many(
        make_entry(title=f"Entry {i}", date=dt.date(2024, 1, 1) + dt.timedelta(days=i)) for i in range(30)
    )
    browser = JournalBrowser(j, limit=10)
    assert len(browser.list.options) == 10
    assert browser.count.value == "30 of 30 entries (showing the newest 10)"
    assert browser.list.options[0][0].startswith("2024-01-30")


def test_browser_bad_store_is_a_message(journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    browser = JournalBrowser(linked_journal(journal_path))

    def broken() -> None:
        raise JournalError("entries.parquet: cannot be read; run `journal check`")

    monkeypatch.setattr(browser.journal, "to_arrow", broken)
    browser.reload_button.click()
    assert "journal check" in browser.message.value


# --- the app -------------------------------------------------------------------------------------


def test_app_wires_form_and_browser(journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    linked_journal(journal_path)
    monkeypatch.setenv("JOURNAL", str(journal_path))
    app = journal_app(fetch=FakeFetch(YOCO), draft_delay=3600)
    assert isinstance(app, JournalApp) and app.journal.path == journal_path
    assert app.get_title(0) == "Capture" and app.get_title(1) == "Browse"

    app.form.title.value = "Saved from the app"
    app.form.commentary.value = "앱에서 저장"
    saved = app.form.save()
    assert saved is not None and app.browser.list.value == saved.id  # shown in the browser

    app.selected_index = 1
    app.browser.edit_button.click()
    assert app.selected_index == 0 and app.form.entry_id == saved.id
    app.form.commentary.value = "앱에서 고침"
    app.form.save_button.click()
    assert journal.open(journal_path).get(saved.id).commentary == "앱에서 고침"
    assert "앱에서 고침" in app.browser.view.value


def test_validation_error_type_is_shared(journal_path: Path) -> None:
    """The form shows the library's ValidationError messages, field by field."""
    form = make_form(journal_path)
    form.title.value = "x"
    form.source.value = "bad"
    form.save()
    with pytest.raises(ValidationError) as info:
        journal.open(journal_path).add(title="x", arxiv_id="bad")
    assert str(info.value) in form.errors["source"].value.replace("&#x27;", "'")
