"""The README's tour, run as a new reader runs it: on their own new journal, in order.

Every ``$ ...`` line of the console blocks under the tour heading is run: ``mkdir`` and
``export`` as the shell would (``~`` is a home folder in tmp_path), ``journal ...`` in a
fresh process in a tmp working folder. Each command must exit 0, every output line the
README shows must be printed, and the shipped ``entries.parquet`` (the sample that the
README's first command and the tests use) must be left byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import REPO, run_cli

README = REPO / "README.md"
TOUR_HEADING = "## A tour, on your own journal"

# The tour commands that are not run, each with the reason. A tour command that needs the
# network (`--arxiv`) or stands for the reader's own words (`...`) must be listed here.
SKIPPED = {
    "journal add --arxiv 2405.04517 --commentary ...": "needs the network (fetches the metadata from arXiv)",
    "journal add --title ... --commentary -": "illustrative: '...' stands for the reader's own title",
}


@dataclass
class Command:
    argv: list[str]
    shown: list[str] = field(default_factory=list)  # the output lines the README shows

    @property
    def key(self) -> str:
        return shlex.join(self.argv)


def tour_commands(text: str) -> list[Command]:
    """The ``$`` commands (continuation lines joined) of the tour's console blocks."""
    start = text.index(TOUR_HEADING) + len(TOUR_HEADING)
    end = text.find("\n## ", start)
    section = text[start : end if end >= 0 else len(text)]
    commands: list[Command] = []
    for block in re.findall(r"^```console\n(.*?)^```", section, flags=re.M | re.S):
        lines = iter(block.splitlines())
        for line in lines:
            if line.startswith("$ "):
                while line.endswith("\\"):
                    line = line[:-1] + next(lines)
                commands.append(Command(shlex.split(line[2:], comments=True)))
            elif commands and line.strip():
                commands[-1].shown.append(line.rstrip())
    return commands


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_tour_starts_by_pointing_journal_at_the_readers_own_file() -> None:
    commands = tour_commands(README.read_text(encoding="utf-8"))
    first_journal = next(i for i, c in enumerate(commands) if c.argv[0] == "journal")
    exports = [c for c in commands[:first_journal] if c.argv[0] == "export"]
    assert [c.argv[1].split("=")[0] for c in exports] == ["JOURNAL"]
    assert exports[0].argv[1] != "JOURNAL=entries.parquet"


def test_every_skipped_command_is_in_the_tour() -> None:
    keys = {c.key for c in tour_commands(README.read_text(encoding="utf-8"))}
    assert set(SKIPPED) <= keys, f"stale entries in SKIPPED: {set(SKIPPED) - keys}"


@pytest.mark.slow
def test_the_tour_runs_on_a_new_journal_and_leaves_the_sample_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = REPO / "entries.parquet"
    before = sha256(shipped)
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # files the tour writes (exports) land here

    def expand(value: str) -> str:
        return str(home / value[2:]) if value.startswith("~/") else value

    env: dict[str, str] = {"HOME": str(home)}
    ran = 0
    for command in tour_commands(README.read_text(encoding="utf-8")):
        argv = command.argv
        if argv[0] == "export":
            name, _, value = argv[1].partition("=")
            env[name] = expand(value)
        elif argv[0] == "mkdir":
            for arg in argv[1:]:
                if not arg.startswith("-"):
                    Path(expand(arg)).mkdir(parents=True, exist_ok=True)
        elif argv[0] == "journal":
            if command.key in SKIPPED:
                continue
            assert "..." not in command.key and "--arxiv" not in argv, (
                f"`{command.key}` cannot run offline as written: list it in SKIPPED with the reason"
            )
            assert "JOURNAL" in env, f"`{command.key}` runs before the tour sets JOURNAL"
            result = run_cli(*argv[1:], **env)
            assert result.returncode == 0, f"`{command.key}` failed: {result.stderr}"
            printed = [line.rstrip() for line in (result.stdout + result.stderr).splitlines()]
            for line in command.shown:
                assert line in printed, f"`{command.key}` did not print {line!r}; it printed:\n" + "\n".join(
                    printed
                )
            ran += 1
        else:
            pytest.fail(f"the tour runs `{command.key}`: only mkdir, export and journal are expected")
    assert ran >= 10
    assert Path(env["JOURNAL"]).is_file()  # the tour's journal is the new one
    assert sha256(shipped) == before, "the tour changed the shipped entries.parquet"


def test_the_readmes_links_and_pictures_are_files_of_the_repository() -> None:
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if "://" not in t]
    assert "docs/benchmarks.md" in local and "docs/capture-form.png" in local
    assert [t for t in local if not (REPO / t).is_file()] == []
