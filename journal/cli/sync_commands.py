"""``journal sync``: send the writes this machine keeps in its outbox to the journal's
store (a journal in object storage; see ``journal.store.outbox``)."""

from __future__ import annotations

import argparse

from journal.cli.common import Command, open_journal
from journal.text import wording


def cmd_sync(args: argparse.Namespace) -> int:
    backend = open_journal(args).backend
    send = getattr(backend, "send_outbox", None)
    if send is None:
        print(f"nothing to sync: {args.journal} is on this machine (every write goes straight to it)")
        return 0
    sent = send()
    if sent:
        print(f"sent {wording.count(sent, 'waiting change')} to {args.journal}")
    else:
        print(f"nothing waits to be sent to {args.journal}")
    return 0


COMMANDS = (
    Command(
        "sync",
        "send changes kept on this machine (the store could not be reached) to the journal",
        cmd_sync,
        description=(
            "Send the changes this machine kept in its outbox because the journal's store "
            "(s3://...) could not be reached or refused them, oldest first, each once. "
            "The next write does the same first; a local journal has nothing to sync."
        ),
    ),
)
