"""An empty table cache reads the Delta log with pyarrow alone (journal/store/delta_log.py):
the newest checkpoint, the commits after it, the live data files; no delta-rs imported.
Requests counted at the server."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import cli_env

pytest.importorskip("deltalake")
boto3 = pytest.importorskip("boto3")
pytest.importorskip("moto.server")

from lab_helpers import CountingS3Server, serving, use_server  # noqa: E402

import journal  # noqa: E402
from journal.store.delta_io import storage_options  # noqa: E402
from journal.store.delta_log import Unfollowable, replay  # noqa: E402

KEYS = {"AWS_ACCESS_KEY_ID": "cold-key", "AWS_SECRET_ACCESS_KEY": "cold-secret", "AWS_REGION": "us-east-1"}

#: a fresh process: the CLI's main lists the journal, then says whether deltalake was imported
CHILD = """
import sys
from journal.cli import main
code = main(["list", "--journal", sys.argv[1]])
sys.stdout.flush()
print("deltalake imported" if "deltalake" in sys.modules else "no deltalake", file=sys.stderr)
sys.exit(code)
"""


@pytest.fixture(scope="module")
def server() -> Iterator[CountingS3Server]:
    yield from serving()


@pytest.fixture
def lab(server: CountingS3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    use_server(monkeypatch, server.endpoint, KEYS, tmp_path / "cache")
    boto3.client("s3", endpoint_url=server.endpoint, region_name="us-east-1").create_bucket(Bucket="lab-cold")
    return "s3://lab-cold/j"


def log_names(endpoint: str) -> list[str]:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    listed = client.list_objects_v2(Bucket="lab-cold", Prefix="j/entries/_delta_log/")
    return [o["Key"].rsplit("/", 1)[1] for o in listed.get("Contents", [])]


def test_an_empty_cache_lists_from_the_checkpoint_without_delta_rs(
    lab: str, server: CountingS3Server, tmp_path: Path
) -> None:
    from deltalake import DeltaTable

    j = journal.open(lab)
    j.add_many([journal.make_entry(title=f"paper {i}", date="2024-05-09") for i in range(30)])
    j.compact()  # a checkpoint
    j.add(title="appended blind", date="2024-05-10")
    j.add(title="appended blind too", date="2024-05-11")
    first = j.entries()[0]
    j.update(first.id, title="edited by a merge")  # delta-rs: a remove and an add
    j.delete(j.entries()[-1].id)

    server.reset()
    child = subprocess.run(
        [sys.executable, "-c", CHILD, lab],
        capture_output=True,
        text=True,
        env=cli_env(JOURNAL_CACHE=str(tmp_path / "empty")),
        timeout=120,
    )
    requests = server.taken()
    assert child.returncode == 0, child.stderr
    assert child.stderr.strip().splitlines()[-1] == "no deltalake"

    dt = DeltaTable(f"{lab}/entries", storage_options=storage_options())
    theirs = dt.to_pyarrow_table(columns=["title"])["title"].to_pylist()
    listed = [title for title in theirs if title in child.stdout]
    assert sorted(listed) == sorted(theirs) and len(theirs) == 31  # 30 + 2 - 1 deleted
    assert "edited by a merge" in child.stdout and first.title not in child.stdout
    state = json.loads(next((tmp_path / "empty").rglob("table-cache/state.json")).read_text())
    live = [str(p) for p in dt.get_add_actions(flatten=True).column("path").to_pylist()]
    assert state["version"] == dt.version() and sorted(state["files"]) == sorted(live)
    assert (
        state["layout"]["protocol"] == [1, 2] and state["layout"]["columns"] == dt.schema().to_arrow().names
    )

    names = log_names(server.endpoint)
    checkpoint = max(int(n[:20]) for n in names if n.endswith(".checkpoint.parquet"))
    commits = dt.version() - checkpoint
    assert commits == 4
    # one LIST of _delta_log/, the checkpoint, each later commit and each live data file
    # (a HEAD and a GET each): nothing else
    assert len(requests) == 1 + 2 + 2 * commits + 2 * len(live), requests
    assert not any("_last_checkpoint" in p for _, p in requests)


def commit(*actions: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(a).encode() + b"\n" for a in actions)


PROTOCOL = {"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}}
META = {"metaData": {"schemaString": json.dumps({"fields": [{"name": "id"}]}), "partitionColumns": []}}


def test_replay_follows_commits_and_leaves_the_rest_to_delta_rs() -> None:
    log = {
        f"{0:020d}.json": commit(PROTOCOL, META, {"add": {"path": "a%20b.parquet"}}),
        f"{1:020d}.json": commit({"add": {"path": "c.parquet"}}, {"remove": {"path": "a%20b.parquet"}}),
    }
    files, layout = replay(log, 1, log.get)
    assert files == ["c.parquet"]
    assert layout == {"protocol": [1, 2], "features": [], "partitions": [], "columns": ["id"]}
    assert replay(log, 0, log.get)[0] == ["a b.parquet"]

    cases = {
        "a multi-part checkpoint": {**log, f"{1:020d}.checkpoint.0000000001.0000000002.parquet": b""},
        "a v2 checkpoint": {**log, f"{1:020d}.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json": b""},
        "a commit gone": {f"{1:020d}.json": log[f"{1:020d}.json"]},
        "deletion vectors": {
            f"{0:020d}.json": commit(PROTOCOL, META, {"add": {"path": "d", "deletionVector": {"x": 1}}})
        },
        "reader features": {
            f"{0:020d}.json": commit(
                {
                    "protocol": {
                        "minReaderVersion": 3,
                        "minWriterVersion": 7,
                        "readerFeatures": ["v2Checkpoint"],
                    }
                },
                META,
            )
        },
        "partitions": {
            f"{0:020d}.json": commit(PROTOCOL, {"metaData": {**META["metaData"], "partitionColumns": ["id"]}})
        },
    }
    for name, names in cases.items():
        with pytest.raises(Unfollowable):
            replay(names, max(int(n[:20]) for n in names), names.get)
            pytest.fail(name)
