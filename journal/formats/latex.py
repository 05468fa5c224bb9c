"""Plain text to BibTeX field values and back.

``encode`` makes any text safe inside ``{...}``: the characters TeX treats specially are
escaped, and ``$...$`` math is kept as written (so ``PixArt-$\\alpha$`` stays LaTeX).
Braces in text become ``\\textbraceleft{}``/``\\textbraceright{}`` rather than ``\\{``,
because BibTeX counts every brace, escaped or not, and an unbalanced one would break the
file. These few rules are hand-written on purpose: pylatexenc's encoder would write ``é``
as ``\\'e`` and braces as ``\\{``.

``decode`` reads a value with pylatexenc (accents, letters, symbols, formatting commands,
protective braces), math spans kept as written, and undoes ``encode`` exactly
(``decode(encode(s)) == s``).
"""

from __future__ import annotations

import logging
import re
from functools import cache, lru_cache
from typing import Any

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
    # "@" first on a line starts a new entry to BibTeX parsers: an empty group before it
    return _LINE_AT.sub(r"\1{}@", "".join(out))


_LINE_AT = re.compile(r"(?m)^([ \t]*)@")


# --- decoding --------------------------------------------------------------------------
# pylatexenc (what bibtexparser's LaTeX middleware uses) reads accents, letters, symbols
# and formatting commands. These rules keep what this module has always read, where
# pylatexenc reads it otherwise: what ``encode`` writes and pylatexenc does not know or
# turns into something else (``\textbraceleft{}``, ``\textasciicircum{}`` as ``^``, not
# ``ˆ``), TeX ligatures kept as typed (``--`` is not a dash in a title), a tie or ``\\``
# as a space, ``\url{x}`` as ``x``, and a command nobody knows kept as written.

_MACROS = {
    "textbraceleft": "{",
    "textbraceright": "}",
    "textasciicircum": "^",
    "textasciitilde": "~",
    "S": "§",
    "P": "¶",
    "copyright": "©",
    "\\": " ",
    "!": " ",
}
#: formatting that pylatexenc does not know: the command goes, its argument stays
_FORMATTING = ("bf", "it", "em", "sc", "tt", "rm", "sf", "sl", "relax", "protect")
_FORMATTING_ARG = ("mbox", "textsf", "texttt", "textup")
_KEPT_AS_TYPED = ("---", "--", "``", "''", "!`", "?`")
#: references that pylatexenc turns into ``<cit.>``, ``<ref>``, ``< g r a p h i c s >``:
#: their key is the reader's text, kept as written
_KEPT_WITH_ARGUMENTS = (
    "cite",
    "citep",
    "citet",
    "citealp",
    "citeauthor",
    "ref",
    "eqref",
    "autoref",
    "cref",
    "Cref",
    "includegraphics",
)
# a % or $ not escaped: in text (math is split off before) they are characters, not a
# TeX comment or the start of math
_LITERAL = re.compile(r"(?<!\\)((?:\\\\)*)([%$])")


@cache
def _converter() -> Any:
    from pylatexenc import latexwalker
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        SpecialsTextSpec,
        get_default_latex_context_db,
    )
    from pylatexenc.macrospec import MacroSpec

    # its "failed its substitution" warnings are about input we keep as typed
    logging.getLogger("pylatexenc").setLevel(logging.CRITICAL)

    db = get_default_latex_context_db().filter_context()
    db.add_context_category(
        "journal",
        prepend=True,
        macros=[
            *(MacroTextSpec(name, simplify_repl=text) for name, text in _MACROS.items()),
            MacroTextSpec("url", simplify_repl="%s"),
            *(MacroTextSpec(name, simplify_repl="") for name in _FORMATTING),
            *(MacroTextSpec(name, simplify_repl="%s") for name in _FORMATTING_ARG),
        ],
        specials=[
            *(SpecialsTextSpec(chars, simplify_repl=chars) for chars in _KEPT_AS_TYPED),
            SpecialsTextSpec("~", simplify_repl=" "),
            SpecialsTextSpec("&", simplify_repl="&"),
        ],
    )
    db.add_context_category(
        "journal-kept",
        prepend=True,
        macros=[MacroTextSpec(name, simplify_repl=_as_typed) for name in _KEPT_WITH_ARGUMENTS],
    )
    db.set_unknown_macro_spec(MacroTextSpec("", simplify_repl=_as_typed))
    parsing = latexwalker.get_default_latex_context_db().filter_context()
    parsing.add_context_category(
        "journal",
        prepend=True,
        macros=[
            MacroSpec("url", "{"),
            MacroSpec("href", "{{"),  # latex2text reads two arguments, the walker knew none
            *(MacroSpec(name, "{") for name in _FORMATTING_ARG),
        ],
    )
    # what latex2text knows and the walker does not (``\ss``, ``\&``) takes no argument
    known = {m.macroname for m in parsing.iter_macro_specs()}
    textual = [m.macroname for m in db.iter_macro_specs() if m.macroname not in known]
    parsing.add_context_category(
        "journal-text", macros=[MacroSpec(name, "") for name in dict.fromkeys(textual)]
    )
    # a command nobody knows keeps its braced argument, as typed (``\foo{x}``, not ``\foox``)
    parsing.set_unknown_macro_spec(MacroSpec("", "{"))
    return LatexNodes2Text(latex_context=db, math_mode="verbatim"), parsing


def _decode_text(text: str) -> str:
    # pylatexenc parses ~30 µs per character: only the words that hold a command or a
    # dollar go through it; the rest hold only groups and ties, which are read here
    # exactly as pylatexenc reads them (the property tests compare the two)
    if "\\" in text or "$" in text:
        pieces = _ACCENTS.split(text)
        if _only_accents(pieces):  # a whole value at once, as _decode_word does a word
            return _read_accents(pieces)
    return "".join(_decode_word(c) if "\\" in c or "$" in c else _plain(c) for c in _chunks(text))


_ARG = r"(?:[a-zA-Z]|\\[ij](?![^\W\d_]|\s))"  # \i eats letters and spaces after it
#: an accent, letter or escaped character that reads the same alone as in its word:
#: ``{\"o}``, ``\'{e}``, ``\'e``, ``\v{c}``, ``{\c{c}}``, ``{\'\i}``, ``{\ss}``, ``\L{}``, ``\&``
_ACCENT = (
    r"\\[`'^\"~=.](?:" + _ARG + r"|\{" + _ARG + r"\})"
    r"|\\[uvHckbdrt]\{" + _ARG + r"\}"
    r"|\\(?:ss|o|O|l|L|ae|AE|oe|OE|aa|AA|i|j)(?=\})"  # only inside braces: no space to eat
    r"|\\(?:ss|o|O|l|L|ae|AE|oe|OE|aa|AA)\{\}"
    r"|\\[&%$#_]"
)
_ACCENTS = re.compile(r"(\{(?:" + _ACCENT + r")\}|" + _ACCENT + r")")


def _decode_word(word: str) -> str:
    # names and words with accents rarely repeat in a bibliography, their accents do: when
    # every command of a word is one of those, each is read by pylatexenc alone (and
    # remembered) and the text between as in _plain; anything else, the word as a whole
    pieces = _ACCENTS.split(word)
    return _read_accents(pieces) if _only_accents(pieces) else _pylatexenc(word)


def _only_accents(pieces: list[str]) -> bool:
    """Whether the text between the accents of ``_ACCENTS.split`` holds no other command."""
    return len(pieces) > 1 and not any("\\" in p or "$" in p for p in pieces[::2])


def _read_accents(pieces: list[str]) -> str:
    return "".join(_pylatexenc(p) if i % 2 else _plain(p) for i, p in enumerate(pieces))


_PLAIN = re.compile(r"[{}~]")
# a command name is letters as str.isalpha() has them, as pylatexenc reads it (``\\ss가``)
_ENDS_IN_COMMAND = re.compile(r"\\(?:[^\W\d_]+|.)?$", re.S)


def _plain(text: str) -> str:
    return _PLAIN.sub(lambda m: " " if m.group(0) == "~" else "", text)


def _chunks(text: str) -> list[str]:
    """``text`` cut at white space outside braces, except after a command (whose
    argument may follow the space): pieces that decode independently."""
    if "\\" not in text and "$" not in text:
        return [text]
    chunks: list[str] = []
    depth = start = 0
    for m in re.finditer(r"[{}]|\\[{}]|\s+", text):
        token = m.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif token[0].isspace() and depth == 0 and not _ENDS_IN_COMMAND.search(text, start, m.start()):
            chunks += [text[start : m.start()], token]
            start = m.end()
    chunks.append(text[start:])
    return [c for c in chunks if c]


def _as_typed(node: Any, *_: Any) -> str:
    return str(node.latex_verbatim())


@lru_cache(maxsize=8192)  # names and accented words recur across a bibliography
def _pylatexenc(text: str) -> str:
    from pylatexenc.latexwalker import LatexWalker

    converter, parsing = _converter()
    source = _LITERAL.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    walker = LatexWalker(source, latex_context=parsing, tolerant_parsing=True)
    try:
        nodes, _, _ = walker.get_latex_nodes()
        return str(converter.nodelist_to_text(nodes))
    except (IndexError, KeyError, AttributeError, TypeError, ValueError):
        # a command without the arguments pylatexenc's rule for it needs (``\href``
        # alone, ``\sqrt x``): kept as typed rather than failing the import
        return text


def decode(value: str) -> str:
    """Text from a BibTeX value: math kept as written, the rest un-escaped by pylatexenc."""
    return "".join(piece if is_math else _decode_text(piece) for is_math, piece in split_math(value))
