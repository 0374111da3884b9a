"""`python3 course grade`: a class of bad submissions graded in ONE batch in the sandbox.

Lesson 00's class below holds one good submission and every attack of the grading issue; each
test asserts the attack's score, the reason the report and feedback give, and that nothing else
in the course changed. Other tests check the sandbox itself (bwrap + prlimit) attack by attack,
that --workers 2 merges into the same gradebook as one worker, and that the static scan leaves
every lesson's own solution alone.
"""
import copy
import hashlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import course_tools as ct
import nbformat
import pytest

sys.path.insert(0, str(ct.ROOT))
from grading import preflight, sandbox

# Without bubblewrap and prlimit these tests are skipped, unless COURSE_REQUIRE_SANDBOX=1 (CI).
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    bool(sandbox.missing_tools()) and os.environ.get("COURSE_REQUIRE_SANDBOX") != "1",
    reason=f"the grading sandbox needs {sandbox.missing_tools()} (apt-get install bubblewrap)")]
LESSON = "00_welcome"
RIGHT_MSE = "return am.mean(am.square(X @ W - y))"
# the course folder seen from autograded/<student>/<lesson>/, written so that the static scan
# does not see a path: these attacks test the sandbox and the guard
COURSE_PATH = "'/'.join(['..'] * 3)"
MARKER = b"ATTACKER-WAS-HERE"


def _cell_append(nb, grade_id, extra):
    nb = copy.deepcopy(nb)
    cell = ct.cells_by_id(nb)[grade_id]
    cell.source += "\n" + extra
    return nb


def _new_cell_after(nb, grade_id, source):
    nb = copy.deepcopy(nb)
    index = [ct.nbgrader_meta(c).get("grade_id") for c in nb.cells].index(grade_id)
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    return nb


def _retag(nb, new_meta):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if ct.is_autograded_test(cell):
            cell.metadata["nbgrader"] = dict(new_meta(ct.nbgrader_meta(cell)))
            cell.source = "pass"
    return nb


def _dup_ids(nb):
    nb = copy.deepcopy(nb)
    data = json.loads(nbformat.writes(nb))
    data["cells"][3]["id"] = data["cells"][2]["id"]
    data["cells"][5]["id"] = data["cells"][2]["id"]
    return json.dumps(data).encode()


def attacks(course):
    """student -> (submission, expected scores of test_mse and test_gradient_descent_step,
    expected status in the report, a text the report must contain)."""
    sol, untouched = ct.solved(course, LESSON), ct.released(course, LESSON)
    wrong = ct.with_answer(sol, "mse", "return am.sum(X @ W)")     # wrong: must not pass
    tests = ct.cells_by_id(sol, ct.is_autograded_test)
    v3 = json.loads(nbformat.writes(sol))
    v3["nbformat"] = 3
    dup_test = copy.deepcopy(sol)
    dup_test.cells.append(copy.deepcopy(tests["test_mse"]))
    dup_test.cells[-1]["id"] = "copy-of-test-mse"      # JupyterLab gives a pasted copy a new id
    return {
        "good": (sol, (2, 2), "graded", ""),
        "not_json": (ct.NOT_JSON, (0, 0), "refused", "not valid JSON"),
        "wrong_nbformat": (json.dumps(v3).encode(), (0, 0), "refused", "nbformat 3"),
        "missing_notebook": (None, (0, 0), "refused", "missing notebook"),
        "deleted_tests": (ct.without_tests(sol), (2, 2), "graded", ""),
        "duplicated_tests": (dup_test, (2, 2), "graded", "a second copy of 'test_mse'"),
        "duplicated_cell_ids": (_dup_ids(sol), (2, 2), "graded", "duplicated cell id"),
        "edited_tests": (ct.with_test_sources(untouched, "pass"), (0, 0), "graded", ""),
        "retagged_tests": (_retag(untouched, lambda m: {}), (0, 0), "graded",
                           "without a grade id"),
        "renamed_grade_ids": (_retag(untouched, lambda m: {**m, "grade_id": m["grade_id"] + "_x"}),
                              (0, 0), "graded", "unknown grade id 'test_mse_x'"),
        "infinite_loop": (ct.with_answer(sol, "mse", "while True:\n    pass"), (0, 2), "graded",
                          "timed out"),
        "kernel_dies": (ct.with_answer(sol, "gradient_descent_step",
                                       "import os\nos._exit(3)"), (0, 0), "failed",
                        "kernel stopped"),
        "memory_bomb": (ct.with_answer(sol, "mse", "hog = [bytearray(2**28) for _ in range(64)]\n"
                                       + RIGHT_MSE), (0, 2), "graded", "MemoryError"),
        "huge_output": (_new_cell_after(sol, "mse", 'for _ in range(100):\n    print("x" * 1_000_000)'), (2, 2),
                        "graded", ""),
        "stderr_warnings": (_cell_append(sol, "mse", "import sys, warnings\n"
                                         "warnings.warn('mse: this is slow')\n"
                                         "print('a note on stderr', file=sys.stderr)"),
                            (2, 2), "graded", ""),
        "patch_numpy": (_cell_append(wrong, "mse", "np.linalg.norm = lambda *a, **k: 0.0"),
                        (0, 0), "cheat", "np.linalg.norm"),
        "patch_numpy_testing": (_cell_append(sol, "mse", "np.testing.assert_allclose = "
                                             "lambda *a, **k: None"), (0, 0), "cheat",
                                "np.testing.assert_allclose"),
        "patch_am_testing": (_cell_append(wrong, "mse", "import autograd_mini.testing as t\n"
                                          "t._close = lambda *a: True"), (0, 0), "cheat",
                             "t._close"),
        "patch_hidden": (_cell_append(wrong, "mse", "getattr(np, 'linalg').__setattr__("
                                      "'norm', lambda *a, **k: 0.0)"), (0, 0), "graded",
                         "numpy.linalg.norm was replaced"),
        "redefine_assertion": (_cell_append(sol, "mse", "AssertionError = Warning"), (0, 0),
                               "cheat", "redefines 'AssertionError'"),
        "read_solutions": (_cell_append(sol, "mse", (
            "try:\n    print(open(COURSE + '/solu' + 'tions/00_welcome/00_welcome.ipynb').read())\n"
            "except OSError as e:\n    print('blocked', type(e).__name__)").replace(
            "COURSE", COURSE_PATH)), (0, 0), "graded", "outside your own folder"),
        "read_gradebook": (_cell_append(sol, "mse", (
            "try:\n    print(open(COURSE + '/grade' + 'book.db', 'rb').read(100))\n"
            "except OSError as e:\n    print('blocked', type(e).__name__)").replace(
            "COURSE", COURSE_PATH)), (0, 0), "graded", "outside your own folder"),
        "write_others": (_cell_append(sol, "mse", (
            "for p in [COURSE + '/grade' + 'book.db',\n"
            "          COURSE + '/submit' + 'ted/good/00_welcome/00_welcome.ipynb',\n"
            "          COURSE + '/auto' + 'graded/good/00_welcome/00_welcome.ipynb',\n"
            "          COURSE + '/solu' + 'tions/00_welcome/00_welcome.ipynb']:\n"
            "    try:\n        open(p, 'ab').write(MARK)\n"
            "    except OSError as e:\n        print('blocked', type(e).__name__)").replace(
            "COURSE", COURSE_PATH).replace("MARK", repr(MARKER))), (0, 0), "graded",
            "outside your own folder"),
    }


def _hashes(root: Path, *folders):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted((root / folder).rglob("*")) if p.is_file()}


def run_grade(course, *extra):
    return subprocess.run([sys.executable, "-m", "grading", "grade", LESSON, *extra], cwd=course,
                          env=ct.tool_env(PYTHONPATH=str(ct.ROOT)), capture_output=True,
                          text=True, timeout=900, check=False)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = ct.new_course(tmp_path_factory.mktemp("sandbox-class"), LESSON)
    cases = attacks(course)
    for student, (nb, *_rest) in cases.items():
        if nb is None:
            folder = course / "submitted" / student / LESSON
            folder.mkdir(parents=True)
            (folder / "homework.ipynb").write_text("{}")
        else:
            ct.submit(course, student, LESSON, nb)
    before = _hashes(course, "solutions", "submitted", "lessons")
    proc = run_grade(course, "--workers", "2", "--timeout", "10", "--memory", "2048")
    feedback = ct.nbgrader(["generate_feedback", LESSON, "--force"], cwd=course, check=False)
    report = json.loads((course / "reports" / f"{LESSON}.json").read_text())
    return {"course": course, "cases": cases, "proc": proc, "feedback": feedback,
            "report": report, "before": before, "scores": ct.read_scores(course, LESSON)}


def test_the_batch_never_aborts_and_grades_everyone(graded):
    assert graded["proc"].returncode == 0, graded["proc"].stdout + graded["proc"].stderr
    assert sorted(graded["report"]["submissions"]) == sorted(graded["cases"])
    assert sorted(graded["scores"]) == sorted(graded["cases"])
    assert graded["report"]["sandbox"] is True


@pytest.mark.parametrize("student", [
    "good", "not_json", "wrong_nbformat", "missing_notebook", "deleted_tests", "duplicated_tests",
    "duplicated_cell_ids", "edited_tests", "retagged_tests", "renamed_grade_ids", "infinite_loop",
    "kernel_dies", "memory_bomb", "huge_output", "stderr_warnings", "patch_numpy",
    "patch_numpy_testing", "patch_am_testing", "patch_hidden", "redefine_assertion",
    "read_solutions", "read_gradebook", "write_others"])
def test_each_submission_gets_its_score_and_reason(graded, student):
    _, (mse, step), status, reason = graded["cases"][student]
    scores = graded["scores"][student]
    entry = graded["report"]["submissions"][student]
    log = json.dumps(entry, indent=1)
    assert (scores["test_mse"][0], scores["test_gradient_descent_step"][0]) == (mse, step), log
    assert not scores["test_mse"][2] and not scores["test_gradient_descent_step"][2], log
    assert entry["status"] == status, log
    text = " ".join(entry["reasons"] + entry.get("guard", []) + entry["repairs"])
    assert reason in text, log
    if status == "graded" and not reason:
        assert not entry["reasons"] and not entry.get("guard"), log
    # the student sees the reason: in the feedback page
    page = graded["course"] / "feedback" / student / LESSON / f"{LESSON}.html"
    assert page.exists(), graded["feedback"].stdout + graded["feedback"].stderr
    if status in ("refused", "failed", "cheat") or "outside" in reason or "replaced" in reason:
        shown = ct.html_to_text(page.read_text(encoding="utf-8"))
        assert "GRADING" in shown or "could not be graded" in shown, student
    assert student in (graded["course"] / "reports" / f"{LESSON}.txt").read_text()


def test_no_other_file_changed(graded):
    course = graded["course"]
    assert _hashes(course, "solutions", "submitted", "lessons") == graded["before"]
    assert MARKER not in (course / "gradebook.db").read_bytes()
    good = course / "autograded" / "good" / LESSON / f"{LESSON}.ipynb"
    assert MARKER not in good.read_bytes()
    assert not (course / ".grading").exists(), "the staging area is cleaned up"


def test_nothing_secret_reaches_the_graded_notebooks(graded):
    hidden = ct.hidden_test_lines(LESSON)
    for student in ("read_solutions", "read_gradebook"):
        nb = ct.read_nb(graded["course"] / "autograded" / student / LESSON / f"{LESSON}.ipynb")
        text = json.dumps([c.get("outputs", []) for c in nb.cells])
        assert "blocked" in text and "SQLite format" not in text, student
        assert not [line for line in hidden if line in text], student


def test_huge_output_is_cut(graded):
    path = graded["course"] / "autograded" / "huge_output" / LESSON / f"{LESSON}.ipynb"
    assert path.stat().st_size < 2_000_000
    assert "output cut" in path.read_text()


# --- the sandbox itself ------------------------------------------------------------------------

PROBE = r"""
import json, os, socket, sys
course, port, grader = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out = {}
def attempt(name, fn):
    try:
        fn(); out[name] = "allowed"
    except Exception as e:
        out[name] = type(e).__name__
attempt("read_solutions", lambda: open(course + "/solutions/x/x.ipynb").read())
attempt("read_gradebook", lambda: open(course + "/gradebook.db", "rb").read())
attempt("write_gradebook", lambda: open(course + "/gradebook.db", "ab").write(b"x"))
attempt("write_other_student", lambda: open(course + "/autograded/other/x/x.ipynb", "a").write("x"))
attempt("read_other_submission", lambda: open(course + "/submitted/other/x/x.ipynb").read())
attempt("connect_localhost", lambda: socket.create_connection(("127.0.0.1", port), timeout=3))
attempt("connect_internet", lambda: socket.create_connection(("1.1.1.1", 53), timeout=3))
attempt("grader_cwd_via_proc", lambda: os.listdir(f"/proc/{grader}/cwd"))
attempt("allocate_2GB", lambda: bytearray(2 * 2**30))
attempt("write_own_folder", lambda: open("own.txt", "w").write("ok"))
attempt("write_tmp", lambda: open("/tmp/scratch", "w").write("ok"))
print(json.dumps(out))
"""


def test_the_sandbox_blocks_each_attack(tmp_path):
    course = tmp_path / "course"
    for rel in ("solutions/x/x.ipynb", "gradebook.db", "autograded/other/x/x.ipynb",
                "submitted/other/x/x.ipynb"):
        (course / rel).parent.mkdir(parents=True, exist_ok=True)
        (course / rel).write_text("secret")
    own = course / "autograded" / "me" / "x"
    own.mkdir(parents=True)
    before = _hashes(course, "solutions", "submitted", "autograded/other")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    argv = sandbox.sandbox_argv(workdir=own, course=course, shared=[], private=[],
                                memory_mb=1024, cpu_seconds=60, file_mb=16)
    proc = subprocess.run(argv + [sys.executable, "-c", PROBE, str(course),
                                  str(listener.getsockname()[1]), str(os.getpid())],
                          capture_output=True, text=True, timeout=120, check=False)
    listener.close()
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    for attack in ("read_solutions", "read_gradebook", "write_gradebook", "write_other_student",
                   "read_other_submission", "connect_localhost", "connect_internet",
                   "grader_cwd_via_proc"):
        assert result[attack] != "allowed", (attack, result)
    assert result["allocate_2GB"] == "MemoryError", result
    assert result["write_own_folder"] == result["write_tmp"] == "allowed", result
    assert (own / "own.txt").read_text() == "ok"
    assert not Path("/tmp/scratch").exists() or Path("/tmp/scratch").read_text() != "ok"
    assert _hashes(course, "solutions", "submitted", "autograded/other") == before
    assert (course / "gradebook.db").read_text() == "secret"


# --- parallel = serial, and no false alarms ----------------------------------------------------

def test_two_workers_merge_into_the_same_gradebook_as_one(tmp_path):
    results = []
    for workers in ("1", "2"):
        course = ct.new_course(tmp_path / f"w{workers}", LESSON)
        sol = ct.solved(course, LESSON)
        class_ = {"right": sol, "untouched": ct.released(course, LESSON),
                  "wrong_mse": ct.with_answer(sol, "mse", "return am.sum(X @ W)"),
                  "broken": ct.NOT_JSON}
        for student, nb in class_.items():
            ct.submit(course, student, LESSON, nb)
        proc = run_grade(course, "--workers", workers)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        results.append(ct.read_scores(course, LESSON))
    assert results[0] == results[1]
    assert results[0]["right"]["test_mse"][0] == 2 and results[0]["wrong_mse"]["test_mse"][0] == 0


@pytest.mark.parametrize("lesson", ct.lesson_names())
def test_the_scan_leaves_every_solution_alone(lesson):
    if not ct.lesson_path(lesson).exists():
        pytest.skip(f"{lesson} is not released")
    source = ct.read_nb(ct.solution_path(lesson))
    released = ct.read_nb(ct.lesson_path(lesson))
    answers = ct.cells_by_id(source, ct.is_answer)
    filled = copy.deepcopy(released)
    for grade_id, cell in ct.cells_by_id(filled, ct.is_answer).items():
        cell.source = answers[grade_id].source
    setup = "\n".join(c.source for c in source.cells if c.cell_type == "code"
                      and ct.nbgrader_meta(c).get("locked") and not ct.nbgrader_meta(c).get("grade"))
    protected = preflight.protected_names(setup, [c.source for c in source.cells
                                                  if ct.is_autograded_test(c)])
    trusted = {c.source.strip() for c in released.cells}
    # the solution's answers in the student version: what a perfect student submits
    assert preflight.scan_notebook(filled, trusted, protected) == []
