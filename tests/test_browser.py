"""Every lesson in a real JupyterLab, driven through headless Chromium, as a student meets it.

Two sides work through the lessons (found by course_tools.lesson_names()) at the same time,
each with its own JupyterLab server (127.0.0.1, a port the OS picks, a random token, serving a
temporary copy of solutions/ and lessons/), its own Chromium and one tab, loaded once:

  solution side  opens solutions/<lesson>, Run All Cells; then every code cell has run ([n],
                 no [*]), no cell shows an error, every figure is a loaded image, every widget
                 is drawn and moving its slider changes its picture; a full-length screenshot.
  student side   opens lessons/<lesson>, Run All Cells, going on after each failing cell as a
                 student would: every error shown is the NotImplementedError of a missing
                 answer (or a check saying so), nothing else; then Validate: its dialog lists
                 the failing tests (no crash); a screenshot of the dialog.

(Validate keeps its server busy until the validation is over, hence two servers.) While one
lesson is being checked, the next one opens in a background tab so that its kernel starts.
The screenshots land in .artifacts/browser-<time>-<pid>/ (git-ignored; or under
$COURSE_ARTIFACTS); the folder and the time of every step are printed at the end.
Needs /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it) and playwright (the
[dev] extra); without them the tests are skipped, unless COURSE_REQUIRE_BROWSER=1 (set by CI).
"""
from __future__ import annotations

import contextlib
import os
import re
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import course_tools as ct
import jupyterlab_driver as jd
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSONS = ct.lesson_names()
IMAGE_MIMES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
# JupyterLab prefers these to an image of the same output
RICHER_MIMES = (jd.WIDGET_MIME, "text/html", "text/markdown", "text/latex")
ERROR_TEXT = re.compile(r"Traceback|\b[A-Z]\w*Error\b")


@dataclass
class SideRun:
    """What one side saw of one version of a lesson (cells None if the run did not get there)."""
    lesson: str
    path: str
    cells: list | None = None
    sliders: list = field(default_factory=list)       # (cell index, what move_slider saw)
    validation: dict | None = None
    screenshots: dict = field(default_factory=dict)   # name -> Path
    seconds: dict = field(default_factory=dict)       # step -> seconds
    failure: str | None = None                        # the exception that stopped the run
    console: list = field(default_factory=list)
    after: str | None = None                          # the notebook to open next, meanwhile

    def context(self) -> str:
        shots = "".join(f"\n  screenshot {name}: {path}" for name, path in self.screenshots.items())
        console = "".join(f"\n  {line}" for line in self.console[-8:])
        return (shots + (f"\nbrowser console errors (last 8):{console}" if console else "")
                + (f"\nthe run stopped with:\n{self.failure}" if self.failure else ""))


def where(cell) -> str:
    return f"cell {cell['index']} ({cell['head']!r})"


class Side:
    """One JupyterLab server, one Chromium and one tab, working through the lessons in order
    in the browser's thread. The solution side and the student side run in parallel, each on
    its own server: Validate keeps its server busy until the validation is over."""

    def __init__(self, name: str, root: Path, workdir: Path, shots: Path):
        self.name, self.shots = name, shots
        self.server = jd.LabServer(sys.executable, root=root, workdir=workdir,
                                   extra_args=["--expose-app-in-browser"])
        self.browser = jd.Browser()
        self.tab = None
        self.futures = {}

    def start(self, lessons):
        self.server.start()
        self.browser.__enter__()
        self.tab = self.browser.lab(self.server)
        for lesson, after in zip(lessons, [*lessons[1:], None]):
            self.futures[lesson] = self.browser.submit(self._run, lesson, after)
        return self

    def result(self, lesson: str) -> SideRun:
        return self.futures[lesson].result()

    def stop(self):
        for future in self.futures.values():
            future.cancel()
        try:
            if self.tab is not None:
                self.browser.__exit__(None, None, None)
        finally:
            self.server.stop()

    def path(self, lesson: str) -> str:
        folder = "solutions" if self.name == "solution" else "lessons"
        return f"{folder}/{lesson}/{lesson}.ipynb"

    def _run(self, lesson: str, after: str | None) -> SideRun:
        """Visit one lesson; once its cells have run, the next lesson opens in the background."""
        run = SideRun(lesson, self.path(lesson))
        run.after = self.path(after) if after else None
        clock = time.monotonic()

        def lap(step):
            nonlocal clock
            now = time.monotonic()
            run.seconds[step] = round(now - clock, 1)
            clock = now

        try:
            self.tab.open(run.path)
            lap("open")
            self.visit(run, lap)
        except Exception:  # noqa: BLE001 -- any failure is reported by this lesson's tests
            run.failure = (traceback.format_exc(limit=3) + "\nJupyterLab log (end):\n"
                           + self.server.log_tail(1500))
            self.server.shutdown_kernels()        # start the next lesson clean
            with contextlib.suppress(Exception):
                self.tab.reload()
        finally:
            with contextlib.suppress(Exception):
                self.tab.close(run.path)
            run.console, self.tab.console[:] = self.tab.console[:], []
        return run

    def visit(self, run: SideRun, lap):
        tab, path, lesson = self.tab, run.path, run.lesson
        solution = self.name == "solution"
        # the student side does as the README says: Run All Cells (going on after errors), Validate
        tab.start_run(path, keep_going=not solution)
        tab.wait_run(path)
        lap("run all")
        if run.after:
            tab.prefetch(run.after)
        run.cells = tab.wait_rendered(path)
        lap("render")
        if solution:
            for cell in run.cells:
                if any(jd.WIDGET_MIME in o["mimes"] and d["sliders"]
                       for o, d in zip(cell.get("outputs", []), cell.get("dom", []))):
                    run.sliders.append((cell["index"], tab.move_slider(path, cell["index"])))
            lap("sliders")
            run.screenshots["solution"] = tab.screenshot(path, self.shots / f"{lesson}-solution.png")
            lap("screenshot")
        else:
            run.validation = tab.validate(path)
            lap("validate")
            run.screenshots["student"] = tab.shot(self.shots / f"{lesson}-student-validate.png")
            tab.dismiss_dialog()


class BrowserCourse:
    def __init__(self, solution: Side, student: Side):
        self.solution, self.student = solution, student


def lessons_requested(session) -> list[str]:
    """The lessons of this module's selected tests (`-k 04_linear` runs lesson 04 only)."""
    wanted = []
    for item in session.items:
        if item.module.__name__ != __name__:
            continue
        lesson = getattr(getattr(item, "callspec", None), "params", {}).get("lesson")
        if lesson and lesson not in wanted:
            wanted.append(lesson)
    return wanted


@pytest.fixture(scope="module")
def course(tmp_path_factory, request):
    missing = jd.browser_unavailable()
    if missing:
        if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    root = jd.copy_tree(ct.ROOT, tmp_path_factory.mktemp("browser-course"))
    shots = jd.artifacts_dir("browser")
    lessons = lessons_requested(request.session)
    sides = [Side(name, root, tmp_path_factory.mktemp(f"browser-lab-{name}"), shots)
             for name in ("solution", "student")]
    try:
        # both servers and browsers start at once, then each side works through the lessons
        errors = [e for e in parallel([lambda s=s: s.start(lessons) for s in sides]) if e]
        if errors:
            raise errors[0]
        yield BrowserCourse(*sides)
    finally:
        for side in sides:
            side.stop()
        lines = [f"browser screenshots: {shots}"]
        for side in sides:
            for lesson, future in side.futures.items():
                if future.done() and not future.cancelled():
                    steps = ", ".join(f"{k} {v} s" for k, v in future.result().seconds.items())
                    lines.append(f"  {lesson} {side.name}: {steps}")
        report(request.config, lines)


def parallel(calls) -> list:
    """Run the calls in threads; the exception each raised (or None), in order."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
    return [future.exception() for future in futures]


def report(config, lines):
    """Write to the terminal even while pytest captures output (the paths must be seen)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None:
        return
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        reporter.write_line("")
        for line in lines:
            reporter.write_line(line)


def test_every_lesson_is_covered():
    assert "00_welcome" in LESSONS
    for lesson in LESSONS:
        assert ct.lesson_path(lesson).exists(), f"{lesson}: no student version in lessons/"


def rendering_problems(cells) -> list[str]:
    """Figures that are not loaded images, widgets that are not drawn."""
    problems = []
    for cell in cells:
        for output, dom in zip(cell.get("outputs", []), cell.get("dom", [])):
            mimes = output["mimes"]
            broken = [img for img in dom["imgs"] if not (img["complete"] and img["width"] > 0)]
            if broken:
                problems.append(f"{where(cell)}: {len(broken)} image(s) did not load: {broken}")
            if (any(m in mimes for m in IMAGE_MIMES) and not any(m in mimes for m in RICHER_MIMES)
                    and not dom["imgs"] and not dom["svgs"]):
                problems.append(f"{where(cell)}: a figure ({mimes}) shows no image: {dom['text']!r}")
            if jd.WIDGET_MIME in mimes and (not dom["widgets"] or dom["widgetErrors"]):
                problems.append(f"{where(cell)}: the widget is not drawn: "
                                f"{dom['widgetErrors'] or dom['text']!r}")
    return problems


def not_run(cells) -> list[str]:
    return [f"{where(c)} shows {c['prompt']!r}" for c in cells
            if c["type"] == "code" and (c["count"] is None or not re.fullmatch(r"\[\d+\]:", c["prompt"] or ""))]


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_runs_clean_in_jupyterlab(lesson, course):
    """Run All Cells on the solution: every cell runs, none shows an error."""
    run = course.solution.result(lesson)
    assert run.cells is not None, f"{lesson}: the solution was not run{run.context()}"
    cells = run.cells
    errors = []
    for cell in cells:
        for output, dom in zip(cell.get("outputs", []), cell.get("dom", [])):
            if output["type"] == "error":
                errors.append(f"{where(cell)} raised {output['ename']}: {output['evalue']}")
            elif any(ERROR_TEXT.search(text) for text in dom["stderr"]):
                errors.append(f"{where(cell)} shows on stderr: {' '.join(dom['stderr'])[:800]}")
    skipped = not_run(cells)
    if skipped:
        errors.append(f"Run All did not run {len(skipped)} cell(s): {skipped[:5]}")
    assert not errors, f"{lesson} (solution):\n" + "\n".join(errors) + run.context()


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_figures_and_widgets_render(lesson, course):
    """Every figure is a loaded image, every widget is drawn, and a slider changes its widget."""
    run = course.solution.result(lesson)
    assert run.cells is not None, f"{lesson}: the solution was not run{run.context()}"
    problems = rendering_problems(run.cells)
    for index, moved in run.sliders:
        if not moved["changed"]:
            problems.append(f"cell {index}: moving slider {moved['slider']!r} ({moved['key']}: "
                            f"{moved['from']} -> {moved['to']}) did not change the widget's output")
    assert not problems, f"{lesson} (solution):\n" + "\n".join(problems) + run.context()
    with_sliders = {index for index, _ in run.sliders}
    for cell in run.cells:
        for output, dom in zip(cell.get("outputs", []), cell.get("dom", [])):
            if jd.WIDGET_MIME in output["mimes"] and dom["sliders"]:
                assert cell["index"] in with_sliders, f"{where(cell)}: its slider was not tried"
    assert run.screenshots.get("solution") and run.screenshots["solution"].stat().st_size > 10_000, \
        f"{lesson}: no screenshot{run.context()}"


def missing_answer(output) -> bool:
    """An error that says an answer is still missing: NotImplementedError itself, or a check
    reporting it (its message names NotImplementedError)."""
    return (output["ename"] == "NotImplementedError"
            or "NotImplementedError" in (output["evalue"] or "")
            or "NotImplementedError" in jd.strip_ansi(output["traceback"]))


@pytest.mark.parametrize("lesson", LESSONS)
def test_student_version_shows_only_missing_answers(lesson, course):
    """Run All Cells on the untouched student version (going on after each failing cell):
    the errors are the expected NotImplementedErrors and nothing else."""
    run = course.student.result(lesson)
    assert run.cells is not None, f"{lesson}: the student version was not run{run.context()}"
    cells = run.cells
    assert not not_run(cells), f"{lesson}: not every cell ran: {not_run(cells)}{run.context()}"
    expected, other = [], []
    for cell in cells:
        for output, dom in zip(cell.get("outputs", []), cell.get("dom", [])):
            if output["type"] == "error":
                (expected if missing_answer(output) else other).append(
                    f"{where(cell)} raised {output['ename']}: {output['evalue'][:300]}")
            elif output["type"] == "stream" and any(ERROR_TEXT.search(t) for t in dom["stderr"]):
                other.append(f"{where(cell)} shows on stderr: {' '.join(dom['stderr'])[:500]}")
    assert expected, f"{lesson}: the student version shows no NotImplementedError{run.context()}"
    assert not other, (f"{lesson} (student version): errors other than a missing answer:\n"
                       + "\n".join(other) + run.context())
    problems = rendering_problems(cells)
    assert not problems, f"{lesson} (student version):\n" + "\n".join(problems) + run.context()


@pytest.mark.parametrize("lesson", LESSONS)
def test_validate_button_reports_failing_tests(lesson, course):
    """Validate on the untouched student version: a dialog listing every autograded test as
    failing with NotImplementedError, not an error of the validator or the server."""
    run = course.student.result(lesson)
    dialog = run.validation
    assert dialog is not None, f"{lesson}: Validate was not pressed{run.context()}"
    text = dialog["text"]
    assert dialog["title"] == "Validation Results", f"{lesson}: Validate said {text[:1500]!r}{run.context()}"
    assert "There was an error running the validate command" not in text, \
        f"{lesson}: Validate crashed: {text[:3000]}{run.context()}"
    assert "validation-failed" in (dialog["classes"] or ""), \
        f"{lesson}: Validate did not report failing tests: {text[:1500]!r}{run.context()}"
    assert "NotImplementedError" in text, f"{lesson}: {text[:1500]!r}{run.context()}"
    nb = ct.read_nb(ct.lesson_path(lesson))
    flat = " ".join(text.split())
    for grade_id, cell in ct.cells_by_id(nb, ct.is_autograded_test).items():
        first = " ".join(cell.source.strip().splitlines()[0].split())
        assert first in flat, f"{lesson}: Validate does not list test {grade_id} ({first!r}){run.context()}"
