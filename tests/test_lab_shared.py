"""Side state a lab journal (``s3://``) shares in its bucket: the recorded listings and each
reader's triage feedback, seen alike from two machines (two ``JOURNAL_CACHE`` folders,
fresh processes); conditional writes that lose no change to a racing writer; read-only
keys that rank without recording and refuse feedback in one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, run_cli

pytest.importorskip("deltalake")
pytest.importorskip("boto3")
pytest.importorskip("moto.server")

import test_lab_faults
import test_lab_store
from test_lab_faults import use
from test_lab_store import aws_env, client, one_error_line

import journal
from journal.store import SideState, shared_folder, update_shared
from journal.store.objects import s3_client

iam_server = test_lab_faults.iam_server  # the read-only IAM setup (moto's IAM), a module fixture
s3_server = test_lab_store.s3_server  # a moto S3 server for this module
LISTING = DATA / "triage" / "listing.jsonl"
DAY = "2025-01-15"  # the listing's latest day


_BUCKETS = iter(range(10_000))


@pytest.fixture
def s3(s3_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    use(s3_server, monkeypatch, tmp_path / "setup")
    bucket = f"shared-{next(_BUCKETS)}"
    client(s3_server).create_bucket(Bucket=bucket)
    return f"s3://{bucket}/j"


def keys(endpoint: str, bucket: str, prefix: str, **creds: str) -> list[str]:
    """The keys under ``prefix`` in ``bucket``, listed with ``creds`` (default: the lab's)."""
    listed = s3_client({**aws_env(endpoint), **creds}).list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for o in listed.get("Contents", ()))


def add_reading(url: str) -> None:
    j = journal.open(url)
    j.add(title="MERaLiON-TextLLM", arxiv_id="2501.07058v2", date="2025-01-16")
    j.add(title="Scaling data for LLM training", abstract="open datasets for language model training")


def ranked_ids(proc: Any) -> list[str]:
    assert proc.returncode == 0, proc.stderr
    return [r["arxiv_id"] for r in map(json.loads, proc.stdout.splitlines()) if not r["read"]]


def test_two_machines_share_the_recorded_days_and_a_readers_feedback(
    s3: str, s3_server: str, tmp_path: Path
) -> None:
    add_reading(s3)
    bucket = s3.split("/")[2]
    a = {"JOURNAL_CACHE": str(tmp_path / "machine-a"), "JOURNAL_READER": "ana"}
    b = {"JOURNAL_CACHE": str(tmp_path / "machine-b"), "JOURNAL_READER": "ana"}

    on_a = run_cli("triage", "--listing", str(LISTING), "--json", "--limit", "0", "--journal", s3, **a)
    first = ranked_ids(on_a)
    assert keys(s3_server, bucket, "j/listings/") == [
        "j/listings/date=2025-01-14/listing.parquet",
        "j/listings/date=2025-01-15/listing.parquet",
    ]
    dismissed = run_cli("dismiss", first[0], "--journal", s3, **a)
    assert dismissed.returncode == 0, dismissed.stderr
    assert keys(s3_server, bucket, "j/feedback/") == ["j/feedback/ana.jsonl"]

    # machine B never saw the listing nor the dismissal: it ranks the day recorded in the
    # bucket (no request to arXiv), and ana's dismissal there leaves the paper out
    on_b = run_cli("triage", DAY, "--json", "--limit", "0", "--journal", s3, **b)
    assert sorted(ranked_ids(on_b)) == sorted(first[1:])
    assert not (tmp_path / "machine-b" / bucket / "j" / "entries.d" / "listings").exists()


def test_a_write_that_raced_with_another_machine_is_made_again_on_top_of_it(s3: str) -> None:
    folder = shared_folder(journal.open(s3).backend, SideState.FEEDBACK)
    seen: list[bytes | None] = []

    def append(old: bytes | None) -> bytes:
        if len(seen) < 2:  # another machine writes between this read and this write, twice
            other = folder.read("ana.jsonl")
            folder.write("ana.jsonl", (other.data if other else b"") + b"theirs\n", replacing=other)
        seen.append(old)
        return (old or b"") + b"mine\n"

    update_shared(folder, "ana.jsonl", append)
    stored = folder.read("ana.jsonl")
    assert stored is not None and stored.data == b"theirs\ntheirs\nmine\n"
    # the first attempt was to create the file (If-None-Match), the second to replace it (If-Match)
    assert seen == [None, b"theirs\n", b"theirs\ntheirs\n"]


def test_read_only_keys_rank_without_recording_and_refuse_feedback_in_one_line(
    iam_server: tuple[str, dict[str, str], dict[str, str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    endpoint, writer, reader = iam_server
    use(endpoint, monkeypatch, tmp_path / "w", **writer)
    s3_client({**aws_env(endpoint), **writer}).create_bucket(Bucket="shared-lab")
    url = "s3://shared-lab/j"
    add_reading(url)
    before = keys(endpoint, "shared-lab", "j/", **writer)

    use(endpoint, monkeypatch, tmp_path / "r", **reader)
    triaged = run_cli("triage", "--listing", str(LISTING), "--json", "--journal", url, JOURNAL_READER="ro")
    assert triaged.returncode == 0, triaged.stderr
    assert ranked_ids(triaged)  # ranked all the same
    assert triaged.stderr.splitlines() == [
        f"journal: note: {DAY} was ranked but not recorded as seen: these credentials are read-only: they "
        "may read the journal, not change it (reading commands, rendering and triage work); ask for keys "
        "that may write"
    ]
    line = one_error_line(run_cli("dismiss", "2501.07058", "--journal", url, JOURNAL_READER="ro"))
    assert line == (
        f"journal: error: {url}: these credentials are read-only: they may read the journal, not change it "
        "(reading commands, rendering and triage work); ask for keys that may write"
    )
    assert reader["AWS_SECRET_ACCESS_KEY"] not in triaged.stderr + line
    assert keys(endpoint, "shared-lab", "j/", **writer) == before  # nothing recorded, no feedback
    assert not list((tmp_path / "r").rglob("listing.parquet")) and not list((tmp_path / "r").rglob("*.jsonl"))


def test_condition_failed_reads_the_status_not_the_message_text() -> None:
    """One rule for "a conditional PUT lost the race" (shared folders, the probe, appends,
    the compaction lease): the answer's status or code, never a number in its message."""
    from botocore.exceptions import ClientError

    from journal.store.objects import condition_failed

    def answer(status: int, code: str, message: str = "") -> ClientError:
        meta = {"HTTPStatusCode": status}
        return ClientError(
            {"Error": {"Code": code, "Message": message}, "ResponseMetadata": meta}, "PutObject"
        )

    assert condition_failed(answer(412, "PreconditionFailed"))
    assert condition_failed(answer(409, "ConditionalRequestConflict"))
    assert condition_failed(answer(412, "412"))  # no body: botocore's code is the status
    assert not condition_failed(answer(500, "InternalError", "request 4120409 failed"))
    assert not condition_failed(answer(403, "AccessDenied", "key (412) denied"))
