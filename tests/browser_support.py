"""What tests/test_browser.py drives: the student's environment, a JupyterLab server and its page.

The browser is the machine's own Chromium (Debian's ``chromium``), driven by Playwright's Python
package; nothing here ever downloads a browser. Every process started here is stopped by the
context manager that started it, whatever the test does.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from autograder.student_package import build_wheel

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CHECK_CALL = re.compile(r'^check\("(\w+)"\)\s*$')

# Variables of this process that must not reach the student's Jupyter: the switches of nbgrader and
# of the grader's sandbox (a student's kernel has neither), the test session's plot backend, and
# every path setting that could lead an import, a kernel or a setting back into the checkout or the
# real home.
UNSET = ("NBGRADER_EXECUTION", "ZEROINIT_SANDBOX", "MPLBACKEND", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP",
         "JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_PREFER_ENV_PATH", "JUPYTER_PLATFORM_DIRS",
         "JUPYTERLAB_DIR", "MPLCONFIGDIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
         "XDG_RUNTIME_DIR")


def chromium() -> str | None:
    """The machine's Chromium (Debian's package installs /usr/bin/chromium)."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def unavailable() -> str | None:
    """Why the browser test cannot run here, or None."""
    if importlib.util.find_spec("playwright") is None:
        return ("the Python package playwright is missing: install the test extras (python3 kit.py test does; "
                "or .venv/bin/pip install -e '.[test]'); the browser comes from the system, never from "
                "`playwright install`")
    if chromium() is None:
        return "no chromium on PATH: install Debian's browser (apt-get install chromium)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return "(no log)"


@dataclass(frozen=True)
class StudentEnvironment:
    """The wheel installed on its own, and the environment variables of the student's Jupyter."""

    wheel: Path
    site: Path  # where the wheel's files are: the only source_lib the kernel can import
    env: dict[str, str]


def write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")


def student_environment(root: Path) -> StudentEnvironment:
    """Build the wheel as an instructor does, install it into ``root/site``; a home of its own.

    The kernel is this interpreter (it has numpy, sympy, matplotlib and ipykernel) with
    PYTHONPATH = the wheel's install folder, which comes before the project's editable install, so
    ``import source_lib`` finds the wheel's copy. Jupyter's, IPython's and matplotlib's settings and
    caches go to a fresh home under ``root``. The student has no nbgrader: its Jupyter extensions
    are switched off there.
    """
    wheel = build_wheel(root / "dist")
    site = root / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           "--no-deps", "--no-index", "--target", str(site), str(wheel)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"installing the student wheel failed:\n{done.stdout}{done.stderr}"
    home = root / "home"
    config, data = home / ".jupyter", home / ".local" / "share" / "jupyter"
    settings = home / ".jupyter" / "lab" / "user-settings"
    extensions = ("formgrader", "assignment_list", "course_list", "validate_assignment")
    write_json(config / "jupyter_server_config.json", {"ServerApp": {"jpserver_extensions": {
        f"nbgrader.server_extensions.{name}": False for name in extensions}}})
    write_json(config / "labconfig" / "page_config.json", {"disabledExtensions": {"@jupyter/nbgrader": True}})
    # No news pop-up over the screenshots; every cell attached to the page, so each one can be read.
    write_json(settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
               {"fetchNews": "false", "checkForUpdates": False})
    write_json(settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings",
               {"windowingMode": "none"})
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(PYTHONPATH=str(site), HOME=str(home), JUPYTER_CONFIG_DIR=str(config), JUPYTER_DATA_DIR=str(data),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), IPYTHONDIR=str(home / ".ipython"),
               MPLCONFIGDIR=str(home / ".matplotlib"), PYTHONDONTWRITEBYTECODE="1")
    return StudentEnvironment(wheel, site, env)


HEADLESS = """
import sys, nbformat
from nbclient import NotebookClient
node = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(node, timeout=180, allow_errors=True, resources={"metadata": {"path": sys.argv[3]}}).execute()
nbformat.write(node, sys.argv[2])
"""


def start_headless(student: StudentEnvironment, notebook: Path, out: Path, log: Path) -> subprocess.Popen[bytes]:
    """Run ``notebook`` top to bottom with nbclient in the student's environment, writing ``out``."""
    with log.open("wb") as sink:
        return subprocess.Popen([sys.executable, "-c", HEADLESS, str(notebook), str(out), str(notebook.parent)],
                                cwd=notebook.parent, env=student.env, stdout=sink, stderr=subprocess.STDOUT,
                                start_new_session=True)


def stop(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """Stop a process started with start_new_session, and its group."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # anything of its group still there
    except (ProcessLookupError, PermissionError):
        pass
    if process.poll() is None:
        process.wait(10)


@dataclass(frozen=True)
class Server:
    url: str
    token: str
    root: Path
    log: Path

    def api(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as reply:
            body = reply.read()
        return json.loads(body) if body else None

    def lab(self, notebook: str) -> str:
        return f"{self.url}/lab/tree/{notebook}?token={self.token}"


@contextmanager
def jupyter_lab(root: Path, student: StudentEnvironment, log: Path, timeout: float = 90.0) -> Iterator[Server]:
    """JupyterLab serving ``root`` on a free local port with a random token; stopped on exit."""
    port, token = free_port(), secrets.token_hex(24)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=root, env=student.env, stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", token, root, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(f"jupyter lab exited with {process.returncode}:\n{tail(log)}")
            try:
                server.api("/api/status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise AssertionError(f"jupyter lab did not answer within {timeout:.0f} s:\n{tail(log)}") from None
                time.sleep(0.2)
        yield server
    finally:
        try:
            for kernel in server.api("/api/kernels"):
                server.api(f"/api/kernels/{kernel['id']}", method="DELETE")
        except Exception:  # the server may already be gone; stop() below ends its group anyway
            pass
        stop(process)


def output_text(output: dict[str, Any]) -> str:
    """What Jupyter shows for one saved output (plain text; tracebacks without colours)."""
    kind = output.get("output_type")
    if kind == "stream":
        return str(output.get("text", ""))
    if kind == "error":
        return ANSI.sub("", "\n".join(output.get("traceback", [])))
    data = output.get("data", {})
    return str(data.get("text/plain", ""))


def cell_outputs(cell: Any) -> list[str]:
    """The saved outputs of a cell as Jupyter shows them: consecutive pieces of one stream joined."""
    merged: list[tuple[str, str]] = []
    for output in cell.get("outputs", []):
        key = f"stream:{output.get('name')}" if output.get("output_type") == "stream" else ""
        if key and merged and merged[-1][0] == key:
            merged[-1] = (key, merged[-1][1] + output_text(output))
        else:
            merged.append((key, output_text(output)))
    return [text.rstrip() for _, text in merged]


class Notebook:
    """One notebook open in JupyterLab, driven as a student does: menus, clicks and keys."""

    def __init__(self, page: Any, server: Server, name: str) -> None:
        self.page, self.server, self.name = page, server, name

    @property
    def cells(self) -> Any:
        return self.page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")

    def cell(self, index: int) -> Any:
        return self.cells.nth(index)

    def open(self, timeout: float = 90.0) -> None:
        self.page.goto(self.server.lab(self.name), timeout=timeout * 1000)
        self.page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(timeout=timeout * 1000)
        self.wait_for_kernel(timeout)

    def hide_file_browser(self) -> None:
        """Ctrl+B collapses the left sidebar (cosmetic: wider outputs in the screenshots)."""
        self.page.keyboard.press("Control+B")
        try:
            self.page.locator("#jp-left-stack").wait_for(state="hidden", timeout=5000)
        except Exception:  # a layout detail: the flow does not depend on it
            pass

    def kernel_state(self) -> str | None:
        """The kernel's state as the server knows it, once the page is connected to it."""
        kernels = self.server.api("/api/kernels")
        if len(kernels) != 1 or kernels[0]["connections"] < 1:
            return None
        return str(kernels[0]["execution_state"])

    def wait_for_kernel(self, timeout: float) -> None:
        """Until the kernel has started, the page is connected to it and both say idle."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.page.locator(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator").first
            if self.kernel_state() == "idle" and shown.get_attribute("data-status") == "idle":
                return
            time.sleep(0.25)
        raise AssertionError(f"the notebook's kernel was not idle within {timeout:.0f} s "
                             f"(server says {self.kernel_state()!r}):\n{tail(self.server.log)}")

    def prompts(self) -> list[str]:
        """The input prompt of every cell ('' for markdown): '[3]:', '[*]:' or '[ ]:'."""
        texts: list[str] = self.cells.evaluate_all(
            "cells => cells.map(c => { const p = c.querySelector('.jp-InputPrompt'); "
            "return c.classList.contains('jp-CodeCell') && p ? p.innerText.trim() : ''; })")
        return texts

    def outputs(self, index: int) -> list[str]:
        """The text of each output of cell ``index``, as shown."""
        texts: list[str] = self.cell(index).locator(".jp-OutputArea-output").evaluate_all(
            "nodes => nodes.map(n => n.innerText)")
        return [t.rstrip() for t in texts]

    def stderr_outputs(self, index: int) -> int:
        """How many outputs of cell ``index`` Jupyter shows as errors or stderr."""
        count: int = self.cell(index).locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()
        return count

    def source(self, index: int) -> str:
        text: str = self.cell(index).locator(".jp-InputArea-editor .cm-content").evaluate(
            "node => Array.from(node.querySelectorAll('.cm-line')).map(l => l.textContent).join('\\n')")
        return text

    def menu(self, menu: str, item: str) -> None:
        self.page.locator(f".lm-MenuBar-item:has(.lm-MenuBar-itemLabel:text-is('{menu}'))").click()
        self.page.locator(f".lm-Menu-item:has(.lm-Menu-itemLabel:text-is('{item}'))").click()

    def wait_until_run(self, indices: list[int], before: list[str], timeout: float) -> None:
        """Until each cell of ``indices`` shows a new execution count and the kernel is idle.

        Fails early, naming the cell, when the kernel is idle, nothing is queued and a cell has not
        run (Run All stopped at an error).
        """
        deadline, settled = time.monotonic() + timeout, 0
        while time.monotonic() < deadline:
            prompts = self.prompts()
            ran = all(re.fullmatch(r"\[\d+\]:", prompts[i]) and prompts[i] != before[i] for i in indices)
            queued = any(p == "[*]:" for p in prompts)
            idle = not queued and self.kernel_state() == "idle"
            if ran and idle:
                return
            settled = settled + 1 if idle else 0
            if settled >= 12:  # idle for 3 s with cells left unrun: nothing more will run
                break
            time.sleep(0.25)
        prompts = self.prompts()
        missing = [i for i in indices if not re.fullmatch(r"\[\d+\]:", prompts[i]) or prompts[i] == before[i]]
        ran_last = max((i for i, p in enumerate(prompts) if re.fullmatch(r"\[\d+\]:", p)
                        and p != before[i]), default=None)
        where = "" if ran_last is None else (
            f"; the last cell that ran is cell {ran_last} {self.source(ran_last)[:60]!r}, "
            f"showing {self.outputs(ran_last)[-1:]!r}")
        raise AssertionError(f"cells {missing} did not run (prompts {[prompts[i] for i in missing]}){where}. "
                             "A cell without the raises-exception tag that raises stops Run All.")

    def replace_source(self, index: int, text: str) -> None:
        """Select everything in the cell's editor and insert ``text`` as one paste-like edit.

        Typing newlines key by key would let the editor auto-indent them; inserted text is kept as is.
        """
        editor = self.cell(index).locator(".jp-InputArea-editor .cm-content")
        editor.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.insert_text(text)
        shown = self.source(index)
        assert shown == text, f"the editor of cell {index} shows {shown!r}, not what was inserted {text!r}"

    def shift_enter(self, indices: list[int], timeout: float = 120.0) -> None:
        """Shift+Enter from the focused cell once per cell of ``indices``; until each has run."""
        before = self.prompts()
        for _ in indices:
            self.page.keyboard.press("Shift+Enter")
        self.wait_until_run(indices, before, timeout)

    def run_scratch_cell(self, code: str, timeout: float = 60.0) -> list[str]:
        """Add a cell at the end, run ``code`` in it, delete it again; its outputs."""
        count = self.cells.count()
        self.cell(count - 1).locator(".jp-InputPrompt").first.click()
        self.page.keyboard.press("Escape")
        self.page.keyboard.press("b")  # insert a cell below
        self.page.wait_for_function(f"() => document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length"
                                    f" === {count + 1}")
        self.replace_source(count, code)
        before = self.prompts()
        self.page.keyboard.press("Control+Enter")  # run in place: no new cell after it
        self.wait_until_run([count], before, timeout)
        shown = self.outputs(count)
        self.page.keyboard.press("Escape")
        self.page.keyboard.press("d")
        self.page.keyboard.press("d")  # D, D deletes the selected cell
        self.page.wait_for_function(f"() => document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length"
                                    f" === {count}")
        return shown

    def scroll_to(self, index: int, block: str = "start") -> None:
        """Scroll the notebook so that cell ``index`` is at the top (``block="end"``: bottom) of the panel."""
        self.cell(index).evaluate(f"node => node.scrollIntoView({{block: '{block}'}})")
        self.page.wait_for_timeout(300)  # let the panel repaint

    def save(self, path: Path, saved: Callable[[Any], bool], timeout: float = 30.0) -> None:
        """Ctrl+S; until the file on disk satisfies ``saved`` and the tab shows no unsaved change."""
        self.page.keyboard.press("Control+S")
        deadline = time.monotonic() + timeout
        dirty = self.page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty")
        while time.monotonic() < deadline:
            try:
                ok = saved(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4))
            except (OSError, ValueError):
                ok = False
            if ok and dirty.count() == 0:
                return
            time.sleep(0.25)
        raise AssertionError(f"{path.name} was not saved as expected within {timeout:.0f} s")
