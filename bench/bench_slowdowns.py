"""Three commands that slowed down, against the last commit before each slowdown.

    python bench/bench_slowdowns.py [--rounds 5] [--only html|bibtex|markdown] [--profile]

Each case runs the same command line in fresh processes, ``python -m journal ...`` with
``PYTHONPATH`` at a checkout of the earlier commit (a temporary ``git worktree``,
removed at the end) and at this tree, alternating (before, new, new, before, ...) in
one run; it prints the median and the fastest of ``--rounds`` runs of each side and the
ratio new/before of the medians (target: at most 1.2).

============  ===========================================  ==========================
case          command                                      before (last commit before)
============  ===========================================  ==========================
html          ``journal export html DIR`` of 4,000 entries 17da081030660b58ada7e4b1723b0d3bf35081ad
              (the slowdown: fbbe5d51d781, Jinja2 templates)
bibtex        ``journal import bibtex FILE`` of 900        1d4359c99df69249e2047c79edb6c5e959232ab0
              Zotero/Scholar entries (TeX accents, math)
              (the slowdown: 789af99786d1, pylatexenc)
markdown      ``journal import markdown VAULT`` of 4,000   3d2afd2a5158f049561a98884dfe6cfdc16f2b17
              notes into a new journal
              (the slowdown: f2e1db2f4a70, the vault sync)
============  ===========================================  ==========================

The inputs are made once: the journal with ``make_journal.make_entries`` (written by each
tree's own store, since the earlier trees read only schema 1), the BibTeX file by
``bibtex_file`` below, the vault by ``bench_markdown_import.generate``. Every run writes
into a new journal or folder. ``--profile`` also runs this tree's command in-process
under cProfile and prints where its time goes (top 15 by own time, and the share spent
inside pylatexenc, Jinja2/MarkupSafe and feedgen): what remains of the BibTeX import's
extra time is pylatexenc's own parsing of the values that hold TeX commands.

Run from the repository root (needs git and the repository's history).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Case:
    name: str
    before: str  # the last commit before the slowdown
    slowed_by: str  # the commit that slowed it
    what: str


CASES = {
    "html": Case(
        "html",
        "17da081030660b58ada7e4b1723b0d3bf35081ad",
        "fbbe5d51d781cbcb1839cdc2fba53923cfc368f1",
        "journal export html DIR (4,000 entries)",
    ),
    "bibtex": Case(
        "bibtex",
        "1d4359c99df69249e2047c79edb6c5e959232ab0",
        "789af99786d1704155295060438f8c58f2934fcc",
        "journal import bibtex FILE (900 entries)",
    ),
    "markdown": Case(
        "markdown",
        "3d2afd2a5158f049561a98884dfe6cfdc16f2b17",
        "f2e1db2f4a706fabaf42a3967be68c4f2248ba2c",
        "journal import markdown VAULT (4,000 notes, new journal)",
    ),
}
TARGET = 1.2

# --- the BibTeX file ------------------------------------------------------------------

_NAMES = [
    ('Sch{\\"o}nfeld', "Edgar"),
    ('M{\\"u}ller', 'J{\\"o}rg'),
    ("Garc{\\'\\i}a", "Mar{\\'\\i}a"),
    ("Dvo{\\v{r}}{\\'a}k", "Anton{\\'\\i}n"),
    ('{\\AA}str{\\"o}m', "Karl"),
    ("Kaiser", "{\\L}ukasz"),
    ("Fran{\\c{c}}ois", "Ren{\\'e}"),
    ("Gro{\\ss}", "Stefan"),
    ("Sun", "Yutao"),
    ("Dong", "Li"),
    ("Kim", "Ji-hoon"),
    ("Lee", "Seo-yeon"),
    ("Vaswani", "Ashish"),
    ("Pumarola", "Albert"),
    ("Wang", "Wenhui"),
    ("Nie{\\ss}ner", "Matthias"),
    ("Ho", "Jonathan"),
    ("Sanakoyeu", "Artsiom"),
]


def _words(text: str) -> list[str]:
    return text.split()


_WORDS = _words(
    "diffusion attention transformer cache decoder tokens scaling training efficient sparse "
    "alignment preference reward retrieval reasoning latent vision language models data "
    "evaluation benchmark distillation compression memory throughput"
)
_TITLE_BITS = [
    "{Transformer}",
    "{LLM}",
    "$\\alpha$",
    "$O(n \\log n)$",
    "\\emph{fast}",
    "{\\&}",
    "--",
    "{BERT}",
    "$k$-means",
    'Na{\\"i}ve',
]
_ABSTRACT_BITS = [
    "$\\mathcal{O}(n)$",
    "50\\%",
    "$82.9\\%$",
    "state-of-the-art",
    "e.g.~a",
    "\\textit{et al.}",
    "{\\'e}tude",
    "$\\ell_2$",
    "R{\\'e}nyi",
    "--",
]
_KOREAN = "인코더-디코더가 이렇게 다시 등장하는군요. 캐시에 대한 압축처럼 사용했군요. 흥미롭네요."


_SYLLABLES = _words("ka ze ro mi tu na vo li xe qu pa fi do ge ha ju sch ber mar")
_ACCENTS = ["{\\'e}", '{\\"o}', "\\v{c}", "{\\c{c}}", "{\\o}", "\\~n", "\\^a", "{\\ss}", "\\'{\\i}", '\\"{u}']


def _name(rng: random.Random) -> tuple[str, str]:
    """A surname and given name; half of them spelt with TeX accents, mostly unique (a real
    bibliography repeats few names, so pylatexenc's results are rarely reused)."""
    if rng.random() < 0.3:
        return rng.choice(_NAMES)
    parts = [rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))]
    if rng.random() < 0.5:
        parts.insert(rng.randint(1, len(parts)), rng.choice(_ACCENTS))
    first = rng.choice(_SYLLABLES) + rng.choice(["", rng.choice(_ACCENTS)]) + rng.choice(_SYLLABLES)
    return "".join(parts).capitalize(), first.capitalize()


def _sentence(rng: random.Random, bits: list[str], n: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(n)]
    for _ in range(rng.randint(0, 2)):
        words.insert(rng.randrange(len(words) + 1), rng.choice(bits))
    return " ".join(words)


def bibtex_file(path: Path, count: int = 900) -> None:
    """``count`` entries, alternately as Zotero and Google Scholar export them."""
    rng = random.Random(7)
    out = []
    for i in range(count):
        arxiv = f"{rng.randint(2001, 2412)}.{rng.randint(10000, 99999)}"
        authors = " and ".join(
            f"{last}, {first}" for last, first in (_name(rng) for _ in range(rng.randint(2, 9)))
        )
        title = _sentence(rng, _TITLE_BITS, rng.randint(5, 10)).capitalize() + f" {i}"
        year = rng.randint(2017, 2024)
        if i % 2 == 0:  # Zotero
            abstract = ". ".join(
                _sentence(rng, _ABSTRACT_BITS, rng.randint(10, 20)).capitalize() for _ in range(5)
            )
            keywords = ", ".join(rng.sample(["efficiency", "diffusion", "llm", "fine\\_tuning"], 2))
            out.append(
                f"@misc{{key{i},\n"
                f"\ttitle = {{{title}}},\n"
                f"\turl = {{http://arxiv.org/abs/{arxiv}}},\n"
                f"\tdoi = {{10.48550/arXiv.{arxiv}}},\n"
                f"\tabstract = {{{abstract}.}},\n"
                f"\turldate = {{{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}}},\n"
                f"\tpublisher = {{arXiv}},\n"
                f"\tauthor = {{{authors}}},\n"
                f"\tmonth = may,\n"
                f"\tyear = {{{year}}},\n"
                f"\tnote = {{arXiv:{arxiv} [cs]}},\n"
                f"\tkeywords = {{{keywords}}},\n"
                f"\tannote = {{{_KOREAN[: rng.randint(20, len(_KOREAN))]}}},\n"
                "}\n"
            )
        else:  # Google Scholar
            out.append(
                f"@article{{key{i},\n"
                f"  title={{{title}}},\n"
                f"  author={{{authors}}},\n"
                f"  journal={{arXiv preprint arXiv:{arxiv}}},\n"
                f"  year={{{year}}}\n"
                "}\n"
            )
    path.write_text("\n".join(out), encoding="utf-8")


# --- running ---------------------------------------------------------------------------


def _env(tree: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop("JOURNAL", None)
    env.pop("JOURNAL_CACHE", None)
    return env


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _run(argv: list[str], tree: Path, cwd: Path) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one run of ``argv``."""
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=_env(tree), cwd=cwd)
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"failed in {tree}: {' '.join(argv)}\n{done.stdout}{done.stderr}")
    return elapsed, cpu


@contextlib.contextmanager
def worktree(commit: str, tmp: Path) -> Iterator[Path]:
    path = tmp / f"tree-{commit[:12]}"
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", str(path), commit],
        check=True,
        capture_output=True,
    )
    try:
        yield path
    finally:
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "remove", "--force", str(path)],
            capture_output=True,
        )


def make_inputs(case: str, tmp: Path, trees: dict[str, Path]) -> dict[str, Path]:
    """What the command reads, per side (``before``, ``new``)."""
    if case == "html":
        # each tree writes the journal with its own store (the earlier one reads schema 1)
        journals = {}
        for side, tree in trees.items():
            journal = tmp / f"html-{side}" / "entries.parquet"
            code = (
                f"import sys; sys.path.insert(1, {str(BENCH)!r}); from make_journal import make_journal; "
                f"make_journal({str(journal)!r}, 4000)"
            )
            _run([sys.executable, "-c", code], tree, tmp)
            journals[side] = journal
        return journals
    if case == "bibtex":
        path = tmp / "library.bib"
        bibtex_file(path)
        return {side: path for side in trees}
    vault = tmp / "vault"
    sys.path.insert(0, str(BENCH))
    from bench_markdown_import import generate

    generate(vault, 4000)
    return {side: vault for side in trees}


def command(case: str, source: Path, out: Path) -> list[str]:
    """The command line of ``case`` reading ``source``, writing to the new ``out``."""
    if case == "html":
        return [sys.executable, "-m", "journal", "export", "html", str(out), "--journal", str(source)]
    return [sys.executable, "-m", "journal", "import", case, str(source), "--journal", str(out)]


@dataclass
class Result:
    wall: dict[str, list[float]]
    cpu: dict[str, list[float]]

    def median(self, kind: str, side: str) -> float:
        return statistics.median(getattr(self, kind)[side])

    def ratio(self, kind: str = "wall") -> float:
        return self.median(kind, "new") / self.median(kind, "before")


def bench_case(case: str, rounds: int, tmp: Path) -> Result:
    info = CASES[case]
    with worktree(info.before, tmp) as old:
        trees = {"before": old, "new": REPO}
        inputs = make_inputs(case, tmp, trees)
        result = Result({"before": [], "new": []}, {"before": [], "new": []})
        for r in range(rounds):
            for side in ["before", "new"] if r % 2 == 0 else ["new", "before"]:
                out = tmp / f"out-{case}-{side}-{r}"
                target = out if case == "html" else out / "entries.parquet"
                if case != "html":
                    out.mkdir()
                wall, cpu = _run(command(case, inputs[side], target), trees[side], tmp)
                result.wall[side].append(wall)
                result.cpu[side].append(cpu)
                shutil.rmtree(out)
    print(f"\n{case}: {info.what}, {rounds} rounds")
    for side, name in (
        ("before", f"{info.before[:12]} (last before {info.slowed_by[:12]})"),
        ("new", "this tree"),
    ):
        print(
            f"  {side:6} {name}\n"
            f"         wall median {result.median('wall', side):6.3f} s  fastest {min(result.wall[side]):6.3f} s"
            f"   CPU median {result.median('cpu', side):6.3f} s"
        )
    verdict = "met" if result.ratio() <= TARGET else "NOT met"
    print(
        f"  ratio new/before: wall {result.ratio():4.2f}x (target <= {TARGET}x: {verdict}), "
        f"CPU {result.ratio('cpu'):4.2f}x"
    )
    if case == "bibtex":
        print("  what pylatexenc itself costs (its own parsing): --profile shows its share")
    return result


# --- profile ---------------------------------------------------------------------------

_LIBRARIES = {
    "pylatexenc": ("pylatexenc",),
    "Jinja2/MarkupSafe": ("jinja2", "markupsafe"),
    "feedgen/lxml": ("feedgen", "lxml"),
    "pyarrow": ("pyarrow",),
}


def profile(case: str, tmp: Path) -> None:
    """This tree's command in-process under cProfile: top 15 by own time, library shares."""
    sys.path.insert(0, str(REPO))
    from journal.cli import main

    source = make_inputs(case, tmp, {"new": REPO})["new"]
    out = tmp / f"profile-{case}"
    target = out if case == "html" else out / "entries.parquet"
    if case != "html":
        out.mkdir()
    argv = command(case, source, target)[3:]
    profiler = cProfile.Profile()
    with contextlib.redirect_stdout(io.StringIO()):
        profiler.runcall(main, argv)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"\nprofile of {case} in this tree, in-process ({total:.3f} s under cProfile):")
    own: dict[str, float] = dict.fromkeys(_LIBRARIES, 0.0)
    for (filename, _, _), (_, _, tt, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        parts = Path(filename).parts
        for library, packages in _LIBRARIES.items():
            if any(p in parts for p in packages):
                own[library] += tt
    for library, seconds in own.items():
        if seconds:
            print(f"  own time inside {library:18} {seconds:6.3f} s  ({100 * seconds / total:4.1f}%)")
    stats.sort_stats("tottime").print_stats(15)
    shutil.rmtree(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=sorted(CASES))
    parser.add_argument("--profile", action="store_true", help="also profile this tree's run")
    args = parser.parse_args()
    cases = [args.only] if args.only else list(CASES)
    results: dict[str, Result] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            work = Path(tmp) / case
            work.mkdir()
            results[case] = bench_case(case, args.rounds, work)
        if args.profile:
            for case in cases:
                work = Path(tmp) / f"profile-{case}"
                work.mkdir()
                profile(case, work)
    print("\nsummary (medians of wall-clock seconds; new/before, wall and CPU):")
    for case, result in results.items():
        print(
            f"  {case:9} {CASES[case].before[:12]} {result.median('wall', 'before'):6.3f} s -> "
            f"{result.median('wall', 'new'):6.3f} s   {result.ratio():4.2f}x wall  {result.ratio('cpu'):4.2f}x CPU"
        )


if __name__ == "__main__":
    main()
