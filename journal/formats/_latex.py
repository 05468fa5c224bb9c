"""Plain text to BibTeX field values and back.

``encode`` makes any text safe inside ``{...}``: the characters TeX treats specially are
escaped, and ``$...$`` math is kept as written (so ``PixArt-$\\alpha$`` stays LaTeX).
Braces in text become ``\\textbraceleft{}``/``\\textbraceright{}`` rather than ``\\{``,
because BibTeX counts every brace, escaped or not, and an unbalanced one would break the
file. ``decode`` undoes that exactly (``decode(encode(s)) == s``) and also reads what other
tools write: accent commands (``{\\"o}``, ``\\'{e}``), ``\\emph{...}``, ties, protective braces.
"""

from __future__ import annotations

import re
import unicodedata

_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_TEXT_SPECIAL = re.compile(r"[\\{}&%#_$~^]")


def _balanced(text: str) -> bool:
    depth = 0
    for c in text:
        depth += c == "{"
        depth -= c == "}"
        if depth < 0:
            return False
    return depth == 0


def split_math(text: str) -> list[tuple[bool, str]]:
    """``(is_math, piece)`` pieces: ``$...$`` spans within a line (not ``\\$``) and the text
    between."""
    pieces: list[tuple[bool, str]] = []
    pos = 0
    for m in re.finditer(r"(?<!\\)\$(?:[^$\\\n]|\\[^\n])+?(?<!\\)\$", text):
        if m.start() > pos:
            pieces.append((False, text[pos : m.start()]))
        pieces.append((True, m.group(0)))
        pos = m.end()
    if pos < len(text):
        pieces.append((False, text[pos:]))
    return pieces


def escape_text(text: str) -> str:
    return _TEXT_SPECIAL.sub(lambda m: _TEXT_ESCAPES[m.group(0)], text)


def encode(text: str) -> str:
    """``text`` as the inside of a braced BibTeX value (math kept, the rest escaped)."""
    out = []
    pos = 0
    for m in re.finditer(r"\$[^$\n]+\$", text):  # math stays on one line
        math = m.group(0)
        if not _balanced(math) or "\\$" in math or math.endswith("\\$"):
            continue  # not math we can keep verbatim: escaped with the text around it
        out.append(escape_text(text[pos : m.start()]))
        out.append(math)
        pos = m.end()
    out.append(escape_text(text[pos:]))
    return "".join(out)


# --- decoding --------------------------------------------------------------------------

_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
}
_WORDS = {
    "textbackslash": "\\",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textendash": "–",
    "textemdash": "—",
    "textquoteright": "’",
    "textquoteleft": "‘",
    "ldots": "…",
    "dots": "…",
    "textellipsis": "…",
    "S": "§",
    "P": "¶",
    "copyright": "©",
    "textregistered": "®",
    "texttrademark": "™",
    "textdegree": "°",
}
_FORMATTING = {
    *("emph", "textit", "textbf", "textsc", "texttt", "textrm", "textsf", "textsl", "textup"),
    *("mbox", "url", "bf", "it", "em", "sc", "tt", "rm", "sf", "sl", "relax", "protect"),
}

_TOKEN = re.compile(
    r"""
    \\(?P<acc>["'`^~=.])\s*(?:\{(?P<acc_arg1>\\?[A-Za-z]?)\}|(?P<acc_arg2>\\?[A-Za-z]))  # \"o \'{e} \'\i
  | \\(?P<accw>[uvHckrdb])(?:\{(?P<accw_arg1>\\?[A-Za-z]?)\}|\s+(?P<accw_arg2>[A-Za-z]))  # \v{s} \c c
  | \\(?P<word>[A-Za-z]+)(?:\{\}|\s+(?=[^\s]))?        # \textbackslash{} \ss \emph
  | \\(?P<sym>[&%#_${}\\\ ,;:!])                       # \& \% ... \\ (line break) \  (space)
  | (?P<tie>~)
  | (?P<brace>[{}])
    """,
    re.VERBOSE,
)


def _accent(mark: str, base: str) -> str:
    if base in ("\\i", "\\j"):  # dotless i/j under an accent: the accented letter
        base = base[1]
    elif base.startswith("\\"):
        base = _LETTERS.get(base[1:], base[1:])
    return unicodedata.normalize("NFC", base + mark) if base else mark


def _decode_text(text: str) -> str:
    out: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        out.append(text[pos : m.start()])
        pos = m.end()
        if m["acc"]:
            out.append(_accent(_ACCENTS[m["acc"]], m["acc_arg1"] or m["acc_arg2"] or ""))
        elif m["accw"]:
            out.append(_accent(_ACCENTS[m["accw"]], m["accw_arg1"] or m["accw_arg2"] or ""))
        elif m["word"]:
            word = m["word"]
            if word in _WORDS:
                out.append(_WORDS[word])
            elif word in _LETTERS:
                out.append(_LETTERS[word])
            elif word in _FORMATTING:
                pass  # keep the argument (its braces go as protective braces)
            else:
                out.append(m.group(0))  # a command we do not know: keep it as written
        elif m["sym"]:
            sym = m["sym"]
            out.append(" " if sym in " ,;:!" or sym == "\\" else sym)
        elif m["tie"]:
            out.append(" ")
        # protective braces are dropped
    out.append(text[pos:])
    return "".join(out)


def decode(value: str) -> str:
    """Text from a BibTeX value: math kept as written, the rest un-escaped."""
    return "".join(piece if is_math else _decode_text(piece) for is_math, piece in split_math(value))
