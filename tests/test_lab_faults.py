"""Faults of a journal on S3 (the Delta Lake backend) against moto's server: a store that
stops, a bucket that is not there, a writer killed mid-commit, read-only keys (moto's IAM),
a proxy that drops conditional headers. Each is one line naming the URL and what to do;
no typed word is lost (the outbox keeps it, ``journal sync`` sends it, once); no
credential is written anywhere."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import cli_env, run_cli

pytest.importorskip("deltalake")
boto3 = pytest.importorskip("boto3")
pytest.importorskip("moto.server")

from test_lab_store import (  # noqa: E402
    SECRET,
    aws_env,
    client,
    free_port,
    one_error_line,
    read_without_delta_rs,
    start_server,
)

import journal  # noqa: E402
from journal.errors import ChangeKept, StoreReadOnly, StoreUnsafe  # noqa: E402
from journal.store import SideState  # noqa: E402
from journal.store.outbox import Outbox  # noqa: E402


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    server, endpoint = start_server()
    yield endpoint
    server.stop()


_BUCKETS = iter(range(10_000))


def use(endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **keys: str) -> None:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**aws_env(endpoint), **keys}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("JOURNAL_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def s3(s3_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    use(s3_server, monkeypatch, tmp_path)
    bucket = f"faults-{next(_BUCKETS)}"
    client(s3_server).create_bucket(Bucket=bucket)
    return f"s3://{bucket}/j"


def outbox_of(url: str) -> Outbox:
    return Outbox(journal.open(url).side_path(SideState.OUTBOX))


def no_secret_under(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


# --- the outbox alone ---------------------------------------------------------------------------


def test_the_outbox_skips_a_torn_line_and_sends_each_write_once(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox")
    with box.locked():
        first = box.add(b'{"id": "a", "title": "\xea\xb8\x80"}\n')
    with box.path.open("ab") as f:
        f.write(b'{"write": "torn", "rows": [{"id": "b"')  # a kill mid-append
    with box.locked():
        box.add(b'{"id": "c", "title": "third"}\n')
    assert box.pending()[0][0] == first and len(box) == 2

    sent: list[bytes] = []
    assert box.send(sent.append) == 2
    assert [json.loads(d)["id"] for d in sent] == ["a", "c"]
    assert json.loads(sent[0])["title"] == "글"
    assert not box.path.exists() and box.send(sent.append) == 0 and len(sent) == 2


def test_a_failing_send_keeps_the_write_and_those_after_it(tmp_path: Path) -> None:
    from journal.errors import StoreUnreachable

    box = Outbox(tmp_path / "outbox")
    with box.locked():
        box.add(b'{"id": "a"}\n')

    def fail(data: bytes) -> None:
        raise StoreUnreachable("s3://b/j", "cannot reach the store at http://x; try again")

    with pytest.raises(ChangeKept) as info:
        box.commit(b'{"id": "b"}\n', fail)
    assert str(info.value) == (
        f"s3://b/j: cannot reach the store at http://x; try again; 2 changes are kept in {box.path} "
        "and `journal sync` sends them"
    )
    assert [json.loads(d)["id"] for _, d in box.pending()] == ["a", "b"]


# --- the store cannot be used ---------------------------------------------------------------------


def test_a_stopped_server_keeps_the_words_and_sync_sends_them_once(
    s3: str, s3_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal.open(s3).add(title="before", date="2024-05-08")
    stopped, endpoint = start_server()  # moto keeps its buckets per process: the same store
    stopped.stop()
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    words = "의견: 이 논문은 중요하다"
    proc = run_cli(
        "add", "--title", "Offline note", "--date", "2024-05-09", "--commentary", words, "--journal", s3
    )
    line = one_error_line(proc)
    box = outbox_of(s3)
    assert line == (
        f"journal: error: {s3}: cannot reach the store at {endpoint}; check AWS_ENDPOINT_URL and the "
        f"network, then try again; the change is kept in {box.path} and `journal sync` sends it"
    )
    assert words in box.path.read_text("utf-8")
    no_secret_under(box.folder.parent)

    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server)  # the store is back
    synced = run_cli("sync", "--journal", s3)
    assert synced.returncode == 0, synced.stderr
    assert synced.stdout == f"sent 1 waiting change to {s3}\n"
    assert run_cli("sync", "--journal", s3).stdout == f"nothing waits to be sent to {s3}\n"
    entries = journal.open(s3).entries()
    assert [(e.title, e.commentary) for e in entries][-1] == ("Offline note", words)
    assert read_without_delta_rs(s3).num_rows == 2 and not box.path.exists()


def test_the_next_write_sends_what_waits_first(
    s3_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use(s3_server, monkeypatch, tmp_path)
    url = f"s3://faults-late-{next(_BUCKETS)}/j"
    with pytest.raises(ChangeKept) as info:
        journal.open(url).add(title="typed before the bucket", date="2024-05-09")
    assert "does not exist" in str(info.value) and len(outbox_of(url)) == 1
    assert not client(s3_server).list_buckets()["Buckets"] or url.split("/")[2] not in [
        b["Name"] for b in client(s3_server).list_buckets()["Buckets"]
    ]  # the failed write created nothing in the store

    client(s3_server).create_bucket(Bucket=url.split("/")[2])
    journal.open(url).add(title="typed after", date="2024-05-10")
    assert [e.title for e in journal.open(url).entries()] == ["typed before the bucket", "typed after"]
    assert len(outbox_of(url)) == 0


def test_the_next_read_sends_what_waits_once(
    s3: str, s3_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal.open(s3).add(title="before", date="2024-05-08")
    stopped, endpoint = start_server()
    stopped.stop()
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    one_error_line(run_cli("add", "--title", "Offline", "--date", "2024-05-09", "--journal", s3))
    assert len(outbox_of(s3)) == 1

    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server)  # the store is back
    listed = run_cli("list", "--journal", s3)
    assert listed.returncode == 0 and listed.stderr == ""
    assert "Offline" in listed.stdout and not outbox_of(s3).path.exists()
    again = run_cli("list", "--journal", s3)
    assert again.returncode == 0 and again.stderr == "" and again.stdout == listed.stdout
    assert read_without_delta_rs(s3).num_rows == 2  # sent once


def test_sync_of_a_local_journal_has_nothing_to_do(tmp_path: Path) -> None:
    proc = run_cli("sync", "--journal", str(tmp_path / "j.parquet"))
    assert proc.returncode == 0 and proc.stdout.startswith("nothing to sync:")
    assert "outbox" in run_cli("sync", "--help").stdout


# --- a writer killed mid-commit ------------------------------------------------------------------

WRITER = """
import sys, journal
j = journal.open(sys.argv[1])
for i in range(200):
    e = j.add(title=f"killed writer {i}", date="2024-05-09", commentary="words " * 20)
    print(e.id, flush=True)
"""


def test_a_writer_killed_mid_commit_loses_and_doubles_nothing(s3: str) -> None:
    journal.open(s3).add(title="seed", date="2024-05-08")
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, s3], stdout=subprocess.PIPE, text=True, env={**os.environ, **cli_env()}
    )
    assert proc.stdout is not None
    acknowledged = [proc.stdout.readline().strip() for _ in range(3)]
    time.sleep(0.05)  # into the next commit
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    acknowledged += [line.strip() for line in proc.stdout if line.strip()]

    waiting = len(outbox_of(s3))
    assert waiting <= 1  # at most the write that was cut off
    sent = journal.open(s3).backend.send_outbox()
    assert sent == waiting
    ids = [e.id for e in journal.open(s3).entries()]
    assert set(acknowledged) <= set(ids) and len(ids) == len(set(ids))
    assert read_without_delta_rs(s3).num_rows == len(ids)  # no row stored twice
    assert not any(f.severity == "error" for f in journal.open(s3).check_storage(repair=False))


def test_an_orphan_data_file_is_reported_ignored_and_kept(s3: str, s3_server: str) -> None:
    j = journal.open(s3)
    j.add(title="committed", date="2024-05-09")
    j.compact()  # a file replaced by a compaction is no orphan
    j.add(title="after", date="2024-05-10")
    bucket = s3.split("/")[2]
    orphan = "j/entries/part-00000-orphan-c000.snappy.parquet"
    first = next(
        k["Key"]
        for k in client(s3_server).list_objects_v2(Bucket=bucket)["Contents"]
        if ".parquet" in k["Key"]
    )
    body = client(s3_server).get_object(Bucket=bucket, Key=first)["Body"].read()
    client(s3_server).put_object(Bucket=bucket, Key=orphan, Body=body)  # as a killed writer leaves it

    assert [e.title for e in journal.open(s3).entries()] == ["committed", "after"]
    proc = run_cli("check", "--no-repair", "--journal", s3)
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stdout.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {s3}: 1 data file is in no table version (left by a writer stopped mid-commit); "
        "readers ignore them, and `journal compact` removes them once they are 7 days old"
    ]
    assert client(s3_server).head_object(Bucket=bucket, Key=orphan)  # check changed nothing


# --- a store that ignores conditional writes ------------------------------------------------------


class DroppingProxy(http.server.BaseHTTPRequestHandler):
    """Forwards every request to ``target`` without its If-None-Match / If-Match headers."""

    target = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("if-none-match", "if-match")}
        host, port = self.target.rsplit(":", 1)
        conn = http.client.HTTPConnection(host.split("//")[1], int(port), timeout=30)
        conn.request(self.command, self.path, body=body, headers=headers)
        answer = conn.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for k, v in answer.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        # a HEAD answer has no body: its Content-Length is the object's size, passed on
        size = answer.getheader("Content-Length") if self.command == "HEAD" else None
        self.send_header("Content-Length", size or str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward


def test_a_store_that_ignores_conditional_writes_is_refused(
    s3: str, s3_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal.open(s3).add(title="written directly", date="2024-05-08")
    handler = type("Proxy", (DroppingProxy,), {"target": s3_server})
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{proxy.server_address[1]}"
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        assert [e.title for e in journal.open(s3).entries()] == ["written directly"]  # reading works
        line = one_error_line(run_cli("add", "--title", "Unsafe", "--date", "2024-05-09", "--journal", s3))
        assert line.startswith(f"journal: error: {s3}: the store at {endpoint} ignores conditional writes")
        assert "`journal sync`" in line
        with pytest.raises(ChangeKept) as info:
            journal.open(s3).add(title="Unsafe too", date="2024-05-09")
        assert isinstance(info.value.reason, StoreUnsafe)
    finally:
        proxy.shutdown()
        proxy.server_close()
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server)
    listed = client(s3_server).list_objects_v2(Bucket=s3.split("/")[2])["Contents"]
    assert not any("_journal" in o["Key"] for o in listed)  # the probe's marker is gone
    assert read_without_delta_rs(s3).num_rows == 1  # nothing written through the proxy
    assert len(outbox_of(s3)) == 2


# --- read-only members (moto's IAM) --------------------------------------------------------------

READ_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}],
}
ALL_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


# moto checks the keys and their policies; its check of the SigV4 signature itself rebuilds
# the query string decoded and so refuses object_store's (delta-rs's) LIST requests, which
# real S3 accepts: that one check is turned off in this server.
IAM_SERVER = """
import sys
from moto.iam.access_control import IAMRequestBase
IAMRequestBase.check_signature = lambda self: None
from moto.server import main
main(["-H", "127.0.0.1", "-p", sys.argv[1]])
"""


@pytest.fixture(scope="module")
def iam_server() -> Iterator[tuple[str, dict[str, str], dict[str, str]]]:
    """A moto server in its own process, enforcing IAM: yields its endpoint and the keys of
    a writer and of a reader (s3:GetObject, s3:ListBucket only)."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-c", IAM_SERVER, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        iam = boto3.client(
            "iam", endpoint_url=endpoint, aws_access_key_id="setup", aws_secret_access_key="setup",
            region_name="us-east-1",
        )  # fmt: skip
        keys = {}
        for user, policy in (("writer", ALL_POLICY), ("reader", READ_POLICY)):
            iam.create_user(UserName=user)
            iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=json.dumps(policy))
            key = iam.create_access_key(UserName=user)["AccessKey"]
            keys[user] = {
                "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
            }
        request = urllib.request.Request(
            f"{endpoint}/moto-api/reset-auth",
            data=b"0",
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        urllib.request.urlopen(request, timeout=5)  # from now on every request is checked
        yield endpoint, keys["writer"], keys["reader"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)


def test_read_only_keys_read_but_a_write_is_one_line_and_kept(
    iam_server: tuple[str, dict[str, str], dict[str, str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    endpoint, writer, reader = iam_server
    use(endpoint, monkeypatch, tmp_path / "w", **writer)
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id=writer["AWS_ACCESS_KEY_ID"], aws_secret_access_key=writer["AWS_SECRET_ACCESS_KEY"],
    ).create_bucket(Bucket="lab")  # fmt: skip
    url = "s3://lab/j"
    journal.open(url).add(title="Written by the writer", date="2024-05-09")

    use(endpoint, monkeypatch, tmp_path / "r", **reader)
    listed = run_cli("list", "--journal", url)
    assert listed.returncode == 0, listed.stderr
    assert "Written by the writer" in listed.stdout
    line = one_error_line(
        run_cli("add", "--title", "Reader's note", "--date", "2024-05-10", "--journal", url)
    )
    box = outbox_of(url)
    assert line == (
        f"journal: error: {url}: these credentials are read-only: they may read the journal, not change it "
        "(reading commands, rendering and triage work); ask for keys that may write; the change is kept "
        f"in {box.path} and `journal sync` sends it"
    )
    assert reader["AWS_SECRET_ACCESS_KEY"] not in line
    with pytest.raises(ChangeKept) as info:
        journal.open(url).update(journal.open(url).entries()[0].id, commentary="a reader's words")
    assert isinstance(info.value.reason, StoreReadOnly)
    assert len(box) == 2 and "a reader's words" in box.path.read_text("utf-8")
    assert [e.title for e in journal.open(url).entries()] == ["Written by the writer"]
    listed = run_cli("list", "--journal", url)  # the read answers; what waits stays, said once
    assert listed.returncode == 0 and "Written by the writer" in listed.stdout
    assert listed.stderr == (
        f"journal: note: {url}: 2 changes wait in {box.path} and need keys that may write "
        "(these credentials are read-only)\n"
    )
    assert len(box) == 2
    assert one_error_line(run_cli("compact", "--journal", url)) == (
        f"journal: error: {url}: these credentials are read-only: they may read the journal, not change it "
        "(reading commands, rendering and triage work); ask for keys that may write"
    )


def writer_bucket(endpoint: str, writer: dict[str, str], bucket: str) -> Any:
    """A boto3 client with the writer's keys, and ``bucket`` made with them."""
    s3 = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id=writer["AWS_ACCESS_KEY_ID"], aws_secret_access_key=writer["AWS_SECRET_ACCESS_KEY"],
    )  # fmt: skip
    s3.create_bucket(Bucket=bucket)
    return s3


def test_unknown_keys_are_access_denied_not_a_failure_to_retry(
    iam_server: tuple[str, dict[str, str], dict[str, str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    endpoint, writer, _ = iam_server
    store = writer_bucket(endpoint, writer, "lab-unknown")
    url = "s3://lab-unknown/j"
    use(endpoint, monkeypatch, tmp_path / "w", **writer)
    journal.open(url).add(title="Written by the writer", date="2024-05-09")
    before = store.list_objects_v2(Bucket="lab-unknown")["Contents"]

    made_up = {"AWS_ACCESS_KEY_ID": "AKIAMADEUPMADEUP0000", "AWS_SECRET_ACCESS_KEY": SECRET}
    use(endpoint, monkeypatch, tmp_path / "bad", **made_up)
    denied = (
        f"journal: error: {url}: access denied by {endpoint}; check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
        "(or AWS_PROFILE) and that they may read and write 'lab-unknown'"
    )
    assert one_error_line(run_cli("list", "--journal", url)) == denied
    line = one_error_line(run_cli("add", "--title", "X", "--date", "2024-05-10", "--journal", url))
    assert line.startswith(denied) and "AKIAMADEUP" not in line
    assert store.list_objects_v2(Bucket="lab-unknown")["Contents"] == before
