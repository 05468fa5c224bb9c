"""How fast `journal import markdown` takes a 4,000-note vault, next to a plain read.

Generates N notes (default 4,000) of the variants real vaults hold (canonical, plain
title, inline tags, several URLs, ``# Links`` sections, essays, CRLF; English abstracts
of ~600 characters, Korean commentary of ~350) in year folders of a temporary folder,
then measures, side by side and best of ``--repeat`` runs:

* plain read: walk the folder, read and decode every ``.md`` file (a fresh process);
* the import command: ``python -m journal import markdown DIR`` into a new journal
  (a fresh process: start-up, reading, parsing, one store write);
* in-process: ``markdown.read`` + ``Journal.add_many`` (what a notebook would call);
* the export command, and whether it gave every note back byte for byte;
* importing the same vault again (a fresh process): unchanged (target: at most 0.5 s,
  next to ``python -c "import pyarrow.parquet"``, the floor of any command) and after
  editing 20 notes (the sync reads and updates only those).

Run from the repository root: ``python bench/bench_markdown_import.py [--notes 4000]``.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ABSTRACT = (
    "We introduce a decoder-decoder architecture, YOCO, for large language models, which only caches "
    "key-value pairs once. It consists of two components, i.e., a cross-decoder stacked upon a "
    "self-decoder. The self-decoder efficiently encodes global key-value (KV) caches that are reused by "
    "the cross-decoder via cross-attention. The overall model behaves like a decoder-only Transformer, "
    "although YOCO only caches once. The design substantially reduces GPU memory demands, yet retains "
    "global attention capability. Experimental results demonstrate favorable performance."
)
KOREAN = (
    "인코더-디코더가 이렇게 다시 등장하는군요. 인코더-디코더 구조에서 최종 레이어의 "
    "인코더 임베딩만 사용한다는 것을 일종의 Key/Value 캐시에 대한 압축처럼 사용했군요. "
    "Causal Masking과 Efficient Attention을 사용해 디코더의 절반을 인코더처럼 임베딩을 "
    "출력하게 합니다. 이 임베딩에 대한 Cross Attention으로 나머지 디코더 절반을 구성해서 "
    "전체적으로는 하나의 디코더처럼 작동하게 만들었네요."
)
TAGS = ["efficiency", "diffusion", "llm", "reasoning", "moe", "benchmark", "한국어", "multi_word"]


def make_note(rng: random.Random, i: int) -> tuple[str, bytes]:
    year = rng.choice([2022, 2023, 2024])
    day = f"{year % 100:02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    title = f"Paper number {i}: a study of {rng.choice(['attention', 'diffusion', 'scaling', '추론'])}"
    name = f"{day} {title.replace(':', ' -')}.md"
    url = f"https://arxiv.org/abs/{rng.randint(2001, 2412)}.{rng.randint(10000, 99999)}"
    tags = " ".join("#" + t for t in rng.sample(TAGS, rng.randint(1, 3)))
    paragraphs = [KOREAN[: rng.randint(150, len(KOREAN))] for _ in range(rng.randint(1, 3))]
    kind = rng.random()
    if kind < 0.6:  # canonical
        text = (
            f"{url}\n\n*{title}* (Yutao Sun, Li Dong)\n\n> {ABSTRACT}\n\n"
            + "\n\n".join(paragraphs)
            + f"\n\n{tags}\n"
        )
    elif kind < 0.75:  # plain title, inline tags, no final newline
        text = f"{url}\nhttps://github.com/x/y\n\n{title} (OpenAI)\n\n" + "\n\n".join(paragraphs) + f" {tags}"
    elif kind < 0.9:  # a Links section after the tags
        text = (
            f"{url}\n\n*{title}* ()\n\n> {ABSTRACT}\n\n"
            + "\n\n".join(paragraphs)
            + f"\n\n{tags}\n\n# Links\n[[{day} Other note.md]]\n"
        )
    else:  # an essay
        text = "\n\n".join(paragraphs) + "\n"
    data = text.encode("utf-8")
    if rng.random() < 0.1:
        data = data.replace(b"\n", b"\r\n")
    return f"{year}/{name}", data


def generate(folder: Path, count: int) -> int:
    rng = random.Random(1)
    total = 0
    for i in range(count):
        rel, data = make_note(rng, i)
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        total += len(data)
    return total


PLAIN_READ = """
import os, sys
n = 0
for dirpath, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        if name.endswith(".md"):
            with open(os.path.join(dirpath, name), "rb") as f:
                n += len(f.read().decode("utf-8"))
print(n)
"""


def timed(argv: list[str], env: dict[str, str], expect: str = "") -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or expect not in done.stdout:
        raise SystemExit(f"failed: {' '.join(argv)}\n{done.stdout}{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("JOURNAL", None)

    from journal.formats import markdown, vault_files
    from journal.store import Journal

    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp) / "vault"
        size = generate(vault, args.notes)
        print(f"{args.notes} notes, {size / 1e6:.1f} MB, in {vault}")

        plain, cli, inproc, export, floor, again, edited = [], [], [], [], [], [], []
        notes = vault_files.walk(str(vault))
        for r in range(args.repeat):
            plain.append(timed([sys.executable, "-c", PLAIN_READ, str(vault)], env))
            floor.append(timed([sys.executable, "-c", "import pyarrow.parquet"], env))
            journal = Path(tmp) / f"cli{r}.parquet"
            import_argv = [
                sys.executable,
                "-m",
                "journal",
                "import",
                "markdown",
                str(vault),
                "--journal",
                str(journal),
            ]
            cli.append(timed(import_argv, env))
            again.append(timed(import_argv, env))
            for rel in random.Random(r).sample(notes, 20):
                path = vault / rel
                data = path.read_bytes()
                newline = b"\r\n" if b"\r\n" in data else b"\n"  # keep the note's line breaks
                path.write_bytes(data + newline + f"edit {r}".encode() + newline)
                st = path.stat()
                os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
            edited.append(timed(import_argv, env, expect="20 updated"))
            start = time.perf_counter()
            Journal(Path(tmp) / f"inproc{r}.parquet").add_many(markdown.read(vault))
            inproc.append(time.perf_counter() - start)
            out = Path(tmp) / f"out{r}"
            export.append(
                timed(
                    [
                        sys.executable,
                        "-m",
                        "journal",
                        "export",
                        "markdown",
                        str(out),
                        "--journal",
                        str(journal),
                    ],
                    env,
                )
            )
        assert len(Journal(Path(tmp) / "cli0.parquet")) == args.notes
        same = sum(
            (vault / p).read_bytes() == (Path(tmp) / f"out{args.repeat - 1}" / p).read_bytes()
            for p in vault_files.walk(str(vault))
        )

    best_plain, best_cli, best_in, best_export = min(plain), min(cli), min(inproc), min(export)
    print(f"plain read (fresh process)          {best_plain:6.3f} s")
    ratio = best_cli / best_plain
    print(f"journal import markdown (fresh)     {best_cli:6.3f} s   ratio {ratio:5.1f}x plain read")
    print(f"read + add_many (in-process)        {best_in:6.3f} s")
    print(f"journal export markdown (fresh)     {best_export:6.3f} s")
    print(f"byte-identical after export         {same} of {args.notes} notes")
    print(f"target: import well under 3 s for 4,000 notes -> {'met' if best_cli < 3 else 'NOT met'}")
    best_floor, best_again, best_edited = min(floor), min(again), min(edited)
    print(f"python -c 'import pyarrow.parquet'  {best_floor:6.3f} s")
    print(
        f"import again, unchanged (fresh)     {best_again:6.3f} s   ratio {best_again / best_floor:5.1f}x "
        f"import pyarrow.parquet; target at most 0.5 s -> {'met' if best_again <= 0.5 else 'NOT met'}"
    )
    print(
        f"import again, 20 notes edited       {best_edited:6.3f} s   ratio {best_edited / best_floor:5.1f}x"
    )


if __name__ == "__main__":
    main()
