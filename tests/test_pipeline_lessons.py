"""Every lesson in solutions/: its committed student version is a fresh nbgrader release, it
hides what it must, it follows the lesson anatomy, and its solution runs clean."""
import ast
import json
import re

import pytest

import course_tools as ct
from course_tools import LESSONS, ROOT, SOLUTIONS

LESSON_NAMES = ct.lesson_names()
NOTEBOOKS = sorted(p.relative_to(ROOT).as_posix()
                   for p in [*SOLUTIONS.rglob("*.ipynb"), *LESSONS.rglob("*.ipynb")]
                   if ".ipynb_checkpoints" not in p.parts)


def test_every_lesson_has_its_source_and_release():
    assert "00_welcome" in LESSON_NAMES
    released = sorted(p.name for p in LESSONS.iterdir() if p.is_dir())
    assert released == LESSON_NAMES, "lessons/ must hold exactly the release of every solutions/ lesson"
    for lesson in LESSON_NAMES:
        assert ct.lesson_path(lesson).exists(), f"run: nbgrader generate_assignment {lesson} --force"


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSON_NAMES)
def test_lessons_are_a_fresh_release_of_solutions(lesson, lesson_pipeline):
    fresh_dir = lesson_pipeline.graded(lesson).course / "lessons" / lesson
    committed_dir = LESSONS / lesson
    files = lambda d: sorted(p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file())
    assert files(committed_dir) == files(fresh_dir)
    for name in files(fresh_dir):
        fresh, committed = fresh_dir / name, committed_dir / name
        if name.endswith(".ipynb"):
            fresh_nb, committed_nb = json.loads(fresh.read_text()), json.loads(committed.read_text())
            assert len(committed_nb["cells"]) == len(fresh_nb["cells"])
            for ours, theirs in zip(committed_nb["cells"], fresh_nb["cells"]):
                assert ours == theirs, f"{name}: cell {theirs.get('id')} differs from a fresh release"
            assert committed_nb == fresh_nb
        else:
            assert committed.read_bytes() == fresh.read_bytes(), name


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_notebooks_are_committed_without_outputs(path):
    nb = json.loads((ROOT / path).read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path}: cell {cell.get('id')} has outputs"
            assert cell["execution_count"] is None, f"{path}: cell {cell.get('id')} was executed"


@pytest.mark.parametrize("lesson", LESSON_NAMES)
def test_hidden_tests_and_solutions_appear_nowhere_in_lessons(lesson):
    hidden = ct.hidden_test_lines(lesson)
    assert hidden, f"{lesson}: no hidden tests found"
    for path in LESSONS.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for marker in ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN SOLUTION", "END SOLUTION"):
                assert marker not in text, f"{path}: contains {marker}"
            if lesson in path.relative_to(LESSONS).parts:   # a lesson's release is its own folder
                leaked = [line for line in hidden if line in text]
                assert not leaked, f"{path}: contains hidden tests of {lesson}: {leaked[:3]}"


def _ends_with_statement(source: str) -> bool:
    body = ast.parse(source).body
    if not body:
        return False
    last = body[-1]
    # a bare expression would become the cell's result, and a number would be taken as its score
    return not isinstance(last, ast.Expr) or isinstance(last.value, ast.Call)


@pytest.mark.parametrize("lesson", LESSON_NAMES)
def test_lesson_anatomy(lesson):
    source = ct.read_nb(ct.solution_path(lesson))
    student = ct.read_nb(ct.lesson_path(lesson))
    cells = source.cells
    first = cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "a title first"
    assert "learning objectives" in first.source.lower(), "the title cell states learning objectives"

    ids = [c.get("id") for c in cells]
    assert len(set(ids)) == len(ids), "cell ids are unique"
    grade_ids = [ct.nbgrader_meta(c)["grade_id"] for c in cells if ct.nbgrader_meta(c)]
    assert len(set(grade_ids)) == len(grade_ids), "nbgrader grade_ids are unique"

    locked_code = [i for i, c in enumerate(cells) if c.cell_type == "code"
                   and ct.nbgrader_meta(c).get("locked") and not ct.is_autograded_test(c)]
    first_answer = next(i for i, c in enumerate(cells) if ct.is_answer(c))
    assert locked_code and locked_code[0] < first_answer, "a locked setup cell before the first exercise"

    tests = [i for i, c in enumerate(cells) if ct.is_autograded_test(c)]
    assert tests, "at least one autograded exercise"
    assert any(ct.is_manually_graded(c) for c in cells), "at least one answer graded by hand"
    student_cells = ct.cells_by_id(student)
    for i in tests:
        test = cells[i]
        name = ct.nbgrader_meta(test)["grade_id"]
        assert test.source.startswith('"""Check that'), f"{name}: opens with a docstring \"\"\"Check that ...\"\"\""
        assert ct.nbgrader_meta(test).get("locked"), f"{name}: locked"
        assert ct.nbgrader_meta(test).get("points", 0) > 0, f"{name}: worth points"
        visible, hidden = ct.split_hidden(test.source)
        assert ct.BEGIN_HIDDEN in test.source and hidden.strip(), f"{name}: has hidden tests"
        assert re.search(r"\b(assert|check_\w+)\b", visible), f"{name}: visible checks come first"
        assert _ends_with_statement(test.source), f"{name}: ends with a statement"
        assert _ends_with_statement(student_cells[name].source), f"{name}: (student version) ends with a statement"
        # the answer cell it checks comes before it, then a try-it cell (no nbgrader metadata)
        answer = max(j for j in range(i) if ct.is_answer(cells[j]))
        between = cells[answer + 1:i]
        assert any(c.cell_type == "code" and not ct.nbgrader_meta(c) for c in between), \
            f"{name}: a try-it cell between the answer and its test"

    for grade_id, cell in ct.cells_by_id(source, ct.is_answer).items():
        if cell.cell_type != "code":
            continue
        before = cell.source.split(ct.BEGIN_SOLUTION)[0]
        assert ct.BEGIN_SOLUTION in cell.source and ct.END_SOLUTION in cell.source, grade_id
        assert "def " in before and '"""' in before, \
            f"{grade_id}: signature and docstring stay outside ### BEGIN SOLUTION"
        assert "raise NotImplementedError()" in student_cells[grade_id].source, grade_id


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSON_NAMES)
def test_solution_runs_clean_in_a_fresh_kernel(lesson, lesson_pipeline):
    nb = lesson_pipeline.executed(lesson)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        where = f"{lesson}: cell {cell.get('id')}"
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{where} raised {errors[0].ename}: {errors[0].evalue}"
        assert cell.execution_count is not None, f"{where} did not run"
        if ct.is_autograded_test(cell):
            stderr = [o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
            assert not stderr, f"{where} writes to stderr (nbgrader would give 0 points): {stderr}"
            results = [o for o in cell.outputs if o.output_type == "execute_result"]
            assert not results, f"{where} ends with a value (nbgrader may take it as the score)"


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSON_NAMES)
def test_validate_button_passes_solved_and_lists_every_failing_test(lesson, lesson_pipeline):
    results = lesson_pipeline.validated(lesson)
    assert results["solved"] == {}, f"Validate complains about a solved {lesson}: {results['solved']}"
    failed = results["untouched"].get("failed", [])
    tests = ct.cells_by_id(ct.read_nb(ct.lesson_path(lesson)), ct.is_autograded_test)
    reported = {f["source"]: f["raw_error"] for f in failed if f["source"].startswith('"""Check that')}
    assert sorted(reported) == sorted(c.source.strip() for c in tests.values())
    for source, error in reported.items():
        assert "NotImplementedError" in error, f"{source.splitlines()[0]}: {error}"
