"""Readers on a lab journal (``s3://``, the Delta Lake backend, against moto's server):
two readers' entries of one paper coexist."""

from __future__ import annotations

import pytest

pytest.importorskip("deltalake")
pytest.importorskip("moto.server")

import test_lab_store as lab

import journal
from journal.errors import DuplicateEntry, NotYourEntry
from journal.model import make_id, reader_id

s3_server, s3 = lab.s3_server, lab.s3  # the fixtures: a moto server per module, a fresh bucket


def test_two_readers_entries_of_one_paper_coexist_on_s3(s3: str, monkeypatch: pytest.MonkeyPatch) -> None:
    paper = {"title": "You Only Cache Once", "arxiv_id": "2405.05254", "date": "2024-05-09"}
    plain = make_id(journal.make_entry(**paper).date, arxiv_id="2405.05254")
    monkeypatch.setenv("JOURNAL_READER", "ada")
    ada = journal.open(s3).add(**paper, commentary="ada's words")
    monkeypatch.setenv("JOURNAL_READER", "grace")
    grace = journal.open(s3).add(**paper, commentary="grace's words")
    assert (ada.id, grace.id) == (reader_id(plain, "ada"), reader_id(plain, "grace"))
    with pytest.raises(DuplicateEntry, match=grace.id):
        journal.open(s3).add(**paper)
    with pytest.raises(NotYourEntry):
        journal.open(s3).update(ada.id, commentary="grace was here")
    entries = journal.open(s3).entries()
    assert [(e.reader, e.commentary) for e in entries] == [("ada", "ada's words"), ("grace", "grace's words")]
    assert [e.id for e in journal.open(s3).entries(reader="ada")] == [ada.id]
