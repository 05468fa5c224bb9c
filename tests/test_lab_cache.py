"""This machine's cache of an s3:// journal's table: an unchanged journal costs one listing,
a changed one only its new files; requests counted at the server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

pytest.importorskip("deltalake")
boto3 = pytest.importorskip("boto3")
pytest.importorskip("moto.server")

from lab_helpers import CountingS3Server, serving, use_server  # noqa: E402

import journal  # noqa: E402

KEYS = {"AWS_ACCESS_KEY_ID": "cache-key", "AWS_SECRET_ACCESS_KEY": "cache-secret", "AWS_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def server() -> Iterator[CountingS3Server]:
    yield from serving()


_N = iter(range(1000))


@pytest.fixture
def lab(server: CountingS3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    use_server(monkeypatch, server.endpoint, KEYS, tmp_path / "cache")
    bucket = f"lab-cache-{next(_N)}"
    boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    ).create_bucket(Bucket=bucket)
    return f"s3://{bucket}/j"


def listed(url: str, server: CountingS3Server, **env: str) -> tuple[str, list[Any]]:
    server.reset()
    proc = run_cli("list", "--journal", url, **env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, server.taken()


def test_an_unchanged_list_in_a_fresh_process_makes_one_listing(lab: str, server: CountingS3Server) -> None:
    j = journal.open(lab)
    j.add_many([journal.make_entry(title=f"paper {i}", date="2024-05-09") for i in range(30)])
    j.add(title="one more", date="2024-05-10")
    j.compact()
    j.update(j.entries()[0].id, commentary="edited after the compaction")

    first, cold = listed(lab, server)  # fills this machine's cache
    assert "one more" in first and len(cold) > 3
    again, warm = listed(lab, server)
    assert again == first
    assert len(warm) <= 3, warm
    assert [m for m, _ in warm] == ["GET"] and "list-type=2" in warm[0][1]  # the log's listing, nothing else


def test_a_changed_journal_downloads_only_its_new_files(
    lab: str, server: CountingS3Server, tmp_path: Path
) -> None:
    j = journal.open(lab)
    j.add_many([journal.make_entry(title=f"paper {i}", date="2024-05-09") for i in range(30)])
    listed(lab, server)  # warm
    other = str(tmp_path / "another-machine")  # its own cache (this machine's keeps what it appends)
    added = run_cli(
        "add",
        "--title",
        "from another machine",
        "--date",
        "2024-05-11",
        "--journal",
        lab,
        JOURNAL_CACHE=other,
    )
    assert added.returncode == 0, added.stderr
    out, requests = listed(lab, server)
    assert "from another machine" in out
    data_gets = [p for m, p in requests if m == "GET" and p.endswith(".parquet")]
    assert len(data_gets) == 1, requests  # the new file only, not the 30 entries' file again
    assert not any("checkpoint" in p or "_last_checkpoint" in p for _, p in requests)


def test_the_cache_is_no_source_of_truth(lab: str, server: CountingS3Server, tmp_path: Path) -> None:
    """A read asks the store for the version first: entries deleted elsewhere are gone,
    an unreachable store is an error (never an answer from the cache), and an emptied
    cache only costs downloads."""
    j = journal.open(lab)
    gone = j.add(title="deleted on another machine", date="2024-05-09")
    j.add(title="kept", date="2024-05-09")
    listed(lab, server)
    journal.open(lab).delete(gone.id)
    out, _ = listed(lab, server)
    assert "kept" in out and "deleted on another machine" not in out

    down = run_cli("list", "--journal", lab, AWS_ENDPOINT_URL="http://127.0.0.1:9")
    assert down.returncode != 0 and "cannot reach the store" in down.stderr and "kept" not in down.stdout

    shutil.rmtree(tmp_path / "cache")
    again, _ = listed(lab, server)
    assert again == out
