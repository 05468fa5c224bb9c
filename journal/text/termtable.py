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


#: With ``cut`` columns: the widths they and the ``flex`` column give up to, in turn
#: (41: a title cut keeps its first 40 columns and the ellipsis).
CUT_FLOOR, FLEX_FLOOR, CUT_MIN, FLEX_MIN = 20, 41, 8, 12


def terminal_width() -> int:
    """The terminal's columns (``COLUMNS`` when set, else the terminal's; 120 when neither says)."""
    return shutil.get_terminal_size((120, 24)).columns


def _fit(widths: list[int], headers: Sequence[str], total: int, flex: int, cut: Sequence[int]) -> list[int]:
    """``widths`` narrowed to ``total`` columns: first the ``cut`` columns to
    :data:`CUT_FLOOR`, then ``flex`` to :data:`FLEX_FLOOR`, then the ``cut`` columns to
    their header (at least :data:`CUT_MIN`), then ``flex`` to :data:`FLEX_MIN`."""
    widths = list(widths)
    stages = [(i, CUT_FLOOR) for i in cut] + [(flex, FLEX_FLOOR)]
    stages += [(i, max(CUT_MIN, width(headers[i]))) for i in cut] + [(flex, FLEX_MIN)]
    for column, floor in stages:
        excess = sum(widths) + 2 * (len(widths) - 1) - total
        if excess <= 0:
            break
        widths[column] -= max(0, min(excess, widths[column] - floor))
    return widths


def _cut_line(line: str, limit: int) -> str:
    """``line`` cut to ``limit`` columns (spacing kept, unlike :func:`clip`)."""
    if width(line) <= limit:
        return line
    out, used = [], 0
    for c in line:
        w = _char_width(c)
        if used + w > limit - 1:
            break
        out.append(c)
        used += w
    return "".join(out).rstrip() + "…"


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    flex: int = -1,
    max_width: int | None = None,
    cut: Sequence[int] = (),
) -> str:
    """Columns sized to their content; column ``flex`` is clipped to fit the terminal.

    ``cut``: columns (a reason, tags) that give up room first, so that ``flex`` (a title)
    keeps it; then no line is wider than the terminal (a line is cut only when even the
    narrowest columns do not fit). Clipped cells end in an ellipsis."""
    total = max_width or terminal_width()
    cells = [[" ".join(str(c).split()) for c in row] for row in rows]
    sizes = [[width(c) for c in row] for row in cells]  # measured once: a list has thousands
    widths = [max([width(h)] + [s[i] for s in sizes]) for i, h in enumerate(headers)]
    flex = flex % len(headers)
    if cut:
        widths = _fit(widths, headers, total, flex, [i % len(headers) for i in cut])
    else:
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
    if cut:
        lines = [_cut_line(line, total) for line in lines]
    return "\n".join(lines)
