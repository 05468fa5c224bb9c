"""A journal on S3 whose store fails while a command runs, not before it: a server stopped
on the data-file PUT of an add, and two compactions at once (separate from
tests/test_lab_faults.py to keep each moto file well under a minute)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import cli_env, run_cli

pytest.importorskip("deltalake")
pytest.importorskip("boto3")
pytest.importorskip("moto.server")

from lab_helpers import CountingS3Server, serving
from test_lab_faults import outbox_of, use
from test_lab_store import client, one_error_line, read_without_delta_rs

import journal


@pytest.fixture
def server() -> Iterator[CountingS3Server]:
    yield from serving()


def bucket_journal(
    server: CountingS3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bucket: str
) -> str:
    """This process pointed at ``server``, a new ``bucket``, and the journal URL in it."""
    use(server.endpoint, monkeypatch, tmp_path)
    client(server.endpoint).create_bucket(Bucket=bucket)
    return f"s3://{bucket}/j"


def test_a_server_stopped_on_the_data_file_put_keeps_the_add_and_sync_sends_it_once(
    server: CountingS3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = bucket_journal(server, monkeypatch, tmp_path, "mid")
    journal.open(url).add(title="seed", date="2024-05-08")

    def stop_on_data_put(method: str, path: str) -> bool:
        if method == "PUT" and path.startswith("/mid/j/entries/") and ".parquet" in path:
            server.fail_after = None

            threading.Thread(target=server.halt).start()  # the PUT is answered, then nothing is
        return False

    server.fail_after = stop_on_data_put
    words = "precious words typed mid-command"
    proc = run_cli(
        "add", "--title", "Typed mid-command", "--date", "2024-05-09", "--commentary", words, "--journal", url
    )
    line = one_error_line(proc)
    box = outbox_of(url)
    assert line.startswith(f"journal: error: {url}: cannot reach the store at {server.endpoint}")
    assert line.endswith(f"the change is kept in {box.path} and `journal sync` sends it")
    assert words in box.path.read_text("utf-8")

    again = CountingS3Server()  # moto keeps its buckets per process: the same store, back
    monkeypatch.setenv("AWS_ENDPOINT_URL", again.start())
    try:
        synced = run_cli("sync", "--journal", url)
        assert synced.returncode == 0 and synced.stdout == f"sent 1 waiting change to {url}\n", synced.stderr
        assert run_cli("sync", "--journal", url).stdout == f"nothing waits to be sent to {url}\n"
        titles = [e.title for e in journal.open(url).entries()]
        assert titles == ["seed", "Typed mid-command"] and read_without_delta_rs(url).num_rows == 2
        checked = run_cli("check", "--no-repair", "--journal", url)
        assert checked.returncode == 0, checked.stderr
        assert f"warning: {url}: 1 data file is in no table version" in checked.stdout
    finally:
        again.stop()


COMPACT = """
import sys, journal
from journal.errors import JournalError
try:
    print(journal.open(sys.argv[1]).compact())
except JournalError as e:
    sys.exit(f"journal: error: {e}")
"""


def test_two_compactions_at_once_lose_and_double_nothing(
    server: CountingS3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = bucket_journal(server, monkeypatch, tmp_path, "two")
    j = journal.open(url)
    for i in range(12):
        j.add(title=f"small file {i}", date="2024-05-09")
    files = len(j.backend.table().file_uris())  # one small file per add
    ids = sorted(e.id for e in j.entries())

    env = {**os.environ, **cli_env()}
    procs = [  # started together: each its own (spawned) process
        subprocess.Popen([sys.executable, "-c", COMPACT, url], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    counts = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        if proc.returncode == 0:
            counts.append(int(out))
        else:
            assert "other writers kept changing the journal; the compaction was not done" in err, err
    assert counts and sum(counts) == files  # the one that found nothing to do says 0
    assert sorted(e.id for e in journal.open(url).entries()) == ids
    assert read_without_delta_rs(url).num_rows == len(ids)  # no row stored twice
    again = run_cli("compact", "--journal", url)
    assert again.returncode == 0 and again.stdout == f"compacted: 0 data files folded into {url}\n"
