"""An add to an s3:// journal is a blind append (journal/store/delta_append.py): a data file
and ``_delta_log/<v+1>.json`` PUT with If-None-Match, without loading the table through
delta-rs. Requests counted at the server; the table read back by delta-rs and by hand."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

pytest.importorskip("deltalake")
boto3 = pytest.importorskip("boto3")
pytest.importorskip("moto.server")

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
import test_lab_cache  # noqa: E402
from lab_helpers import CountingS3Server  # noqa: E402
from test_lab_store import read_without_delta_rs  # noqa: E402

import journal  # noqa: E402
from journal.store import delta_append  # noqa: E402
from journal.store.delta_io import storage_options  # noqa: E402
from journal.store.schema import SCHEMA, cast_table, encode, rows_to_table, strings  # noqa: E402

server = test_lab_cache.server  # the fixtures: a counting moto server, a fresh bucket on it
lab = test_lab_cache.lab
listed = test_lab_cache.listed


def delta_table(url: str) -> Any:
    from deltalake import DeltaTable

    return DeltaTable(f"{url}/entries", storage_options=storage_options())


def log_names(url: str, endpoint: str) -> list[str]:
    bucket, prefix = url[len("s3://") :].split("/", 1)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    listed_objects = client.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/entries/_delta_log/")
    return [o["Key"].rsplit("/", 1)[1] for o in listed_objects.get("Contents", [])]


def rows(*entries: journal.Entry) -> pa.Table:
    return cast_table(rows_to_table(b"".join(encode(e) for e in entries)), SCHEMA)


# --- the file and its stats, as delta-rs writes them ------------------------------------------


def test_the_data_file_and_stats_are_what_delta_rs_writes(tmp_path: Path) -> None:
    from deltalake import write_deltalake

    moment = dt.datetime(2024, 5, 9, 10, 11, 12, 345678, tzinfo=dt.timezone.utc)
    table = rows(
        journal.make_entry(title="é" * 40, date="2024-05-09", tags="a, b", authors="X; Y").replace(
            created_at=moment, updated_at=moment + dt.timedelta(seconds=5)
        ),
        journal.make_entry(title="b" * 70, date="2024-05-11", arxiv_id="2405.05254", arxiv_version=2).replace(
            created_at=moment - dt.timedelta(days=3), updated_at=moment
        ),
        journal.make_entry(title="plain", date="2024-05-10", commentary="🙂" * 20),
    )
    write_deltalake(str(tmp_path / "t"), table, mode="append")
    log = [
        json.loads(line)
        for line in (tmp_path / "t" / "_delta_log" / f"{0:020d}.json").read_text().splitlines()
    ]
    (theirs,) = [action["add"] for action in log if "add" in action]
    assert json.loads(
        json.loads(delta_append.commit_entry("x.parquet", 1, table).splitlines()[1])["add"]["stats"]
    ) == (json.loads(theirs["stats"]))
    ours = pq.ParquetFile(pa.BufferReader(delta_append.data_file(table)))
    delta_rs = pq.ParquetFile(tmp_path / "t" / theirs["path"])
    assert ours.schema_arrow == delta_rs.schema_arrow
    assert ours.metadata.format_version == delta_rs.metadata.format_version
    assert ours.metadata.row_group(0).column(0).compression == "SNAPPY"
    assert ours.read().equals(delta_rs.read())


# --- what an add costs --------------------------------------------------------------------------


def test_a_fresh_process_add_makes_at_most_20_requests(lab: str, server: CountingS3Server) -> None:
    j = journal.open(lab)
    j.add_many([journal.make_entry(title=f"paper {i}", date="2024-05-09") for i in range(30)])
    j.compact()  # a checkpoint
    for i in range(5):
        journal.open(lab).add(title=f"after the checkpoint {i}", date="2024-05-10")
    listed(lab, server)  # this machine's cache holds the table

    server.reset()
    added = run_cli("add", "--title", "counted", "--date", "2024-05-11", "--journal", lab)
    assert added.returncode == 0, added.stderr
    requests = server.taken()
    assert len(requests) <= 20, requests
    assert [m for m, _ in requests].count("PUT") == 2  # the data file and the commit
    assert not any("checkpoint" in p for _, p in requests)  # delta-rs did not load the table

    # every Delta reader reads the blind appends: delta-rs, and the log + Parquet by hand
    table = delta_table(lab)
    assert table.version() == 6 and f"{6:020d}.json" in log_names(lab, server.endpoint)
    assert table.to_pyarrow_table().num_rows == 36
    actions = pa.table(table.get_add_actions(flatten=True)).to_pylist()
    last = next(a for a in actions if a["num_records"] == 1 and a["min.title"] == "counted")
    assert last["max.title"] == "counted" and last["null_count.url"] == 1
    raw = read_without_delta_rs(lab)
    assert raw.num_rows == 36 and sorted(raw["id"].to_pylist()) == sorted(
        e.id for e in journal.open(lab).entries()
    )


def add_entries(url: str, worker: int, count: int, go: Any) -> None:
    j = journal.open(url)
    len(j)  # imports done and the cache filled before the race starts
    go.wait(60)
    for i in range(count):
        j.add(title=f"worker {worker} entry {i}", date="2024-05-09")


def test_two_processes_racing_blind_appends_keep_every_row_once(lab: str, server: CountingS3Server) -> None:
    journal.open(lab).add(title="seed", date="2024-05-08")
    ctx = multiprocessing.get_context("spawn")  # deltalake panics in a forked child
    go = ctx.Event()
    writers = [ctx.Process(target=add_entries, args=(lab, w, 15, go)) for w in range(2)]
    for p in writers:
        p.start()
    go.set()
    for p in writers:
        p.join(120)
    assert [p.exitcode for p in writers] == [0, 0]
    titles = sorted(e.title for e in journal.open(lab).entries() if e.title != "seed")
    assert titles == sorted(f"worker {w} entry {i}" for w in range(2) for i in range(15))
    assert read_without_delta_rs(lab).num_rows == 31  # not even a hidden double row
    assert delta_table(lab).version() == 30  # one version per add

    # a writer whose version another takes between its check and its commit: 412, then the next
    backend, other = journal.open(lab).backend, journal.open(lab)
    late = rows(journal.make_entry(title="late", date="2024-05-10", reader="late"))
    server.reset()

    def ids(version: int) -> set[str | None]:
        if len(other) == 31:
            other.add(title="taken in between", date="2024-05-10")  # version 31
        return set(strings(backend.snapshot(version)["id"]))

    assert delta_append.append(lab, backend.cache, backend.options, 30, late, ids)
    puts = [p.rsplit("/", 1)[1] for m, p in server.taken() if m == "PUT" and "/_delta_log/" in p]
    assert puts == [f"{31:020d}.json", f"{31:020d}.json", f"{32:020d}.json"]
    assert read_without_delta_rs(lab).num_rows == 33 and delta_table(lab).version() == 32


def test_a_commit_applied_but_answered_500_is_not_doubled(lab: str, server: CountingS3Server) -> None:
    j = journal.open(lab)
    j.add(title="first", date="2024-05-08")
    failed: list[str] = []

    def once(method: str, path: str) -> bool:
        if method == "PUT" and "/_delta_log/" in path and not failed:
            failed.append(path)
            return True
        return False

    server.fail_after = once
    server.reset()
    try:
        entry = journal.open(lab).add(title="answered 500", date="2024-05-09")
    finally:
        server.fail_after = None
    puts = [p for m, p in server.taken() if m == "PUT" and "/_delta_log/" in p]
    assert failed and puts.count(failed[0]) >= 2  # applied, answered 500, sent again
    assert [e.title for e in journal.open(lab).entries()] == ["first", "answered 500"]
    assert read_without_delta_rs(lab).num_rows == 2
    assert delta_table(lab).version() == 1

    # the same write sent again (the outbox after a crash): its id is stored, nothing doubles
    journal.open(lab).backend.send(encode(entry))
    assert sum(pa.table(delta_table(lab).get_add_actions(flatten=True))["num_records"].to_pylist()) == 2


def test_the_hundredth_version_gets_a_checkpoint(lab: str, server: CountingS3Server) -> None:
    j = journal.open(lab)
    j.add(title="paper 0", date="2024-05-09")  # version 0
    bucket, prefix = lab[len("s3://") :].split("/", 1)
    client = boto3.client("s3", endpoint_url=server.endpoint, region_name="us-east-1")
    for v in range(1, 98):  # versions that change nothing, as another engine may commit
        info = {
            "commitInfo": {"timestamp": 0, "operation": "WRITE", "operationParameters": {"mode": "Append"}}
        }
        key = f"{prefix}/entries/_delta_log/{v:020d}.json"
        client.put_object(Bucket=bucket, Key=key, Body=json.dumps(info).encode(), IfNoneMatch="*")
    j.add(title="version 98", date="2024-05-10")
    j.add(title="version 99", date="2024-05-10")  # blind: delta-rs would checkpoint here, this does not
    assert f"{99:020d}.checkpoint.parquet" not in log_names(lab, server.endpoint)
    j.add(title="the hundredth version", date="2024-05-10")  # through delta-rs, with a checkpoint
    j.add(title="and after", date="2024-05-10")
    names = log_names(lab, server.endpoint)
    assert f"{100:020d}.checkpoint.parquet" in names and f"{101:020d}.json" in names
    table = delta_table(lab)
    assert table.version() == 101 and table.to_pyarrow_table().num_rows == 5
    assert len(journal.open(lab)) == 5


def engines(url: str, endpoint: str) -> list[str]:
    """The engine of each commit, in version order."""
    bucket, prefix = url[len("s3://") :].split("/", 1)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    found = []
    for name in sorted(n for n in log_names(url, endpoint) if n.endswith(".json")):
        body = client.get_object(Bucket=bucket, Key=f"{prefix}/entries/_delta_log/{name}")["Body"].read()
        info = next(json.loads(line)["commitInfo"] for line in body.splitlines() if b"commitInfo" in line)
        found.append(str(info.get("engineInfo", "")))
    return found


def test_a_table_with_a_writer_feature_is_appended_to_through_delta_rs(
    lab: str, server: CountingS3Server
) -> None:
    j = journal.open(lab)
    j.add(title="first", date="2024-05-08")
    j.add(title="blind", date="2024-05-09")
    delta_table(lab).alter.add_constraint({"recent": "date > '2000-01-01'"})  # writer 3: CHECK constraints
    j.add(title="after the constraint", date="2024-05-10")  # the cache cannot follow the protocol change
    journal.open(lab).add(title="and in a new process", date="2024-05-11")  # nor append past it
    assert [e.startswith("delta-rs") for e in engines(lab, server.endpoint)] == [
        True,
        False,
        True,
        True,
        True,
    ]
    with pytest.raises(journal.JournalError):
        journal.open(lab).add(title="refused by the constraint", date="1999-05-12")
    assert len(journal.open(lab)) == 4


def test_a_cache_kept_before_layouts_is_loaded_once_then_appends_blind(
    lab: str, server: CountingS3Server, tmp_path: Path
) -> None:
    j = journal.open(lab)
    j.add(title="first", date="2024-05-08")
    assert len(journal.open(lab)) == 1  # fills this machine's cache
    state = next((tmp_path / "cache").rglob("table-cache/state.json"))
    kept = json.loads(state.read_text())
    del kept["layout"]  # as a build before blind appends kept it
    state.write_text(json.dumps(kept))
    journal.open(lab).add(title="second", date="2024-05-09")
    journal.open(lab).add(title="third", date="2024-05-10")
    assert [e.startswith("delta-rs") for e in engines(lab, server.endpoint)] == [True, False, False]
    assert "layout" in json.loads(state.read_text())
