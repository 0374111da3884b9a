"""Drive the course pipeline from tests: find lessons, run real nbgrader in a temporary course.

Everything that touches nbgrader lives here, so a lesson's tests only say *what* to submit:

    course = new_course(tmp_path, "04_linear_regression")         # config + solutions, generate_assignment
    subs = standard_submissions(course, "04_linear_regression")   # solution, untouched, tampered, ...
    subs["sum_not_mean"] = with_answer(subs["solution"], "mse", "return am.sum((X @ W - y) ** 2)")
    batch = grade_batch(course, "04_linear_regression", subs)     # ONE autograde + feedback + export
    batch.score("sum_not_mean", "test_mse")                       # -> 0.0
    "did you use sum" in batch.feedback_text("sum_not_mean")

Wrong answers listed in tests/wrong_answers/<lesson>.py join the standard batch of
tests/test_grading_pipeline.py automatically (see tests/wrong_answers/README.md).
nbgrader runs `alembic` from PATH, so every command here runs with this interpreter's bin/ first.
"""
from __future__ import annotations

import copy
import csv
import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
LESSONS = ROOT / "lessons"
CONFIG = ROOT / "nbgrader_config.py"
WRONG_ANSWERS = Path(__file__).resolve().parent / "wrong_answers"

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


# --- lessons and notebooks -----------------------------------------------------------------

def lesson_names() -> list[str]:
    """Every lesson: a folder solutions/<name>/ holding <name>.ipynb."""
    return sorted(p.parent.name for p in SOLUTIONS.glob("*/*.ipynb")
                  if p.stem == p.parent.name)


def solution_path(lesson: str) -> Path:
    return SOLUTIONS / lesson / f"{lesson}.ipynb"


def lesson_path(lesson: str) -> Path:
    return LESSONS / lesson / f"{lesson}.ipynb"


def read_nb(path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer(cell) -> bool:
    """A cell the student writes in (code or Markdown)."""
    return bool(nbgrader_meta(cell).get("solution"))


def is_autograded_test(cell) -> bool:
    """A locked code cell with points: nbgrader scores it by running it."""
    m = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(m.get("grade")) and not m.get("solution")


def is_manually_graded(cell) -> bool:
    m = nbgrader_meta(cell)
    return bool(m.get("grade")) and bool(m.get("solution"))


def cells_by_id(nb, keep=lambda cell: True) -> dict:
    return {nbgrader_meta(c)["grade_id"]: c for c in nb.cells
            if "grade_id" in nbgrader_meta(c) and keep(c)}


def autograded_test_ids(lesson: str) -> list[str]:
    return list(cells_by_id(read_nb(solution_path(lesson)), is_autograded_test))


def split_hidden(source: str) -> tuple[str, str]:
    """(visible part, hidden part) of a test cell's source."""
    visible, hidden, inside = [], [], False
    for line in source.splitlines():
        if BEGIN_HIDDEN in line:
            inside = True
        elif END_HIDDEN in line:
            inside = False
        elif inside:
            hidden.append(line)
        else:
            visible.append(line)
    return "\n".join(visible), "\n".join(hidden)


def hidden_test_lines(lesson: str, min_length: int = 12) -> list[str]:
    """Lines that only the hidden tests contain (long enough not to occur by accident)."""
    nb = read_nb(solution_path(lesson))
    hidden, elsewhere = set(), set()
    for cell in nb.cells:
        visible, secret = split_hidden(cell.source)
        hidden.update(line.strip() for line in secret.splitlines())
        elsewhere.update(line.strip() for line in visible.splitlines())
    return sorted(line for line in hidden - elsewhere if len(line) >= min_length)


# --- running tools with this environment ---------------------------------------------------

def tool_env(**extra) -> dict:
    """os.environ with this interpreter's bin/ first on PATH (nbgrader runs `alembic` from it)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    env.update(extra)
    return env


def nbgrader(args, cwd, check=True, timeout=1800) -> subprocess.CompletedProcess:
    """Run `nbgrader <args>` in the course folder `cwd`; output captured in .stdout/.stderr."""
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *map(str, args)], cwd=cwd,
                          env=tool_env(), capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(map(str, args))} exited {proc.returncode}\n"
                           f"{proc.stdout}\n{proc.stderr}")
    return proc


def execute_notebook(nb, timeout=600, cwd=None) -> nbformat.NotebookNode:
    """Run a copy of `nb` top to bottom in a fresh python3 kernel; errors stay in the outputs."""
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    client = NotebookClient(nb, timeout=timeout, startup_timeout=180, kernel_name="python3",
                            allow_errors=True, resources={"metadata": {"path": str(cwd or ROOT)}})
    # The kernel's own log (not cell output, which arrives as messages) would clutter the
    # test run's terminal.
    client.execute(stderr=subprocess.DEVNULL)
    return nb


VALIDATE = """
import json, sys
from traitlets.config.loader import PyFileConfigLoader
from nbgrader.validator import Validator
config = PyFileConfigLoader("nbgrader_config.py", path=sys.argv[1]).load_config()
print(json.dumps([Validator(config=config).validate(path) for path in sys.argv[2:]]))
"""


def validate(*paths: Path) -> list:
    """What the students' Validate button reports for each notebook (with the course's
    nbgrader_config.py): {} when every test passes, else {"failed": [{"source", "raw_error"}...]}.
    (`nbgrader validate` exits 0 even when tests fail, so the results are read as JSON.)"""
    proc = subprocess.run([sys.executable, "-c", VALIDATE, str(ROOT), *map(str, paths)],
                          env=tool_env(), capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"validating {paths} failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- a temporary course --------------------------------------------------------------------

def new_course(tmp: Path, *lessons: str) -> Path:
    """A course folder in `tmp` with the repo's nbgrader_config.py and the given lessons'
    sources, released with `nbgrader generate_assignment` (which also fills the gradebook)."""
    course = Path(tmp)
    course.mkdir(parents=True, exist_ok=True)
    shutil.copy(CONFIG, course / CONFIG.name)
    for lesson in lessons or lesson_names():
        shutil.copytree(SOLUTIONS / lesson, course / "solutions" / lesson)
        nbgrader(["generate_assignment", lesson, "--force"], cwd=course)
    return course


def released(course: Path, lesson: str) -> nbformat.NotebookNode:
    """The student version that generate_assignment wrote in `course`."""
    return read_nb(course / "lessons" / lesson / f"{lesson}.ipynb")


# --- submissions ---------------------------------------------------------------------------

def solved(course: Path, lesson: str) -> nbformat.NotebookNode:
    """The student version with every answer cell filled in from the solution notebook:
    what a student who gets everything right submits (no hidden tests in it)."""
    nb = released(course, lesson)
    answers = cells_by_id(read_nb(course / "solutions" / lesson / f"{lesson}.ipynb"), is_answer)
    for grade_id, cell in cells_by_id(nb, is_answer).items():
        cell.source = answers[grade_id].source
    return nb


def with_answer(nb, grade_id: str, body: str) -> nbformat.NotebookNode:
    """A copy of `nb` whose answer cell `grade_id` has `body` where the solution was.

    `body` replaces the lines from ### BEGIN SOLUTION to ### END SOLUTION (re-indented to
    their level), so the signature and docstring stay; without markers it replaces the cell."""
    nb = copy.deepcopy(nb)
    cell = cells_by_id(nb, is_answer)[grade_id]
    lines = cell.source.splitlines()
    begins = [i for i, line in enumerate(lines) if BEGIN_SOLUTION in line]
    ends = [i for i, line in enumerate(lines) if END_SOLUTION in line]
    if not begins:
        cell.source = body
        return nb
    start, stop = begins[0], ends[0]
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    new = [indent + line if line.strip() else line for line in body.strip("\n").splitlines()]
    cell.source = "\n".join(lines[:start] + new + lines[stop + 1:])
    return nb


def with_test_sources(nb, new_source: str) -> nbformat.NotebookNode:
    """A copy of `nb` in which every autograded test cell's source is `new_source` (tampering)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if is_autograded_test(cell):
            cell.source = new_source
    return nb


def without_tests(nb) -> nbformat.NotebookNode:
    """A copy of `nb` with every autograded test cell deleted."""
    nb = copy.deepcopy(nb)
    nb.cells = [cell for cell in nb.cells if not is_autograded_test(cell)]
    return nb


def with_kernelspec(nb, kernelspec: dict) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    nb.metadata["kernelspec"] = dict(kernelspec)
    return nb


FOREIGN_KERNEL = {"name": "no-such-kernel", "display_name": "Not a kernel here", "language": "cobol"}
NOT_JSON = b'{"cells": [ this is not a notebook'


def standard_submissions(course: Path, lesson: str) -> dict:
    """The pipeline's standard class, student id -> notebook (or raw bytes):

    solution      every answer right                     -> full marks on every autograded cell
    untouched     the student version as released       -> 0 on every autograded cell
    edited_tests  untouched, test cells replaced by pass -> tests restored, still 0
    deleted_tests solution with every test cell deleted  -> tests restored, full marks
                  (and a kernelspec naming a kernel that does not exist -> run in python3)
    not_json      not a notebook at all                   -> fails alone, the others are graded
    """
    solution, untouched = solved(course, lesson), released(course, lesson)
    return {
        "solution": solution,
        "untouched": untouched,
        "edited_tests": with_test_sources(untouched, '"""Check that nothing is checked."""\npass'),
        "deleted_tests": with_kernelspec(without_tests(solution), FOREIGN_KERNEL),
        "not_json": NOT_JSON,
    }


# --- wrong answers declared per lesson -----------------------------------------------------

@dataclass
class WrongAnswer:
    """A typical mistake: `body` in answer cell `cell` must lose the points of `test`
    (and only those) and the feedback must show `hint` (a substring of the failure message)."""
    student: str
    cell: str
    body: str
    test: str
    hint: str


def wrong_answers(lesson: str) -> list[WrongAnswer]:
    """WRONG_ANSWERS from tests/wrong_answers/<lesson>.py, or [] if the lesson has none."""
    path = WRONG_ANSWERS / f"{lesson}.py"
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location(f"wrong_answers_{lesson}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.WRONG_ANSWERS)


# --- grading -------------------------------------------------------------------------------

@dataclass
class Batch:
    """The outcome of grading one lesson for a class of students in one nbgrader run."""
    course: Path
    lesson: str
    students: list
    autograde: subprocess.CompletedProcess
    generate_feedback: subprocess.CompletedProcess
    export: subprocess.CompletedProcess
    scores: dict = field(default_factory=dict)   # student -> grade_id -> (score, max, manual?)

    def score(self, student: str, grade_id: str) -> float:
        return self.scores[student][grade_id][0]

    def autograded_nb(self, student: str) -> nbformat.NotebookNode:
        return read_nb(self.course / "autograded" / student / self.lesson / f"{self.lesson}.ipynb")

    def feedback_path(self, student: str) -> Path:
        return self.course / "feedback" / student / self.lesson / f"{self.lesson}.html"

    def feedback_text(self, student: str) -> str:
        """The feedback page as plain text (tags dropped, entities decoded)."""
        return html_to_text(self.feedback_path(student).read_text(encoding="utf-8"))

    def grades_csv(self) -> list[dict]:
        with open(self.course / "grades.csv", newline="") as f:
            return [row for row in csv.DictReader(f) if row["assignment"] == self.lesson]

    def failed_students(self) -> list:
        """Students whose submission autograde could not process (it names them at the end)."""
        return sorted(set(re.findall(r"error processing assignment '[^']*' for student '([^']*)'",
                                     self.autograde.stdout + self.autograde.stderr)))

    def log(self) -> str:
        return "\n".join(p.stdout + p.stderr for p in
                         (self.autograde, self.generate_feedback, self.export))


def html_to_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def submit(course: Path, student: str, lesson: str, nb) -> Path:
    """Put a notebook (or raw bytes) where `nbgrader autograde` looks for it."""
    path = course / "submitted" / student / lesson / f"{lesson}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb, (bytes, bytearray)):
        path.write_bytes(nb)
    else:
        nbformat.write(nb, str(path))
    return path


def read_scores(course: Path, lesson: str) -> dict:
    """student -> grade_id -> (score, max_score, needs_manual_grade) from the gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assignment = gb.find_assignment(lesson)
        for submission in assignment.submissions:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    scores.setdefault(submission.student.id, {})[grade.name] = (
                        grade.score, grade.max_score, grade.needs_manual_grade)
    return scores


def grade_batch(course: Path, lesson: str, submissions: dict) -> Batch:
    """Submit every notebook, then ONE `nbgrader autograde`, `generate_feedback` and `export`.

    autograde may exit 1 (a broken submission); the batch goes on and the caller judges."""
    for student, nb in submissions.items():
        submit(course, student, lesson, nb)
    autograde = nbgrader(["autograde", lesson, "--force"], cwd=course, check=False)
    feedback = nbgrader(["generate_feedback", lesson, "--force"], cwd=course, check=False)
    export = nbgrader(["export"], cwd=course, check=False)
    return Batch(course, lesson, list(submissions), autograde, feedback, export,
                 read_scores(course, lesson))


def dump(obj) -> str:
    return json.dumps(obj, indent=1, default=str)


# --- the whole pipeline for every lesson, in the background --------------------------------

class LessonPipeline:
    """For each lesson, in worker threads (the work itself runs in kernels and nbgrader
    processes): the solution notebook run top to bottom; a temporary course that releases the
    lesson and grades the standard class plus the lesson's wrong answers in one batch; and the
    Validate button on the student version, untouched and solved. Tests ask for results with
    .executed(lesson) / .graded(lesson) / .validated(lesson), which wait if needed."""

    def __init__(self, workdir: Path, workers: int = 2):
        from concurrent.futures import ThreadPoolExecutor

        self.workdir = Path(workdir)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lesson-pipeline")
        self.futures = {}

    def start(self, lessons):
        """Queue the work for these lessons (once each)."""
        for lesson in lessons:
            if (lesson, "graded") in self.futures:
                continue
            self.futures[lesson, "graded"] = self.pool.submit(self._grade, lesson)
            self.futures[lesson, "executed"] = self.pool.submit(
                execute_notebook, read_nb(solution_path(lesson)))
            self.futures[lesson, "validated"] = self.pool.submit(self._validate, lesson)
        return self

    def _result(self, lesson: str, what: str):
        self.start([lesson])
        return self.futures[lesson, what].result()

    def _validate(self, lesson: str) -> dict:
        """Validate the committed student version, untouched and with the solutions filled in."""
        folder = self.workdir / "validate" / lesson
        folder.mkdir(parents=True)
        untouched = read_nb(lesson_path(lesson))
        answers = cells_by_id(read_nb(solution_path(lesson)), is_answer)
        filled = copy.deepcopy(untouched)
        for grade_id, cell in cells_by_id(filled, is_answer).items():
            cell.source = answers[grade_id].source
        paths = {}
        for name, nb in (("untouched", untouched), ("solved", filled)):
            (folder / name).mkdir()
            paths[name] = folder / name / f"{lesson}.ipynb"
            nbformat.write(nb, str(paths[name]))
        return dict(zip(paths, validate(*paths.values())))

    def _grade(self, lesson: str) -> Batch:
        course = new_course(self.workdir / lesson, lesson)
        submissions = standard_submissions(course, lesson)
        for wrong in wrong_answers(lesson):
            submissions[wrong.student] = with_answer(submissions["solution"], wrong.cell, wrong.body)
        return grade_batch(course, lesson, submissions)

    def graded(self, lesson: str) -> Batch:
        return self._result(lesson, "graded")

    def executed(self, lesson: str) -> nbformat.NotebookNode:
        return self._result(lesson, "executed")

    def validated(self, lesson: str) -> dict:
        return self._result(lesson, "validated")

    def close(self):
        for future in self.futures.values():
            future.cancel()
        self.pool.shutdown(wait=True)
