"""The environments agree (pyproject is the one source of truth), Binder's postBuild does what
students need, and the README points at things that exist and runs what CI runs."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ImportError:   # Python 3.10
    import tomli as tomllib

import course_tools as ct
from course_tools import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
README = (ROOT / "README.md").read_text()
POSTBUILD = ROOT / "binder" / "postBuild"
BADGE_PATH = "lessons/00_welcome/00_welcome.ipynb"


def course_requirements():
    project = PYPROJECT["project"]
    return sorted(project["dependencies"] + project["optional-dependencies"]["course"])


def split_environment(path):
    env = yaml.safe_load(path.read_text())
    conda, pip = [], []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.extend(dep["pip"])
        else:
            conda.append(dep)
    return env, conda, pip


def test_binder_and_top_level_environments_agree_with_pyproject():
    top, top_conda, top_pip = split_environment(ROOT / "environment.yml")
    binder, binder_conda, binder_pip = split_environment(ROOT / "binder" / "environment.yml")
    assert top["channels"] == binder["channels"] == ["conda-forge"]
    assert top_conda == binder_conda
    assert "pip" in top_conda and any(dep.startswith("python") for dep in top_conda)
    # the top level installs the repo itself; Binder's postBuild does (the repo is not there yet)
    assert [dep for dep in top_pip if dep.startswith("-e")] == ["-e ."]
    assert sorted(dep for dep in top_pip if not dep.startswith("-e")) == sorted(binder_pip)
    assert sorted(binder_pip) == course_requirements(), \
        "binder/environment.yml's pip list must be pyproject's dependencies + [course]"


def test_python_versions_agree():
    _, conda, _ = split_environment(ROOT / "environment.yml")
    python = next(dep for dep in conda if dep.startswith("python"))
    minimum = re.search(r">=\s*(\d+\.\d+)", PYPROJECT["project"]["requires-python"]).group(1)
    version = re.search(r"(\d+\.\d+)", python).group(1)
    assert tuple(map(int, version.split("."))) >= tuple(map(int, minimum.split(".")))


def postbuild_commands():
    lines = [line.strip() for line in POSTBUILD.read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_postbuild_is_an_executable_bash_script_that_stops_on_errors():
    text = POSTBUILD.read_text()
    assert text.startswith("#!/bin/bash") or text.startswith("#!/usr/bin/env bash")
    assert os.access(POSTBUILD, os.X_OK)
    mode = subprocess.run(["git", "ls-files", "-s", "binder/postBuild"], cwd=ROOT,
                          capture_output=True, text=True).stdout.split()
    if mode:   # tracked: the executable bit must be in git too, or Binder gets a plain file
        assert mode[0] == "100755"
    assert re.search(r"^set -e", text, re.M)
    subprocess.run(["bash", "-n", str(POSTBUILD)], check=True)
    assert any(re.search(r"pip install .*-e \.$|pip install .* \.$", c) for c in postbuild_commands()), \
        "postBuild installs the repository"


def nbgrader_lab_plugins():
    """Plugin ids shipped in the installed nbgrader lab extension."""
    import nbgrader

    static = Path(nbgrader.__file__).parent / "labextension" / "static"
    found = set()
    for js in static.glob("*.js"):
        found.update(re.findall(r"@jupyter/nbgrader:[a-z-]+", js.read_text(errors="replace")))
    return found


def test_postbuild_hides_instructor_tools_and_keeps_validate():
    text = POSTBUILD.read_text()
    plugins = nbgrader_lab_plugins()
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:validate-assignment"} <= plugins
    loop = re.search(r"for plugin in ([^;]+);", text).group(1).split()
    disabled = {f"@jupyter/nbgrader:{name}" for name in loop}
    assert disabled <= plugins, f"unknown plugin ids: {disabled - plugins}"
    for name in ("formgrader", "create-assignment", "course-list"):
        assert f"@jupyter/nbgrader:{name}" in disabled
    assert "@jupyter/nbgrader:validate-assignment" not in disabled
    assert "labextension disable" in text and "labextension lock" in text

    server = set(re.search(r"for ext in ([^;]+);", text).group(1).split())
    assert {"formgrader", "course_list"} <= server and "validate_assignment" not in server
    import importlib
    for ext in server:
        importlib.import_module(f"nbgrader.server_extensions.{ext}")


def test_nbgrader_config_loads_with_the_course_settings():
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "lessons"
    assert config.Execute.timeout > 0
    assert config.Execute.kernel_name == "python3"
    assert "--InteractiveShell.xmode=Minimal" in config.Execute.extra_arguments
    assert config.OverwriteCells.add_missing_cells is True
    assert "ClearHiddenTests" in [p.__name__ for p in config.GenerateFeedback.preprocessors]


def test_grading_folders_are_git_ignored():
    for path in ("gradebook.db", "submitted/s/00_welcome/x.ipynb", "autograded/s/x",
                 "feedback/s/x.html", "downloaded/00_welcome/archive/x.zip", "grades.csv"):
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
        assert ignored.returncode == 0, f"{path} is not git-ignored"
    assert subprocess.run(["git", "check-ignore", "-q", "lessons/00_welcome/00_welcome.ipynb"],
                          cwd=ROOT).returncode == 1


def test_readme_badge_opens_lesson_00_in_jupyterlab():
    badge = re.search(r"\(https://mybinder\.org/v2/gh/[^)\s]+\)", README).group(0)
    assert f"?urlpath=lab/tree/{BADGE_PATH})" in badge
    assert (ROOT / BADGE_PATH).exists()


def test_readme_lesson_table_links_only_existing_lessons():
    rows = re.findall(r"^\| (\d\d) \| (.*) \| (available|planned) \|$", README, re.M)
    assert [number for number, _, _ in rows] == [f"{i:02d}" for i in range(13)]
    for number, title, status in rows:
        link = re.search(r"\]\((lessons/[^)]+)\)", title)
        if status == "available":
            assert link and (ROOT / link.group(1)).exists(), f"lesson {number}: link a released notebook"
        else:
            assert not link, f"lesson {number} is marked planned but linked"
    assert "(lessons/00_welcome/00_welcome.ipynb)" in README


def test_readme_test_command_is_what_ci_runs():
    block = re.search(r"## The two commands.*?```bash\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["python3 course lab", "python3 course test"]
    ci = (ROOT / ".ci" / "run").read_text()
    ci_lines = [line.split("||")[0].strip() for line in ci.splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert "python3 course test" in ci_lines
    assert "set -euo pipefail" in ci


@pytest.mark.slow
def test_course_lab_serves_the_lessons(tmp_path):
    """`python3 course lab` (in this environment, without reinstalling) starts JupyterLab whose
    file tree is lessons/."""
    import json
    import secrets
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    env = ct.tool_env(COURSE_VENV=sys.prefix, COURSE_SKIP_INSTALL="1",
                      JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    cmd = [sys.executable, str(ROOT / "course"), "lab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"]
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/api/contents/00_welcome?token={token}"
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    listing = json.load(response)
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise AssertionError("JupyterLab did not answer:\n" +
                                         (tmp_path / "lab.log").read_text()[-3000:])
                time.sleep(0.5)
        assert "00_welcome/00_welcome.ipynb" in [item["path"] for item in listing["content"]]
        lab = f"http://127.0.0.1:{port}/lab/tree/00_welcome/00_welcome.ipynb?token={token}"
        with urllib.request.urlopen(lab, timeout=10) as response:
            assert response.status == 200
    finally:
        import signal

        os.killpg(proc.pid, signal.SIGTERM)   # the server and anything it started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
