"""Run the daily and analysis notebooks with papermill; write ``.ipynb``, ``.html``, ``.md``.

A range of days runs in ONE kernel: the daily notebook displays one markdown output per
day (each tagged ``metadata["journal_day"]``), and this module splits the executed
notebook into one notebook per day. A day's slice is exactly what rendering that day
alone gives (a day's summary looks only at that day and earlier ones), so its injected
parameters are rewritten to that day; ``metadata.journal.rendered_with`` records the run.

Parameters are data: every one is checked here before a kernel starts (dates parsed,
``lang`` one of ko/en, the journal file present), and papermill writes them into the
notebook as escaped Python string literals, so quotes or newlines in a path stay text.

papermill, nbconvert and nbformat are imported lazily; nbconvert's exporter is loaded in
a background thread while the kernel starts, which hides most of its cost.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Any

from journal.errors import JournalError, ValidationError
from journal.formats.digest import check_lang
from journal.model import day_range, parse_date

DAILY = "daily.ipynb"
DAY_KEY = "journal_day"
#: cells tagged with this are dropped from the HTML (e.g. the notebook's how-to-run note)
REMOVE_TAG = "remove-cell"


class RenderFailed(JournalError):
    """The notebook raised an error while it ran, or its outputs could not be written."""


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def notebooks_dir() -> Path:
    """Where the shipped notebooks are: inside the package when installed from a wheel,
    else the checkout's top-level ``notebooks/``."""
    here = Path(__file__).resolve().parents[1]  # the package folder (journal/)
    for candidate in (here / "notebooks", here.parent / "notebooks"):
        if (candidate / DAILY).is_file():
            return candidate
    raise JournalError(
        f"the journal notebooks are missing (looked in {here / 'notebooks'} and "
        f"{here.parent / 'notebooks'}); reinstall journal"
    )


def notebook_path(name: str) -> Path:
    """The path of a shipped notebook: ``"daily"`` or ``"analysis"``."""
    return notebooks_dir() / f"{name}.ipynb"


# --- checks (before any kernel) ------------------------------------------------------


def _check_journal(path: str | os.PathLike[str]) -> Path | str:
    """The journal to render: a local file's resolved path, or a URL (``s3://...``) as given."""
    from journal.store.registry import scheme_of

    if scheme_of(path) not in ("", "file"):
        return _check_location(str(path))
    p = Path(path).expanduser()
    if p.is_dir():
        raise JournalError(f"{p} is a folder; give the path of a .parquet journal file")
    from journal.store import backend_for

    if not backend_for(p).exists():
        raise JournalError(f"{p}: no journal here; give --journal PATH (or set $JOURNAL)")
    return p.resolve()


def _check_location(location: str) -> str:
    from journal.store import backend_for

    if not backend_for(location).exists():
        raise JournalError(f"{location}: no journal here; give --journal PATH (or set $JOURNAL)")
    return location


def _check_out(to_dir: str | os.PathLike[str]) -> Path:
    out = Path(to_dir).expanduser()
    if out.exists() and not out.is_dir():
        raise JournalError(f"{out} exists and is not a folder; give --to DIR")
    return out


# --- kernel --------------------------------------------------------------------------


def _kernel_manager_class() -> type:
    """A kernel manager whose ``python3`` is this interpreter, whatever kernelspecs are
    installed, and whose kernel imports ``journal`` from where this process does."""
    import zmq
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpec

    root = Path(__file__).resolve().parents[2]  # the folder that holds the package journal/
    # a checkout or any folder on this process's path; never site-packages (already on
    # the kernel's path, and PYTHONPATH would put it before the standard library)
    package_root = None if root.name in ("site-packages", "dist-packages") else str(root)

    class CurrentPythonKernelManager(AsyncKernelManager):
        @property
        def kernel_spec(self) -> Any:
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())
            return self._kernel_spec

        async def _async_interrupt_kernel(self) -> None:
            # shutting down a finished notebook: kill it without the SIGINT first, which
            # the kernel may log as "KeyboardInterrupt caught in kernel"
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            env = dict(kw.pop("env", None) or os.environ)
            parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
            if package_root and package_root not in parts:
                env["PYTHONPATH"] = os.pathsep.join([package_root, *parts])
            if self.has_trait("transport_encryption") and zmq.has("curve"):
                # encrypted local sockets (recent ipykernels warn on plain TCP)
                kw.setdefault("transport_encryption", "auto")
            return await super()._async_pre_start_kernel(env=env, **kw)

    return CurrentPythonKernelManager


def _execute(
    notebook: Path, parameters: dict[str, Any], *, timeout: float | None = None, warm: bool = True
) -> tuple[Any, _Warm | None]:
    """Run ``notebook`` with papermill in this process; returns the executed notebook and,
    with ``warm``, the HTML exporter being loaded meanwhile."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    # papermill (nbformat, nbclient, jupyter_client) is imported before the exporter's
    # thread starts: importing the same packages from two threads at once can fail
    manager = _kernel_manager_class()
    exporter = _Warm() if warm else None
    try:
        executed = papermill.execute_notebook(
            str(notebook),
            None,  # the caller writes what it needs
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            request_save_on_cell_execute=False,
            kernel_manager_class=manager,
            shutdown_kernel="immediate",
            execution_timeout=timeout,
        )
        return executed, exporter
    except PapermillExecutionError as e:
        message = _one_line(e.evalue) or "(no message)"
        raise RenderFailed(f"{notebook.name} failed in cell {e.cell_index}: {e.ename}: {message}") from None


class _Warm:
    """Load nbconvert's HTML exporter (imports, templates, CSS: ~0.6 s cold) in a thread
    while the kernel runs, which mostly waits on another process."""

    def __init__(self) -> None:
        self._exporter: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, name="journal-nbconvert", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        try:
            import nbformat
            from nbconvert import HTMLExporter
            from traitlets.config import Config

            config = Config()
            config.TagRemovePreprocessor.enabled = True
            config.TagRemovePreprocessor.remove_cell_tags = {REMOVE_TAG}
            # nbconvert warns that plot images have no alt text (it adds a generic one);
            # the heading above each plot says what it shows, so keep that quiet
            quiet = logging.getLogger("journal.publish.notebooks.nbconvert")
            quiet.setLevel(logging.ERROR)
            exporter = HTMLExporter(
                config=config,
                log=quiet,
                exclude_input=True,
                exclude_input_prompt=True,
                exclude_output_prompt=True,
            )
            nb = nbformat.v4.new_notebook()
            nb.cells.append(nbformat.v4.new_markdown_cell("warm-up"))
            exporter.from_notebook_node(nb)  # loads the template and its CSS once
            self._exporter = exporter
        except BaseException as e:  # re-raised in the caller's thread
            self._error = e

    def exporter(self) -> Any:
        self._thread.join()
        if isinstance(self._error, Exception):
            raise RenderFailed(
                f"nbconvert cannot make HTML here ({type(self._error).__name__}: {_one_line(self._error)}); "
                "check that nbconvert and its templates are installed (`jupyter --paths` lists where)"
            ) from self._error
        if self._error is not None:
            raise self._error
        return self._exporter


def html(nb: Any, title: str, exporter: Any = None) -> str:
    """A clean HTML page of an executed notebook: outputs only, no code, no prompts; with
    the static site's stylesheet (``journal/publish/templates/journal.css``) after nbconvert's, so
    a day reads the same here and in ``journal export html``."""
    from journal.publish.templating import stylesheet

    exporter = exporter or _Warm().exporter()
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    page = str(body)
    if "</head>" not in page:
        raise RenderFailed("nbconvert made a page without <head>; check its templates (`jupyter --paths`)")
    return page.replace("</head>", f'<style id="journal-css">\n{stylesheet()}</style>\n</head>', 1)


class _DayPages:
    """HTML pages of the per-day slices of one run, fast.

    The slices differ only in their day's markdown output, so the page is exported once
    by nbconvert with a marker in place of that output, and each day's page is that shell
    with the marker replaced by the day's markdown rendered by the same exporter's
    ``markdown2html`` (what the template does with a markdown output). A full export
    costs ~20 ms (nbconvert re-parses the ~270 kB page with BeautifulSoup); a splice costs
    converting the markdown (a few ms).
    Falls back to a full export when the marker cannot be placed exactly once.
    """

    def __init__(self, exporter: Any, first: Any) -> None:
        import secrets

        self.exporter = exporter
        self.marker = f"journal-day-{secrets.token_hex(8)}"
        self.title_marker = f"journal-title-{secrets.token_hex(8)}"
        self.shell: str | None = None
        tagged = _tagged_outputs(first)
        if len(tagged) != 1:
            return
        from nbformat import NotebookNode

        ci, oi = tagged[0]
        cell = first.cells[ci]
        outputs = list(cell.outputs)
        placeholder = {"text/markdown": self.marker, "text/plain": self.marker}
        outputs[oi] = NotebookNode({**outputs[oi], "data": NotebookNode(placeholder)})
        cells = list(first.cells)
        cells[ci] = NotebookNode({**cell, "outputs": outputs})
        shell = html(NotebookNode({**first, "cells": cells}), self.title_marker, exporter)
        if shell.count(f"<p>{self.marker}</p>") == 1 and shell.count(self.title_marker) == 1:
            self.shell = shell

    def page(self, nb: Any, markdown: str, title: str) -> str:
        if self.shell is None or len(_tagged_outputs(nb)) != 1:
            return html(nb, title, self.exporter)
        import html as html_lib

        body = self.exporter.markdown2html({}, markdown)
        page = self.shell.replace(self.title_marker, html_lib.escape(title))
        return page.replace(f"<p>{self.marker}</p>", body, 1)


def _tagged_outputs(nb: Any) -> list[tuple[int, int]]:
    return [
        (ci, oi)
        for ci, cell in enumerate(nb.cells)
        for oi, output in enumerate(cell.get("outputs", ()))
        if DAY_KEY in output.get("metadata", {})
    ]


def _make_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise RenderFailed(f"{path}: cannot create the folder ({e.strerror or e})") from None


def _write_files(folder: Path, files: dict[Path, str | bytes]) -> None:
    """Write ``files`` into ``folder`` (made if missing) all or none (a folder this made
    is removed again when the writing fails)."""
    from journal.fileio import write_all

    created = not folder.exists()
    _make_dir(folder)
    try:
        write_all({p: t.encode("utf-8") if isinstance(t, str) else t for p, t in files.items()})
    except OSError as e:
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()  # empty again: write_all left nothing
        raise RenderFailed(f"{folder}: cannot write ({e.strerror or e}); nothing was written") from None


def _notebook_json(nb: Any) -> str:
    from nbformat.v4.nbjson import writes

    return writes(nb) + "\n"


# --- the daily notebook --------------------------------------------------------------


def render_days(
    journal_path: str | os.PathLike[str],
    start: dt.date | str,
    until: dt.date | str | None = None,
    to_dir: str | os.PathLike[str] = "digests",
    lang: str = "ko",
    *,
    notebook: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
    timeout: float | None = None,
    feed_days: int | None = None,
    base_url: str | None = None,
) -> list[Path]:
    """Render every day from ``start`` to ``until`` (one day without it) with the daily
    notebook, in one kernel. Writes ``TO_DIR/YYYY-MM-DD.ipynb``, ``.html`` and ``.md``
    per day and returns those paths (three per day, in day order), and puts the days
    into the Atom feed ``TO_DIR/feed.xml`` (the ``feed_days`` newest days are kept,
    default 30; links absolute under ``base_url`` if given; see :mod:`journal.publish.atom`).

    ``progress``: a bar on stderr; ``None`` shows it for ranges when stderr is a terminal.
    """
    from journal.publish import atom as feed
    from journal.store import Journal

    days = day_range(start, until)
    check_lang(lang)
    feed.check_base_url(base_url)
    feed.check_days(feed_days)
    journal = _check_journal(journal_path)
    out = _check_out(to_dir)
    nb_path = Path(notebook) if notebook is not None else notebook_path("daily")
    if not nb_path.is_file():
        raise JournalError(f"{nb_path}: no such notebook; give the path of an .ipynb file")
    parameters = {
        "date": days[0].isoformat(),
        "journal": str(journal),
        "lang": lang,
        "until": days[-1].isoformat() if len(days) > 1 else None,
    }
    show = progress if progress is not None else (len(days) > 1 and sys.stderr.isatty())
    bar = _progress(len(days), show)
    try:
        bar.set_postfix_str("running the notebook")
        executed, warm = _execute(nb_path, parameters, timeout=timeout)
        bar.set_postfix_str("writing")
        exporter = warm.exporter() if warm else None
        # every file is made before the first is written, and they are written as one:
        # a render completes or changes nothing in TO_DIR
        files: dict[Path, str | bytes] = {}
        parts = split_days(executed, days, parameters)
        pages = _DayPages(exporter, parts[0][1])
        for day, nb, markdown in parts:
            stem = out / day.isoformat()
            files[stem.with_suffix(".ipynb")] = _notebook_json(nb)
            files[stem.with_suffix(".html")] = pages.page(
                nb, markdown, f"Reading journal · {day.isoformat()}"
            )
            files[stem.with_suffix(".md")] = markdown + "\n"
            bar.update(1)
        written = list(files)
        entries = Journal(journal).entries(start=days[0], end=days[-1])
        files[out / feed.FEED] = feed.days_feed(out, entries, days, lang, base_url, feed_days)
        _write_files(out, files)
        bar.set_postfix_str(f"written to {out}")
    finally:
        bar.close()
    return written


def _progress(total: int, show: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="day", desc="journal render", file=sys.stderr, disable=not show)


def split_days(
    executed: Any, days: list[dt.date], parameters: dict[str, Any]
) -> list[tuple[dt.date, Any, str]]:
    """One ``(day, notebook, markdown)`` per day from a notebook that rendered several.

    Outputs tagged with another day are left out of a day's notebook; everything else
    (untagged outputs, other cells) is kept as executed."""
    from nbformat import NotebookNode
    from papermill.translators import translate_parameters

    wanted = {d.isoformat() for d in days}
    found: dict[str, str] = {}
    for cell in executed.cells:
        for output in cell.get("outputs", ()):
            day = output.get("metadata", {}).get(DAY_KEY)
            if day in wanted and day not in found:
                found[day] = output.get("data", {}).get("text/markdown", "")
    missing = [d for d in sorted(wanted) if d not in found]
    if missing:
        raise RenderFailed(
            f"the notebook showed no summary for {', '.join(missing[:3])}"
            + (" ..." if len(missing) > 3 else "")
            + f" (each day needs an output with metadata {DAY_KEY!r})"
        )
    rendered_with = {k: parameters[k] for k in ("date", "until")}
    result = []
    for day in days:
        key = day.isoformat()
        own = {**parameters, "date": key, "until": None}
        cells = []
        for cell in executed.cells:
            tags = cell.get("metadata", {}).get("tags", [])
            if "injected-parameters" in tags:
                cell = NotebookNode(
                    {**cell, "source": translate_parameters("python3", "python", own, "Parameters")}
                )
            elif cell.get("outputs"):
                outputs = [o for o in cell.outputs if o.get("metadata", {}).get(DAY_KEY, key) == key]
                cell = NotebookNode({**cell, "outputs": outputs})
            cells.append(cell)
        metadata = NotebookNode({**executed.metadata})
        metadata["papermill"] = NotebookNode({**executed.metadata.get("papermill", {}), "parameters": own})
        metadata["journal"] = {"day": key, "rendered_with": rendered_with}
        nb = NotebookNode({**executed, "cells": cells, "metadata": metadata})
        result.append((day, nb, found[key]))
    return result


# --- the analysis notebook -----------------------------------------------------------


def render_analysis(
    journal_path: str | os.PathLike[str],
    start: dt.date | str | None = None,
    until: dt.date | str | None = None,
    to_dir: str | os.PathLike[str] = "digests",
    *,
    notebook: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
) -> list[Path]:
    """Render the analysis notebook (plots of the journal, optionally from ``start`` to
    ``until``) to ``TO_DIR/analysis.ipynb`` and ``analysis.html`` (plots embedded);
    with a range, the files are named ``analysis_FROM_UNTIL``. Returns the two paths."""
    first = parse_date(start, "from").isoformat() if start is not None else None
    last = parse_date(until, "until").isoformat() if until is not None else None
    if first and last and last < first:
        raise ValidationError("until", f"{last} is before {first}; give a later --until")
    journal = _check_journal(journal_path)
    out = _check_out(to_dir)
    nb_path = Path(notebook) if notebook is not None else notebook_path("analysis")
    if not nb_path.is_file():
        raise JournalError(f"{nb_path}: no such notebook; give the path of an .ipynb file")
    executed, warm = _execute(
        nb_path, {"journal": str(journal), "start": first, "until": last}, timeout=timeout
    )
    exporter = warm.exporter() if warm else None
    name = "analysis" if not (first or last) else f"analysis_{first or 'start'}_{last or 'end'}"
    title = "Reading journal · analysis" + (f" · {first or '…'} to {last or '…'}" if first or last else "")
    paths = [out / f"{name}.ipynb", out / f"{name}.html"]
    _write_files(out, {paths[0]: _notebook_json(executed), paths[1]: html(executed, title, exporter)})
    return paths
