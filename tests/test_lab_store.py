"""The Delta Lake backend (``s3://bucket/prefix``) against a real S3 server started here:
moto's server on 127.0.0.1, which answers a lost conditional PUT with 412 as S3 does."""

from __future__ import annotations

import datetime as dt
import io
import json
import multiprocessing
import socket
from collections.abc import Iterator
from typing import Any

import pyarrow.parquet as pq
import pytest
from conftest import run_cli

pytest.importorskip("deltalake")
boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

import journal  # noqa: E402
from journal.errors import DuplicateEntry, EntryNotFound, StoreNotFound  # noqa: E402
from journal.store import SideState  # noqa: E402
from journal.store.delta import DeltaBackend  # noqa: E402

KEY_ID = "lab-key-id"
SECRET = "lab-secret-never-shown-8731"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> tuple[Any, str]:
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """A moto S3 server for this module; yields its endpoint."""
    server, endpoint = start_server()
    yield endpoint
    server.stop()


def aws_env(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_REGION": REGION,
    }


def client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        region_name=REGION,
    )


_BUCKETS = iter(range(10_000))


@pytest.fixture
def s3(s3_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> str:
    """A fresh bucket on the server, the AWS settings pointing at it, a local cache under
    tmp_path; yields ``s3://<bucket>/j``."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    for name, value in aws_env(s3_server).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("JOURNAL_CACHE", str(tmp_path / "cache"))
    bucket = f"lab-{next(_BUCKETS)}"
    client(s3_server).create_bucket(Bucket=bucket)
    return f"s3://{bucket}/j"


# --- the library -------------------------------------------------------------------------------


def test_the_journal_round_trips_through_s3(s3: str, tmp_path: Any) -> None:
    j = journal.open(s3)
    assert isinstance(j.backend, DeltaBackend)
    assert len(j) == 0 and not j.backend.exists()
    first = j.add(title="Diffusion Distillation", date="2024-05-09", tags="diffusion")
    second = j.add(title="Key Value Cache", date="2024-05-10", arxiv_id="2405.05254")
    with pytest.raises(DuplicateEntry):
        j.add(first)

    again = journal.open(s3)  # another reader of the same table
    assert [e.title for e in again.entries()] == ["Diffusion Distillation", "Key Value Cache"]
    assert again.get(second.id[:6]).arxiv_id == "2405.05254"
    assert again.lookup("arxiv_id", ["2405.05254"]) == [(second.id, second.date, second.title)]

    edited = again.update(first.id, commentary="증류 메모", tags="diffusion, distill")
    got = journal.open(s3).get(first.id)
    assert got.commentary == "증류 메모" and got.tags == ("diffusion", "distill")
    assert got.created_at == first.created_at and edited.updated_at == got.updated_at

    third = journal.make_entry(title="Third", date="2024-05-08")
    assert [e.title for e in again.add_many([second, third]).added] == ["Third"]
    assert again.delete(second.id).id == second.id
    with pytest.raises(EntryNotFound):
        journal.open(s3).get(second.id)
    fresh = journal.open(s3)
    assert [e.title for e in fresh.entries()] == ["Third", "Diffusion Distillation"]
    assert fresh.search("증류")["id"].tolist() == [first.id]
    assert fresh.to_pandas()["title"].tolist() == ["Third", "Diffusion Distillation"]

    # one table per journal, versions only ever added; nothing pending
    assert fresh.pending_changes() == 0
    assert fresh.compact() >= 1
    assert [e.title for e in journal.open(s3).entries()] == ["Third", "Diffusion Distillation"]
    info = [f for f in fresh.check_storage(repair=False) if f.severity == "info"]
    assert len(info) == 1 and "Delta table version" in info[0].message
    # side state is on this machine, under $JOURNAL_CACHE/<bucket>/<prefix>
    bucket = s3.split("/")[2]
    assert j.side_path(SideState.DRAFTS) == tmp_path / "cache" / bucket / "j" / "entries.d" / "drafts"


def test_a_change_that_maybe_committed_is_not_doubled(s3: str) -> None:
    """Running the same commit twice (a retry after an error that hid a success) keeps
    one row per id; an id stored twice anyway is read once, the latest version."""
    from journal.store.schema import encode

    j = journal.open(s3)
    entry = j.add(title="Once", date="2024-05-09")
    assert entry.updated_at is not None
    later = entry.updated_at + dt.timedelta(seconds=1)
    data = encode(entry.replace(title="Once, edited", updated_at=later))
    j.backend.commit(data, 1)
    j.backend.commit(data, 1)
    assert [e.title for e in journal.open(s3).entries()] == ["Once, edited"]

    import pyarrow as pa
    from deltalake import DeltaTable, write_deltalake

    from journal.store.delta_io import storage_options
    from journal.store.schema import SCHEMA, cast_table, rows_to_table

    older = cast_table(rows_to_table(encode(entry)), SCHEMA)  # the first version, appended again
    table = DeltaTable(f"{s3}/entries", storage_options=storage_options())
    write_deltalake(table, older, mode="append")
    assert pa.table(table.to_pyarrow_dataset().to_table()).num_rows == 2
    assert [e.title for e in journal.open(s3).entries()] == ["Once, edited"]
    assert any("repeat an id" in f.message for f in journal.open(s3).check_storage(repair=False))


# --- the command line ----------------------------------------------------------------------------


def test_the_cli_adds_and_lists_on_s3(s3: str) -> None:
    added = run_cli("add", "--title", "Attention on S3", "--date", "2024-05-09", "--journal", s3)
    assert added.returncode == 0, added.stderr
    listed = run_cli("list", "--journal", s3)
    assert listed.returncode == 0, listed.stderr
    assert "Attention on S3" in listed.stdout
    by_env = run_cli("list", JOURNAL=s3)
    assert "Attention on S3" in by_env.stdout


def one_error_line(proc: Any) -> str:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert SECRET not in proc.stderr + proc.stdout
    return str(lines[0])


def test_a_missing_bucket_is_one_clear_line(s3: str) -> None:
    url = "s3://no-such-bucket-here/j"
    line = one_error_line(run_cli("add", "--title", "Lost", "--date", "2024-05-09", "--journal", url))
    assert line.startswith(f"journal: error: {url}: bucket 'no-such-bucket-here' does not exist")
    assert "create it" in line
    with pytest.raises(StoreNotFound):
        journal.open(url).entries()


def test_a_stopped_server_is_one_clear_line(s3: str, monkeypatch: pytest.MonkeyPatch) -> None:
    server, endpoint = start_server()
    server.stop()
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    line = one_error_line(run_cli("list", "--journal", s3))
    assert line.startswith(f"journal: error: {s3}: cannot reach the store at {endpoint}")
    assert "AWS_ENDPOINT_URL" in line


# --- several writers ---------------------------------------------------------------------------


def add_entries(url: str, worker: int, count: int) -> None:
    j = journal.open(url)
    for i in range(count):
        j.add(title=f"worker {worker} entry {i}", date="2024-05-09")


def compact_until(url: str, stop: Any, done: Any) -> None:
    runs = 0
    while not stop.is_set():
        journal.open(url).compact()
        runs += 1
        stop.wait(0.2)  # compacting all the time would only slow the writers' test server
    done.value = runs


def test_writers_on_several_processes_lose_and_double_nothing(s3: str) -> None:
    journal.open(s3).add(title="seed", date="2024-05-08")  # the table exists before the race
    ctx = multiprocessing.get_context("spawn")  # deltalake panics in a forked child
    stop, runs = ctx.Event(), ctx.Value("i", 0)
    compactor = ctx.Process(target=compact_until, args=(s3, stop, runs))
    writers = [ctx.Process(target=add_entries, args=(s3, w, 20)) for w in range(3)]
    compactor.start()
    for p in writers:
        p.start()
    for p in writers:
        p.join(120)
    stop.set()
    compactor.join(60)
    assert [p.exitcode for p in writers] == [0, 0, 0]
    assert compactor.exitcode == 0 and runs.value >= 1

    titles = [e.title for e in journal.open(s3).entries() if e.title != "seed"]
    assert len(titles) == 60 and len(set(titles)) == 60
    assert sorted(titles) == sorted(f"worker {w} entry {i}" for w in range(3) for i in range(20))
    raw = read_without_delta_rs(s3)
    assert raw.num_rows == 61  # not even a hidden double row
    assert sorted(raw["id"].to_pylist()) == sorted(e.id for e in journal.open(s3).entries())


# --- the table, as any Delta reader sees it -------------------------------------------------------


def read_without_delta_rs(url: str) -> Any:
    """The live rows of the journal's table from its log and Parquet files alone
    (json + boto3 + pyarrow): replay add/remove actions in version order."""
    import pyarrow as pa

    bucket, prefix = url[len("s3://") :].split("/", 1)
    root = f"{prefix}/entries"
    s3c = client(__import__("os").environ["AWS_ENDPOINT_URL"])
    pages = s3c.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{root}/_delta_log/")
    logs = sorted(o["Key"] for page in pages for o in page.get("Contents", []) if o["Key"].endswith(".json"))
    live: dict[str, None] = {}
    from urllib.parse import unquote

    for key in logs:
        body = s3c.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
        for line in body.splitlines():
            action = json.loads(line)
            if "add" in action:
                live[unquote(action["add"]["path"])] = None
            elif "remove" in action:
                live.pop(unquote(action["remove"]["path"]), None)
    tables = [
        pq.read_table(io.BytesIO(s3c.get_object(Bucket=bucket, Key=f"{root}/{path}")["Body"].read()))
        for path in live
    ]
    if not tables:
        return None
    # delta-rs writes strings as views in the files of a merge, plain strings elsewhere: a
    # reader without delta-rs reconciles them as the table's schema says (string)
    return pa.concat_tables([t.cast(plain_schema(t.schema)) for t in tables])


def plain_schema(schema: Any) -> Any:
    """``schema`` with string views as strings and every field nullable."""
    import pyarrow as pa

    def plain(kind: Any) -> Any:
        if kind == pa.string_view():
            return pa.string()
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            return pa.list_(plain(kind.value_type))
        return kind

    return pa.schema([pa.field(f.name, plain(f.type)) for f in schema])


def test_the_table_reads_without_delta_rs_and_at_the_base_protocol(s3: str) -> None:
    j = journal.open(s3)
    kept = [j.add(title=f"paper {i}", date=f"2024-05-{i + 1:02d}") for i in range(4)]
    j.update(kept[1].id, commentary="edited")
    j.delete(kept[2].id)
    j.compact()
    j.add(title="after the compaction", date="2024-05-20")

    raw = read_without_delta_rs(s3)
    assert sorted(raw["id"].to_pylist()) == sorted(e.id for e in journal.open(s3).entries())
    row = raw.filter(__import__("pyarrow").compute.equal(raw["id"], kept[1].id)).to_pylist()[0]
    assert row["commentary"] == "edited"

    from deltalake import DeltaTable

    from journal.store.delta_io import storage_options

    protocol = DeltaTable(f"{s3}/entries", storage_options=storage_options()).protocol()
    assert (protocol.min_reader_version, protocol.min_writer_version) == (1, 2)
    assert not protocol.reader_features and not protocol.writer_features


def test_importing_the_journal_imports_no_deltalake() -> None:
    from conftest import fresh_python

    code = (
        "import sys, journal, journal.store.registry as r; r.backend_for('s3://b/p');"
        "print('deltalake' in sys.modules, 'boto3' in sys.modules)"
    )
    assert fresh_python(code) == ["False", "False"]
