"""A writer process for the kill and concurrency tests (run as a script).

    python _writer.py JOURNAL NAME COUNT MODE

Adds COUNT entries (every fifth step a batch of 20 through add_many) and prints a line
for each write *after* it returned: `add ID` or `batch ID ID ...`. MODE `small` keeps the
store's defaults (every write compacts a small journal); `large` makes it keep change files
and compact every 7 of them, so both paths are exercised.
"""

from __future__ import annotations

import sys

from journal.model import make_entry
from journal.store import Journal, local


def main() -> None:
    path, name, count, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    if mode == "large":
        local.SMALL_JOURNAL_ROWS = 0
        local.MAX_PENDING_CHANGES = 7
    j = Journal(path)
    for i in range(count):
        if i % 5 == 4:
            batch = [
                make_entry(title=f"{name} batch {i} #{k}", date="2024-05-09", commentary="한국어 메모 " * 20)
                for k in range(20)
            ]
            result = j.add_many(batch)
            print("batch", *[e.id for e in result.added], flush=True)
        else:
            e = j.add(
                title=f"{name} entry {i}", date="2024-05-09", commentary="긴 코멘트 " * 30, tags="kill test"
            )
            print("add", e.id, flush=True)


if __name__ == "__main__":
    main()
