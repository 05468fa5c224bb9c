"""Start JupyterLab / Voila on a notebook and drive them with Debian's Chromium.

Used by ``tests/test_browser.py`` and ``docs/make_screenshots.py``. Facts behind the flags:
``../shared/notes/browser-tests.md``, beside the repository (never ``playwright install``:
the system Chromium is used).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Widget selectors that hold in Lab and Voila (ipywidgets 8).
TEXT = ".widget-text input.widget-input"
TEXTAREA = ".widget-textarea textarea"
TAGS_BOX = ".jupyter-widget-tagsinput"
TAG_INPUT = "input.jupyter-widget-taginput"
TAG = "div.jupyter-widget-tag"  # the input carries the class too


@dataclass
class Server:
    url: str  # the page to open, token included
    base: str
    token: str
    process: subprocess.Popen[bytes]
    log: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(home: Path, journal: Path) -> dict[str, str]:
    """Isolated Jupyter dirs; the kernel imports this checkout and opens ``journal``."""
    env = dict(os.environ)
    for name, sub in (
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTER_CONFIG_DIR", "config"),
        ("IPYTHONDIR", "ipython"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / sub)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["JOURNAL"] = str(journal)
    env.pop("JUPYTER_PLATFORM_DIRS", None)
    return env


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"server exited ({process.returncode}):\n{log.read_text(errors='replace')[-3000:]}"
            )
        try:
            if url.startswith("tcp:"):  # a page that would start a kernel: just the port
                host, port = url[4:].rsplit(":", 1)
                with socket.create_connection((host, int(port)), timeout=2):
                    return
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server not ready after {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def _spawn(argv: list[str], home: Path, journal: Path, log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    """Start a server in its own session (stopped by its process group), output to ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            argv,
            env=server_env(home, journal),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=cwd,
        )


@contextlib.contextmanager
def lab_server(root: Path, journal: Path, home: Path) -> Iterator[Server]:
    """JupyterLab serving ``root``, without news or update checks."""
    settings = home / "settings"
    notify = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notify.parent.mkdir(parents=True, exist_ok=True)
    notify.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = free_port(), secrets.token_hex(16)
    log = home / "lab.log"
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        "--allow-root",
        "--LabApp.expose_app_in_browser=True",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={home / 'ws'}",
    ]
    process = _spawn(argv, home, journal, log, root)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(f"{base}/api?token={token}", process, log)
        yield Server(f"{base}/lab?token={token}", base, token, process, log)
    finally:
        _stop(process)


KERNEL_READY = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const ctx = panel && panel.sessionContext;
  const kernel = ctx && ctx.session && ctx.session.kernel;
  return !!(kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle');
}"""


def run_all_cells(page: object, shown: str, what: str, timeout: float = 20_000) -> None:
    """Run every cell of the notebook open in Lab, once its kernel is connected and idle,
    until ``shown`` (a selector) appears; "run all" sent too early can run nothing, so it
    is sent again (at most three times)."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    for _ in range(3):
        page.wait_for_function(KERNEL_READY, timeout=60_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        try:
            page.locator(shown).first.wait_for(timeout=timeout)
            return
        except Exception:
            continue
    raise AssertionError(f"{what} never appeared in JupyterLab")


def restart_kernels(server: Server, timeout: float = 60) -> int:
    """Restart every kernel of a Lab server through its REST API and wait until each is
    idle again; returns how many. The front end's own restart can leave the page waiting
    on a status message it missed (jupyterlab#9008), so tests restart on the server side
    and reload the page."""
    auth = {"Authorization": f"token {server.token}"}

    def call(method: str, path: str) -> Any:
        request = urllib.request.Request(f"{server.base}{path}", method=method, headers=auth)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"null")

    kernels = call("GET", "/api/kernels")
    for kernel in kernels:
        call("POST", f"/api/kernels/{kernel['id']}/restart")

    def idle() -> bool:
        return all(k["execution_state"] == "idle" for k in call("GET", "/api/kernels"))

    wait_for(idle, timeout=timeout, interval=0.2, what="the restarted kernels to be idle")
    return len(kernels)


@contextlib.contextmanager
def voila_server(notebook: Path, journal: Path, home: Path) -> Iterator[Server]:
    """Voila serving one notebook as a page."""
    port = free_port()
    home.mkdir(parents=True, exist_ok=True)
    log = home / "voila.log"
    argv = [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--show_tracebacks=True",
    ]
    process = _spawn(argv, home, journal, log, notebook.parent)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(f"tcp:127.0.0.1:{port}", process, log)
        yield Server(f"{base}/", base, "", process, log)
    finally:
        _stop(process)


def launch(playwright: object) -> object:
    """Headless Debian Chromium."""
    return playwright.chromium.launch(  # type: ignore[attr-defined]
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


def wait_for(predicate, timeout: float = 20, interval: float = 0.1, what: str = "condition"):  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until it returns something truthy (for files the kernel writes)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def type_korean(page: object, syllables: str) -> None:
    """Type Hangul as an input method does: each syllable composed jamo by jamo
    (compositionstart/update/end events), then committed."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    cdp = page.context.new_cdp_session(page)
    for ch in syllables:
        if not ("\uac00" <= ch <= "\ud7a3"):
            page.keyboard.insert_text(ch) if ch != "\n" else page.keyboard.press("Enter")
            continue
        for step in _compose_steps(ch):
            cdp.send(
                "Input.imeSetComposition",
                {"text": step, "selectionStart": len(step), "selectionEnd": len(step)},
            )
        cdp.send("Input.insertText", {"text": ch})
    cdp.detach()


_LEADS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"


def _compose_steps(syllable: str) -> list[str]:
    """What an IME shows while composing ``syllable``: lead jamo, open syllable, full."""
    code = ord(syllable) - 0xAC00
    lead, vowel, tail = code // 588, (code % 588) // 28, code % 28
    steps = [_LEADS[lead], chr(0xAC00 + lead * 588 + vowel * 28)]
    if tail:
        steps.append(syllable)
    return steps


def add_tag(page: object, scope: str, tag: str) -> None:
    """Type ``tag`` into the form's TagsInput and commit it (Enter does not commit in
    headless Chromium; the input's change event on Tab does)."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    box = page.locator(f"{scope} .journal-tags".strip())
    before = box.locator(TAG).count()
    if before == 0:
        box.locator(TAG_INPUT).click()
    else:  # the input hides once there are tags: the box's empty right edge brings it back
        bb = box.bounding_box()
        assert bb is not None
        page.mouse.click(bb["x"] + bb["width"] - 4, bb["y"] + bb["height"] / 2)
    page.keyboard.type(tag)
    page.keyboard.press("Tab")
    wait_for(lambda: box.locator(TAG).count() > before, what=f"tag {tag!r} to appear")


def triage_notebook(dest: Path, journal: Path, listing: Path | None, date: str) -> Path:
    """notebooks/triage.ipynb copied to ``dest`` with its parameters set as papermill sets
    them, in an ``injected-parameters`` cell after the ``parameters`` one (ranking ``listing``
    on ``date`` for ``journal``; ``listing`` None: the day recorded beside the journal),
    ready for Voila or Lab. Plain JSON: importing papermill costs seconds on a busy machine."""
    dest.mkdir(parents=True, exist_ok=True)
    nb = json.loads((REPO / "notebooks" / "triage.ipynb").read_text(encoding="utf-8"))
    values = {"date": date, "listing": listing and str(listing), "journal": str(journal)}
    source = "# Parameters\n" + "".join(f"{name} = {value!r}\n" for name, value in values.items())
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "id": "injected-parameters",
        "metadata": {"tags": ["injected-parameters"]},
        "outputs": [],
        "source": source.splitlines(keepends=True),
    }
    at = next(i for i, c in enumerate(nb["cells"]) if "parameters" in c["metadata"].get("tags", []))
    nb["cells"].insert(at + 1, cell)
    notebook = dest / "triage.ipynb"
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return notebook
