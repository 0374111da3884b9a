"""A Binder rehearsal: do what repo2docker does with binder/, without Docker, and open the
README badge's lesson in the environment it builds.

1. a copy of the repository (its files as git sees them: tracked or not ignored), the folder
   repo2docker builds in;
2. a fresh virtual environment with only the pip part of binder/environment.yml (the conda part
   is Python and pip, which the venv already is);
3. binder/postBuild run in the copy with the venv's bin/ first on PATH;
4. `jupyter labextension list` / `jupyter server extension list` from the venv: Validate on,
   formgrader, create-assignment and the course and assignment lists off;
5. JupyterLab from the venv, opened in headless Chromium at the badge's urlpath: lesson 00 is the
   open notebook, its kernel starts, the Validate button is in its toolbar and works, and no
   menu, side panel, command or server route of the instructor's tools is there.

Installing takes minutes (pip's cache helps); the step times are printed at the end.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import course_tools as ct
import jupyterlab_driver as jd
import pytest
import yaml

pytestmark = [pytest.mark.binder, pytest.mark.slow]

README = (ct.ROOT / "README.md").read_text()
BINDER = ct.ROOT / "binder"
INSTRUCTOR_PLUGINS = ("formgrader", "create-assignment", "course-list")
INSTRUCTOR_SERVER_EXTENSIONS = ("formgrader", "course_list")


def badge_urlpath() -> str:
    """The urlpath of the README's Binder badge, e.g. lab/tree/lessons/00_welcome/00_welcome.ipynb."""
    link = re.search(r"\]\((https://mybinder\.org/v2/gh/[^)\s]+)\)", README).group(1)
    return re.search(r"[?&]urlpath=([^&)]+)", link).group(1)


def binder_pip_requirements() -> list[str]:
    env = yaml.safe_load((BINDER / "environment.yml").read_text())
    return [req for dep in env["dependencies"] if isinstance(dep, dict) for req in dep.get("pip", [])]


def repository_files() -> list[str]:
    """What a clone holds, plus work not committed yet: git's tracked and unignored files."""
    proc = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ct.ROOT,
                          capture_output=True, check=False)
    if proc.returncode != 0:
        return []
    return [name for name in proc.stdout.decode().split("\0") if name]


def copy_repository(dst: Path) -> Path:
    files = repository_files()
    if not files:   # not a git checkout: everything but environments and caches
        shutil.copytree(ct.ROOT, dst, ignore=shutil.ignore_patterns(
            ".git", ".venv*", "__pycache__", ".pytest_cache", ".hypothesis", "*.egg-info"))
        return dst
    for name in files:
        source = ct.ROOT / name
        if source.is_file():
            target = dst / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)     # keeps postBuild's executable bit
    return dst


def run(cmd, log: list, **kwargs) -> subprocess.CompletedProcess:
    start = time.monotonic()
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=False, **kwargs)
    log.append(f"$ {' '.join(map(str, cmd))}  ({time.monotonic() - start:.0f} s, exit {proc.returncode})\n"
               f"{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    if proc.returncode != 0:
        raise AssertionError("a Binder build step failed:\n" + log[-1])
    return proc


class BinderImage:
    """The rehearsed environment: the repo copy, the venv and a server configured like Binder's."""

    def __init__(self, base: Path):
        self.base = base
        self.repo = copy_repository(base / "repo")
        self.venv = base / "venv"
        self.python = self.venv / "bin" / "python"
        self.server = jd.LabServer(self.python, root=self.repo, workdir=base / "home")
        self.log: list[str] = []
        self.seconds: dict[str, float] = {}
        self.screenshot: Path | None = None

    def env(self) -> dict:
        env = self.server.environment()      # the venv's bin/ first, Jupyter's folders private
        env["VIRTUAL_ENV"] = str(self.venv)
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
            Path(env[var]).mkdir(parents=True, exist_ok=True)
        return env

    def build(self):
        steps = [
            ("venv", [sys.executable, "-m", "venv", self.venv], {}),
            # --no-compile: the .pyc files are written on first import instead (faster here)
            ("pip install (binder/environment.yml)",
             [self.python, "-m", "pip", "install", "--quiet", "--no-compile",
              *binder_pip_requirements()], {}),
            ("postBuild", ["bash", BINDER / "postBuild"], {"cwd": self.repo}),
        ]
        for name, cmd, kwargs in steps:
            start = time.monotonic()
            run(cmd, self.log, env=self.env(), timeout=1800, **kwargs)
            self.seconds[name] = round(time.monotonic() - start, 1)
        return self

    def jupyter(self, *args) -> str:
        proc = run([self.python, "-m", "jupyter", *args], self.log, env=self.env(), cwd=self.repo,
                   timeout=600)
        return jd.strip_ansi(proc.stdout + proc.stderr)


@pytest.fixture(scope="module")
def image(tmp_path_factory, request):
    built = BinderImage(tmp_path_factory.mktemp("binder"))
    try:
        yield built.build()
    finally:
        built.server.stop()
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter is not None:
            with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
                reporter.write_line("")
                reporter.write_line("binder rehearsal: " + ", ".join(
                    f"{k} {v} s" for k, v in built.seconds.items()) + f" (in {built.base})")
                if built.screenshot:
                    reporter.write_line(f"binder screenshot: {built.screenshot}")


def test_the_badge_opens_a_lesson_that_exists():
    urlpath = badge_urlpath()
    assert urlpath.startswith("lab/tree/"), urlpath
    assert (ct.ROOT / urlpath.removeprefix("lab/tree/")).is_file(), urlpath


def test_only_the_pip_part_is_installed_and_postbuild_installs_the_repo(image):
    code = "import autograd_mini, nbgrader, jupyterlab, ipywidgets, matplotlib; print(autograd_mini.__file__)"
    proc = run([image.python, "-c", code], image.log, env=image.env(), cwd=image.base)
    # editable install of the copy: the lessons import the package from the repository itself
    assert Path(proc.stdout.strip()).resolve().is_relative_to(image.repo.resolve()), proc.stdout


def test_extension_lists_keep_validate_and_hide_the_instructor_tools(image):
    labext = image.jupyter("labextension", "list")
    disabled_block = labext.split("Disabled extensions:", 1)
    assert len(disabled_block) == 2, f"no disabled lab extensions:\n{labext}"
    disabled = set(re.findall(r"@jupyter/nbgrader:[\w-]+", disabled_block[1]))
    for plugin in INSTRUCTOR_PLUGINS:
        assert f"@jupyter/nbgrader:{plugin}" in disabled, f"{plugin} is not disabled:\n{labext}"
    assert "@jupyter/nbgrader:validate-assignment" not in disabled, labext
    nbgrader_line = next(line for line in labext.splitlines() if "@jupyter/nbgrader " in line)
    assert re.search(r"enabled\s+OK", nbgrader_line), nbgrader_line
    for plugin in INSTRUCTOR_PLUGINS:   # locked too: a student cannot switch them back on
        assert f"@jupyter/nbgrader:{plugin}" in nbgrader_line and "locked" in nbgrader_line, nbgrader_line

    serverext = image.jupyter("server", "extension", "list")
    state = dict(re.findall(r"^\s*nbgrader\.server_extensions\.(\w+)\s+(enabled|disabled)\s*$",
                            serverext, re.MULTILINE))
    assert state.get("validate_assignment") == "enabled", serverext
    for ext in INSTRUCTOR_SERVER_EXTENSIONS:
        assert state.get(ext) == "disabled", f"{ext}:\n{serverext}"


@pytest.fixture(scope="module")
def lab(image):
    missing = jd.browser_unavailable()
    if missing:
        if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    start = time.monotonic()
    image.server.start()
    image.seconds["JupyterLab start"] = round(time.monotonic() - start, 1)
    with jd.Browser() as browser:
        start = time.monotonic()
        page = browser.lab(image.server, path=badge_urlpath(), exposed=False)
        yield page
        image.seconds["browser checks"] = round(time.monotonic() - start, 1)


def test_server_routes_of_the_instructor_tools_are_gone(image, lab):
    server = image.server
    assert server.get("nbgrader_version", version="0.9.6")[0] == 200, "Validate's server side is missing"
    for route in ("formgrader", "formgraders"):      # formgrader, course list
        status, body = server.get(route)
        assert status == 404, f"/{route} answers {status}: {body[:300]}"


def test_lesson_00_opens_at_the_badge_urlpath_with_validate_and_no_instructor_tools(image, lab):
    notebook = Path(badge_urlpath()).name

    def check():
        page = lab.page
        status = page.locator("#jp-main-statusbar", has_text="(ipykernel) | Idle")
        status.wait_for(timeout=180_000)
        tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current .lm-TabBar-tabLabel")
        assert tab.inner_text().strip() == notebook, f"the open tab is {tab.inner_text()!r}"
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        assert "Lesson 00" in panel.locator("h1").first.inner_text()
        validate = panel.locator(".jp-Toolbar .validate-button")
        assert validate.is_visible(), "no Validate button in the notebook toolbar"

        menus = page.locator("#jp-menu-panel .lm-MenuBar-itemLabel").all_inner_texts()
        assert "File" in menus and "Nbgrader" not in menus, f"menus: {menus}"
        side_tabs = " | ".join(
            (t.get_attribute("title") or "") + " " + t.inner_text()
            for t in page.locator(".jp-SideBar .lm-TabBar-tab").all())
        for name in ("Formgrader", "Create Assignment", "Courses", "Assignments"):
            assert name.lower() not in side_tabs.lower(), f"a side panel {name!r}: {side_tabs}"

        def palette(query):
            page.keyboard.press("Control+Shift+C")
            box = page.locator(".lm-CommandPalette-input")
            box.wait_for(timeout=30_000)
            box.fill(query)
            page.wait_for_timeout(500)
            found = page.locator(".lm-CommandPalette-item:visible").all_inner_texts()
            page.keyboard.press("Escape")
            return found
        assert palette("Restart Kernel"), "the command palette finds nothing (is it open?)"
        for query in ("Formgrader", "Create Assignment", "Course List", "Assignment List"):
            found = [item for item in palette(query) if query.lower() in item.lower()]
            assert not found, f"the command palette offers {found}"

        validate.click()
        dialog = page.locator(".jp-Dialog")
        dialog.wait_for(timeout=600_000)
        text = dialog.inner_text()
        shot = jd.artifacts_dir("binder") / "lesson-00-validate.png"
        page.screenshot(path=str(shot))
        image.screenshot = shot
        assert "Validation Results" in text and "NotImplementedError" in text, text[:2000]
        assert "There was an error running the validate command" not in text, text[:3000]
    lab._do(check)
