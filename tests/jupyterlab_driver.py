"""Drive a real JupyterLab in headless Chromium: the helpers behind tests/test_browser.py and
tests/test_binder_rehearsal.py.

    server = LabServer(python, root=course_dir, workdir=tmp / "lab").start()
    with Browser() as browser:                        # Debian's chromium through playwright
        lab = browser.lab(server)                     # one JupyterLab app, loaded once
        lab.open("solutions/04_x/04_x.ipynb")         # waits until the kernel is idle
        lab.start_run(path); lab.wait_run(path)       # Run All Cells, in the browser
        cells = lab.cells(path)                       # what every code cell shows

Every playwright call runs in one worker thread (`Browser.call`): the sync API then never meets
an asyncio loop that the test process may be running, and pages can be polled while kernels
work. Facts are read from the page itself (the DOM the student sees) and, for cell outputs,
from the notebook model of the JupyterLab app (`--expose-app-in-browser`), so that a failure
can say which cell showed what.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
# DESIGN.md section 5: the flags that make Debian's chromium start headless in a container.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 900}
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
MAX_SCREENSHOT_HEIGHT = 30000        # px; a longer notebook is cut (and the file name says so)

# JupyterLab settings for the test server: no news or update pop-ups over the notebook.
# Windowing "none": every cell is drawn when the notebook opens. (The default draws cells out of
# view when the browser is idle, which a loaded machine may not be for minutes; what a cell
# shows is the same either way.)
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def browser_unavailable() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return (f"{CHROMIUM} not found: install Debian's chromium "
                "(apt-get install chromium; .ci/run does it)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install -e '.[dev]'"
    return None


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text or "")


# --- a JupyterLab server ----------------------------------------------------------------------

class LabServer:
    """`python -m jupyter lab` on 127.0.0.1, a port the OS picks and a random token.

    Everything JupyterLab writes (settings, workspaces, runtime files, its log) goes to
    `workdir`; the notebooks it serves live in `root`, which is also the server's cwd (the
    Validate button reads nbgrader_config.py from there, as on Binder)."""

    def __init__(self, python, root, workdir, extra_args=(), env=None, startup_timeout=180):
        self.python = Path(python)
        self.root = Path(root)
        self.workdir = Path(workdir)
        self.extra_args = list(extra_args)
        self.extra_env = dict(env or {})
        self.startup_timeout = startup_timeout
        self.token = secrets.token_hex(16)
        self.port = None
        self.proc = None
        self.log_path = self.workdir / "jupyterlab.log"

    def environment(self) -> dict:
        """This interpreter's environment, its bin/ first on PATH, Jupyter's folders private."""
        env = dict(os.environ)
        for var in ("PYTHONHOME", "PYTHONPATH", "JUPYTER_PATH", "JUPYTER_CONFIG_PATH"):
            env.pop(var, None)
        env["PATH"] = str(self.python.parent) + os.pathsep + env.get("PATH", "")
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                         ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
            env[var] = str(self.workdir / sub)
        env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
        env.update(self.extra_env)
        return env

    def command(self) -> list:
        settings = self.workdir / "settings"
        cmd = [str(self.python), "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
               "--port=0", "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root}", f"--LabApp.user_settings_dir={settings}",
               f"--LabApp.workspaces_dir={self.workdir / 'workspaces'}", *self.extra_args]
        if hasattr(os, "geteuid") and os.geteuid() == 0:   # containers often run as root
            cmd.append("--allow-root")
        return cmd

    def start(self) -> LabServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        for name, values in LAB_SETTINGS.items():
            path = self.workdir / "settings" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = self.environment()
        for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
            Path(env[var]).mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")  # noqa: SIM115 -- the server writes to it until stop()
        self.proc = subprocess.Popen(self.command(), cwd=self.root, env=env, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        runtime = Path(env["JUPYTER_RUNTIME_DIR"])
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"JupyterLab did not answer in {self.startup_timeout} s:\n"
                                   f"{self.log_tail()}")
            if self.port is None:
                info = runtime / f"jpserver-{self.proc.pid}.json"
                if info.exists():
                    try:
                        self.port = json.loads(info.read_text())["port"]
                    except (ValueError, KeyError):
                        pass        # being written
            if self.port:
                try:
                    self.get("api/status")
                    return self
                except OSError:
                    pass
            time.sleep(0.3)

    def url(self, path: str, **query) -> str:
        query = "&".join([*(f"{k}" if v is True else f"{k}={v}" for k, v in query.items()),
                          f"token={self.token}"])
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}?{query}"

    def get(self, path: str, timeout=30, **query):
        """(status, body text) of a GET on the server (HTTP errors are returned, not raised)."""
        try:
            with urllib.request.urlopen(self.url(path, **query), timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def shutdown_kernels(self):
        """Stop every kernel (after a failed lesson, so that the next starts clean)."""
        status, body = self.get("api/kernels")
        if status != 200:
            return
        for kernel in json.loads(body):
            request = urllib.request.Request(self.url(f"api/kernels/{kernel['id']}"), method="DELETE")
            try:
                urllib.request.urlopen(request, timeout=30).close()
            except OSError:
                pass

    def log_tail(self, chars=4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self):
        """Stop the server (it shuts its kernels down)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        if getattr(self, "_log", None):
            self._log.close()


# --- the browser ------------------------------------------------------------------------------

class Browser:
    """Chromium through playwright's sync API, owned by one worker thread: everything that
    touches it goes through `call(fn, ...)` (the LabPage methods do); `submit(fn, ...)` queues
    work for that thread and returns a Future. Two Browsers work in parallel."""

    def __init__(self):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._owner = None
        self._playwright = self._browser = None

    def submit(self, fn, *args, **kwargs):
        return self._thread.submit(fn, *args, **kwargs)

    def call(self, fn, *args, **kwargs):
        if threading.current_thread() is self._owner:     # already in the browser's thread
            return fn(*args, **kwargs)
        return self.submit(fn, *args, **kwargs).result()

    def __enter__(self):
        def launch():
            from playwright.sync_api import sync_playwright

            self._owner = threading.current_thread()
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM,
                                                             args=CHROMIUM_ARGS)
        self.call(launch)
        return self

    def __exit__(self, *exc):
        def close():
            try:
                self._browser.close()
            finally:
                self._playwright.stop()
        try:
            self.call(close)
        finally:
            self._thread.shutdown(wait=True, cancel_futures=True)

    def lab(self, server: LabServer, path: str = "lab", exposed=True, **query) -> LabPage:
        """A new tab showing JupyterLab at `path` (with ?reset: no workspace is restored)."""
        page = LabPage(self, server)
        self.call(page._load, path, exposed, query)
        return page


# JavaScript installed in every page: small functions over the JupyterLab app
# (window.jupyterapp, from --expose-app-in-browser).
LAB_JS = r"""
window.courseLab = (() => {
  const app = () => window.jupyterapp;
  const runs = {}, prefetched = {};
  function panelOf(path) {
    for (const w of app().shell.widgets('main')) {
      if (w.context && w.context.path === path) return w;
    }
    throw new Error('no open notebook ' + path);
  }
  function firstError(nb, from) {
    // the first cell at or after `from` that shows an error (-1 if none)
    for (let i = from; i < nb.widgets.length; i++) {
      const m = nb.widgets[i].model;
      if (m.type !== 'code') continue;
      for (let k = 0; k < m.outputs.length; k++) {
        if (m.outputs.get(k).type === 'error') return i;
      }
    }
    return -1;
  }
  function firstNotRun(nb, from) {
    // the first code cell at or after `from` without an execution count (-1 if none)
    for (let i = from; i < nb.widgets.length; i++) {
      const m = nb.widgets[i].model;
      if (m.type === 'code' && m.executionCount === null) return i;
    }
    return -1;
  }
  const pause = ms => new Promise(resolve => setTimeout(resolve, ms));
  async function settle(panel, nb, from) {
    // every code cell from `from` on has run (or was dropped), the kernel is idle, and its
    // last messages are in: outputs and counts are final
    const busy = () => {
      const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
      const queued = nb.widgets.slice(from).some(c => c.model.type === 'code' &&
                                                    c.model.executionState === 'running');
      return queued || (kernel && kernel.status !== 'idle');
    };
    for (let quiet = 0; quiet < 3; ) {       // idle three times in a row, 100 ms apart
      await pause(100);
      quiet = busy() ? 0 : quiet + 1;
    }
  }
  function outputFacts(child) {
    const node = child.node;
    const imgs = [...node.querySelectorAll('img')].map(img => ({
      kind: img.src.split(':')[0], complete: img.complete, width: img.naturalWidth}));
    const stderr = [...node.querySelectorAll(
      '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')].map(e => e.textContent);
    return {
      imgs, stderr,
      svgs: node.querySelectorAll('svg').length,
      widgets: node.querySelectorAll('.jupyter-widgets').length,
      sliders: node.querySelectorAll('.widget-slider').length,
      widgetErrors: [...node.querySelectorAll('.jupyter-widgets-error-widget')]
        .map(e => e.textContent.slice(0, 500))
        .concat(/Error displaying widget/.test(node.textContent) ? [node.textContent.slice(0, 500)] : []),
      text: node.textContent.slice(0, 300),
    };
  }
  return {
    async ready() {
      await app().started;
      await app().restored;
      app().shell.collapseLeft();
      return true;
    },
    async open(path) {
      if (prefetched[path]) {          // opening in the background already: let it finish
        await prefetched[path];
        delete prefetched[path];
      }
      const panel = await app().commands.execute('docmanager:open', {path, factory: 'Notebook'});
      await panel.context.ready;
      await panel.sessionContext.ready;
      app().shell.activateById(panel.id);
      panel.node.setAttribute('data-course-path', path);
      return panel.id;
    },
    prefetch(path) {
      // open a notebook in a background tab (not waiting for it): its kernel starts while the
      // current notebook is busy
      prefetched[path] = app().commands.execute(
        'docmanager:open', {path, factory: 'Notebook', options: {activate: false}})
        .catch(e => console.error('prefetch', path, e));
      return true;
    },
    activate(path) {
      app().shell.activateById(panelOf(path).id);
      return true;
    },
    kernel(path) {
      const panel = panelOf(path);
      const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
      return {status: kernel ? kernel.status : 'none', name: panel.sessionContext.kernelDisplayName,
              active: app().shell.currentWidget === panel};
    },
    startRun(path, keepGoing) {
      // Run All Cells; with keepGoing, after a cell fails (which stops Run All) go on with
      // "Run Selected Cell and All Below" from the next cell, as a student would.
      const panel = panelOf(path), nb = panel.content;
      const state = runs[path] = {done: false, rounds: 0, error: null, log: []};
      (async () => {
        app().shell.activateById(panel.id);
        let ok = await app().commands.execute('notebook:run-all-cells');
        state.rounds = 1;
        // Run All stops at the first error (the kernel drops what was queued behind it). Go on
        // from the next cell with "Run Selected Cell and All Below", the cells tagged
        // raises-exception meanwhile so that one round runs them all (JupyterLab's own way to
        // run past an expected error); rounds that the kernel aborted are run again.
        let from = 0;
        const limit = 3 * nb.widgets.length;
        while (!ok && keepGoing && state.rounds < limit) {
          await settle(panel, nb, from);
          const failed = firstError(nb, from);
          const next = failed >= 0 && firstNotRun(nb, from) > failed ? failed + 1 : firstNotRun(nb, from);
          state.log.push([from, failed, next]);
          if (next < 0 || next >= nb.widgets.length) break;
          from = next;
          const tagged = [];
          for (let i = from; i < nb.widgets.length; i++) {
            const m = nb.widgets[i].model, tags = m.getMetadata('tags') || [];
            if (m.type === 'code' && !tags.includes('raises-exception')) {
              m.setMetadata('tags', [...tags, 'raises-exception']);
              tagged.push(m);
            }
          }
          app().shell.activateById(panel.id);
          nb.activeCellIndex = from;
          try {
            await app().commands.execute('notebook:run-all-below');
            state.rounds += 1;
            await settle(panel, nb, from);
          } finally {
            for (const m of tagged) {
              const tags = (m.getMetadata('tags') || []).filter(t => t !== 'raises-exception');
              if (tags.length) m.setMetadata('tags', tags); else m.deleteMetadata('tags');
            }
          }
          ok = firstNotRun(nb, 0) < 0;
        }
      })().then(() => { state.done = true; },
                e => { state.error = String(e && e.stack || e); state.done = true; });
      return true;
    },
    run(path) { return runs[path] || null; },
    async renderAll(path) {
      // JupyterLab draws the cells out of view when the browser is idle; a busy page may not
      // be for a while. Scrolling to a cell draws it at once.
      const nb = panelOf(path).content;
      const waiting = () => nb.widgets.map((c, i) => c.isPlaceholder() ? i : -1).filter(i => i >= 0);
      for (let round = 0; round < 2 * nb.widgets.length && waiting().length; round++) {
        await nb.scrollToItem(waiting()[0], 'start');
        await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 20)));
      }
      const outer = panelOf(path).node.querySelector('.jp-WindowedPanel-outer');
      if (outer) outer.scrollTop = 0;
      return waiting();
    },
    cells(path) {
      const nb = panelOf(path).content;
      return nb.widgets.map((cell, index) => {
        const m = cell.model;
        cell.node.setAttribute('data-course-cell', String(index));
        const src = m.sharedModel.getSource();
        const fact = {index, type: m.type, head: src.split('\n').slice(0, 2).join(' / ').slice(0, 160)};
        if (m.type !== 'code') return fact;
        const prompt = cell.node.querySelector('.jp-InputPrompt');
        fact.placeholder = cell.isPlaceholder();
        fact.count = m.executionCount;
        fact.prompt = prompt ? prompt.textContent.trim() : null;
        fact.outputs = [];
        for (let k = 0; k < m.outputs.length; k++) {
          const o = m.outputs.get(k).toJSON();
          fact.outputs.push({
            type: o.output_type, name: o.name || null, ename: o.ename || null,
            evalue: (o.evalue || '').slice(0, 1000),
            traceback: (o.traceback || []).join('\n').slice(-3000),
            text: (Array.isArray(o.text) ? o.text.join('') : (o.text || '')).slice(0, 3000),
            mimes: Object.keys(o.data || {})});
        }
        const children = cell.outputArea ? cell.outputArea.widgets : [];
        fact.dom = children.map(outputFacts);
        return fact;
      });
    },
    outputSignature(path, index) {
      // What a widget shows besides its controls: images and HTML (to see a slider's effect).
      const cell = panelOf(path).content.widgets[index];
      const node = cell.outputArea.node;
      const imgs = [...node.querySelectorAll('img')].map(i => i.src + '#' + i.naturalWidth);
      const html = [...node.querySelectorAll('.widget-html-content, .widget-output, .jp-RenderedHTMLCommon')]
        .map(h => h.innerHTML);
      return JSON.stringify([imgs, html]);
    },
    layout(path) {
      const panel = panelOf(path);
      const outer = panel.node.querySelector('.jp-WindowedPanel-outer');
      // where the last cell ends (scrollHeight would add the "scroll past the end" padding)
      const cells = panel.content.widgets, last = cells[cells.length - 1].node;
      const bottom = last.getBoundingClientRect().bottom - outer.getBoundingClientRect().top;
      return {content: Math.ceil(bottom + outer.scrollTop) + 24, visible: outer.clientHeight};
    },
    scrollTop(path) {
      panelOf(path).node.querySelector('.jp-WindowedPanel-outer').scrollTop = 0;
      return true;
    },
    async close(path) {
      let panel;
      try { panel = panelOf(path); } catch (e) { return false; }
      try { await panel.sessionContext.shutdown(); } catch (e) { /* already gone */ }
      panel.context.model.dirty = false;
      panel.dispose();
      return true;
    },
  };
})();
"""


class LabPage:
    """One browser tab with JupyterLab loaded once; notebooks are opened and closed in it."""

    def __init__(self, browser: Browser, server: LabServer):
        self.browser = browser
        self.server = server
        self.page = None
        self.console = []          # browser console errors and page errors, newest last

    # -- everything below runs in the browser's thread (through self._do / browser.call) --
    def _do(self, fn, *args, **kwargs):
        return self.browser.call(fn, *args, **kwargs)

    def _load(self, path, exposed, query):
        self.page = self.browser._browser.new_page(viewport=VIEWPORT)
        self.page.on("console", lambda m: m.type == "error" and self.console.append(m.text[:500]))
        self.page.on("pageerror", lambda e: self.console.append(f"page error: {e}"[:500]))
        if exposed:
            self.page.add_init_script(LAB_JS)
        self.page.goto(self.server.url(path, reset=True, **query), timeout=180_000)
        if exposed:
            self.page.wait_for_function("window.jupyterapp && window.courseLab", timeout=180_000)
            self.page.evaluate("courseLab.ready()")
        else:
            self.page.locator("#jp-main-statusbar").wait_for(timeout=180_000)

    def js(self, expression: str, *args):
        """Evaluate `courseLab.<expression>` with JSON arguments; returns its JSON result."""
        call = f"courseLab.{expression}({', '.join(json.dumps(a) for a in args)})"
        return self._do(lambda: self.page.evaluate(call))

    def open(self, path: str, timeout=180):
        """Open a notebook and wait until its kernel is idle: the status bar says
        `(ipykernel) | Idle` (DESIGN.md section 5) and the session agrees."""
        self.js("open", path)
        deadline = time.monotonic() + timeout

        def idle():
            status = self.page.locator("#jp-main-statusbar", has_text="(ipykernel) | Idle")
            while True:
                kernel = self.page.evaluate(f"courseLab.kernel({json.dumps(path)})")
                if kernel["status"] == "idle" and kernel["active"] and status.count():
                    return kernel
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{path}: the kernel was not idle after {timeout} s "
                                       f"(kernel {kernel}, status bar "
                                       f"{self.page.locator('#jp-main-statusbar').inner_text()!r})")
                self.page.wait_for_timeout(250)
        return self._do(idle)

    def prefetch(self, path: str):
        """Open a notebook in a background tab, so that its kernel starts meanwhile."""
        self.js("prefetch", path)

    def start_run(self, path: str, keep_going=False):
        self.js("startRun", path, keep_going)

    def wait_run(self, path: str, timeout=600) -> dict:
        """Wait until Run All (and its continuations) is over; on timeout say which cell runs."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.js("run", path)
            if state and state["done"]:
                if state["error"]:
                    raise RuntimeError(f"{path}: running the cells failed in the page: {state['error']}")
                return state
            if time.monotonic() > deadline:
                cells = self.cells(path)
                busy = [c for c in cells if c.get("prompt") == "[*]:"]
                todo = [c["index"] for c in cells if c["type"] == "code" and c["count"] is None]
                where = "; ".join(f"cell {c['index']} ({c['head']!r})" for c in busy) or "no cell"
                raise TimeoutError(f"{path}: Run All had not finished after {timeout} s; running: "
                                   f"{where}; not run yet: {todo}")
            time.sleep(0.5)

    def cells(self, path: str) -> list:
        return self.js("cells", path)

    def wait_rendered(self, path: str, timeout=30) -> list:
        """cells(path), once every <img> in an output has finished loading and every widget
        output shows its widget (or at the timeout: the caller judges what is missing)."""
        deadline = time.monotonic() + timeout
        self.js("renderAll", path)
        while True:
            cells = self.cells(path)
            pending = [c["index"] for c in cells if c.get("placeholder")] + [c["index"] for c in cells for o, d in zip(c.get("outputs", []), c.get("dom", []))
                       if any(not img["complete"] for img in d["imgs"])
                       or (WIDGET_MIME in o["mimes"] and not d["widgets"] and not d["widgetErrors"])]
            if not pending or time.monotonic() > deadline:
                return cells
            time.sleep(0.3)

    def move_slider(self, path: str, index: int, timeout=60) -> dict:
        """Press → on the first slider of cell `index` (← if it is at its maximum) and wait until
        the widget's picture or HTML changes. Returns what happened."""
        def move():
            cell = self.page.locator(f'[data-course-path="{path}"] [data-course-cell="{index}"]')
            slider = cell.locator(".widget-slider").first
            handle = slider.locator(".noUi-handle").first
            label = slider.locator(".widget-label").first.inner_text().strip()
            before = self.page.evaluate(f"courseLab.outputSignature({json.dumps(path)}, {index})")
            value = handle.get_attribute("aria-valuenow")
            top = handle.get_attribute("aria-valuemax")
            handle.scroll_into_view_if_needed()
            handle.focus()
            key = "ArrowLeft" if value == top else "ArrowRight"
            handle.press(key)
            deadline = time.monotonic() + timeout
            after = before
            while after == before and time.monotonic() < deadline:
                self.page.wait_for_timeout(250)
                after = self.page.evaluate(f"courseLab.outputSignature({json.dumps(path)}, {index})")
            return {"slider": label, "key": key, "from": value,
                    "to": handle.get_attribute("aria-valuenow"), "changed": after != before}
        return self._do(move)

    def validate(self, path: str, timeout=600) -> dict:
        """Press the notebook toolbar's Validate button; return the dialog it opens."""
        def press():
            panel = self.page.locator(f'[data-course-path="{path}"]')
            button = panel.locator(".jp-Toolbar .validate-button")
            button.click()
            dialog = self.page.locator(".jp-Dialog")
            dialog.wait_for(timeout=timeout * 1000)
            message = dialog.locator("#validation-message")
            result = {"title": dialog.locator(".jp-Dialog-header").inner_text().strip(),
                      "text": dialog.inner_text(),
                      "classes": message.get_attribute("class") if message.count() else None}
            return result
        return self._do(press)

    def dismiss_dialog(self):
        def dismiss():
            dialog = self.page.locator(".jp-Dialog")
            if dialog.count():
                dialog.locator("button.jp-mod-accept, button").first.click()
                dialog.wait_for(state="detached", timeout=30_000)
        self._do(dismiss)

    def screenshot(self, path: str, file: Path, full=True) -> Path:
        """The notebook, top to bottom, in one PNG: the window is made as tall as the notebook
        (measured again until it stops growing, because JupyterLab only lays out cells in
        view), shot, and put back."""
        def shoot():
            self.page.evaluate(f"courseLab.activate({json.dumps(path)})")
            height = VIEWPORT["height"]
            try:
                if full:
                    for _ in range(6):
                        layout = self.page.evaluate(f"courseLab.layout({json.dumps(path)})")
                        want = min(MAX_SCREENSHOT_HEIGHT,
                                   max(VIEWPORT["height"], layout["content"] + height - layout["visible"]))
                        if want == height:
                            break
                        height = want
                        self.page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
                        self.page.evaluate(f"courseLab.scrollTop({json.dumps(path)})")
                        self.page.wait_for_timeout(400)
                self.page.evaluate(f"courseLab.scrollTop({json.dumps(path)})")
                self.page.wait_for_timeout(200)
                self.page.screenshot(path=str(file), timeout=120_000)
            finally:
                if height != VIEWPORT["height"]:
                    self.page.set_viewport_size(VIEWPORT)
            return file
        return self._do(shoot)

    def shot(self, file: Path) -> Path:
        """The window as it is (dialogs included)."""
        return self._do(lambda: self.page.screenshot(path=str(file), timeout=60_000) and file)

    def close(self, path: str):
        """Shut the notebook's kernel down and close its tab (unsaved changes dropped)."""
        self.js("close", path)

    def reload(self):
        """Start over after a failure: a fresh JupyterLab app in this tab."""
        def again():
            self.page.goto(self.server.url("lab", reset=True), timeout=180_000)
            self.page.wait_for_function("window.jupyterapp && window.courseLab", timeout=180_000)
            self.page.evaluate("courseLab.ready()")
        self._do(again)


def artifacts_dir(kind: str, keep: int = 5) -> Path:
    """A fresh folder for this run's screenshots: $COURSE_ARTIFACTS/<kind>-<time>-<pid> or, by
    default, .artifacts/ in the repository (git-ignored; pytest's own temporary folders are
    pruned after three runs). Only the newest `keep` runs of each kind are kept."""
    base = Path(os.environ.get("COURSE_ARTIFACTS") or Path(__file__).resolve().parents[1] / ".artifacts")
    folder = base / f"{kind}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    runs = sorted((p for p in base.glob(f"{kind}-*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in runs[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return folder


def copy_tree(src: Path, dst: Path, names=("solutions", "lessons", "nbgrader_config.py")):
    """Copy the named files and folders of `src` into `dst` (no checkpoints, no caches)."""
    dst.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for name in names:
        source = src / name
        if source.is_dir():
            shutil.copytree(source, dst / name, ignore=ignore)
        else:
            shutil.copy2(source, dst / name)
    return dst


def python_of_this_environment() -> Path:
    return Path(sys.executable)
