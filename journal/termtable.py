"""Plain-text tables that line up in a terminal, Korean (double-width) text included."""

from __future__ import annotations

import functools
import shutil
import unicodedata
from collections.abc import Sequence


@functools.lru_cache(maxsize=4096)
def _char_width(c: str) -> int:
    return 2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1


def width(text: str) -> int:
    """Terminal columns of ``text`` (a table of 4,000 rows measures every cell twice)."""
    if text.isascii():
        return len(text)
    return sum(map(_char_width, text))


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` columns, with an ellipsis when cut."""
    text = " ".join(text.split())
    if width(text) <= limit:
        return text
    if text.isascii():
        return text[: max(0, limit - 1)] + "…"
    out, used = [], 0
    for c in text:
        w = _char_width(c)
        if used + w > limit - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def pad(text: str, size: int) -> str:
    return text + " " * max(0, size - width(text))


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], flex: int = -1, max_width: int | None = None
) -> str:
    """Columns sized to their content; column ``flex`` is clipped to fit the terminal."""
    total = max_width or shutil.get_terminal_size((120, 24)).columns
    cells = [[" ".join(str(c).split()) for c in row] for row in rows]
    sizes = [[width(c) for c in row] for row in cells]  # measured once: a list has thousands
    widths = [max([width(h)] + [s[i] for s in sizes]) for i, h in enumerate(headers)]
    flex = flex % len(headers)
    others = sum(w for i, w in enumerate(widths) if i != flex) + 2 * (len(headers) - 1)
    widths[flex] = max(12, min(widths[flex], total - others))
    lines = ["  ".join(pad(h, widths[i]) for i, h in enumerate(headers)).rstrip()]
    for row, row_sizes in zip(cells, sizes, strict=True):
        parts = []
        for i, (text, size) in enumerate(zip(row, row_sizes, strict=True)):
            if size > widths[i]:
                text = clip(text, widths[i])
                size = width(text)
            parts.append(text + " " * (widths[i] - size))
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)
