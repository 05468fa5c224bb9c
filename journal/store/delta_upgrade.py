"""Bring a lab journal's Delta table up to the store's schema: a table created before a
column existed (``reader``, by a build before readers) gets it, as a nullable column,
with ``DeltaTable.alter.add_columns``. Adding a nullable column is a metadata commit that
keeps the table at protocol reader 1 / writer 2 with no table features (no column mapping),
so every Delta reader still reads it; the rows written before read the new column as null
(an entry from before readers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from journal.store.delta_io import retrying
from journal.store.schema import SCHEMA

if TYPE_CHECKING:
    import pyarrow as pa
    from deltalake import DeltaTable


def missing_fields(dt: DeltaTable) -> list[pa.Field]:
    """The fields of the store's schema that the table at ``dt``'s version lacks."""
    have = {f.name for f in dt.schema().fields}
    return [f for f in SCHEMA if f.name not in have]


def add_missing_columns(url: str, load: Callable[[], DeltaTable | None]) -> list[str]:
    """Add the columns the latest table lacks (nullable; retried on a conflict, looking
    again each time: another machine may have added them); the names added by this call."""
    from deltalake import Field

    added: list[str] = []

    def step() -> None:
        dt = load()
        missing = [] if dt is None else missing_fields(dt)
        if dt is not None and missing:
            dt.alter.add_columns([Field.from_arrow(f.with_nullable(True)) for f in missing])
            added.extend(f.name for f in missing)

    retrying(url, "the upgrade", step)
    return added
