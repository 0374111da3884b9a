"""End-to-end grading with real nbgrader, per lesson, in a temporary course folder.

One class of submissions per lesson (course_tools.standard_submissions plus the lesson's
tests/wrong_answers/<lesson>.py) is graded by ONE `nbgrader autograde` run, followed by
`generate_feedback` and `export`; the tests below read what those runs left behind.
"""
import pytest

import course_tools as ct

pytestmark = pytest.mark.slow

LESSON_NAMES = ct.lesson_names()
WRONG = [pytest.param(lesson, wrong, id=f"{lesson}-{wrong.student}")
         for lesson in LESSON_NAMES for wrong in ct.wrong_answers(lesson)]


@pytest.fixture(params=LESSON_NAMES)
def batch(request, lesson_pipeline):
    return lesson_pipeline.graded(request.param)


def autograded_scores(batch, student):
    tests = ct.autograded_test_ids(batch.lesson)
    return {grade_id: batch.scores[student][grade_id] for grade_id in tests}


def test_solution_gets_full_marks_on_every_autograded_cell(batch):
    for grade_id, (score, max_score, manual) in autograded_scores(batch, "solution").items():
        assert score == max_score > 0 and not manual, f"{grade_id}: {score}/{max_score}\n{batch.log()}"
    # the written answers wait for a person
    manual = [g for g, (_, _, needs) in batch.scores["solution"].items() if needs]
    source = ct.read_nb(ct.solution_path(batch.lesson))
    assert sorted(manual) == sorted(ct.cells_by_id(source, ct.is_manually_graded))


def test_untouched_lesson_gets_zero_without_stopping_the_batch(batch):
    for grade_id, (score, max_score, _) in autograded_scores(batch, "untouched").items():
        assert score == 0 and max_score > 0, grade_id
    assert batch.feedback_path("untouched").exists()


def test_edited_test_cells_are_restored_before_grading(batch):
    # every test cell was replaced by `pass`: graded as written it would score full marks
    for grade_id, (score, _, _) in autograded_scores(batch, "edited_tests").items():
        assert score == 0, f"{grade_id} was graded with the student's edited test"
    source_tests = ct.cells_by_id(ct.read_nb(ct.solution_path(batch.lesson)), ct.is_autograded_test)
    graded_tests = ct.cells_by_id(batch.autograded_nb("edited_tests"), ct.is_autograded_test)
    for grade_id, cell in source_tests.items():
        assert graded_tests[grade_id].source == cell.source, f"{grade_id} not restored (hidden tests included)"


def test_deleted_test_cells_are_restored_and_run(batch):
    for grade_id, (score, max_score, manual) in autograded_scores(batch, "deleted_tests").items():
        assert score == max_score and not manual, f"{grade_id}: {score}/{max_score}, manual={manual}"
    nb = batch.autograded_nb("deleted_tests")
    restored = ct.cells_by_id(nb, ct.is_autograded_test)
    assert sorted(restored) == sorted(ct.autograded_test_ids(batch.lesson))
    order = [ct.nbgrader_meta(c).get("grade_id") for c in nb.cells]
    source = ct.read_nb(ct.solution_path(batch.lesson))
    expected = [ct.nbgrader_meta(c).get("grade_id") for c in source.cells]
    graded_ids = [g for g in order if g in restored or g in ct.cells_by_id(source, ct.is_answer)]
    assert graded_ids == [g for g in expected if g in graded_ids], "each test is put back after its answer"


def test_autograde_runs_python3_whatever_kernel_the_submission_names(batch):
    submitted = ct.read_nb(batch.course / "submitted" / "deleted_tests" / batch.lesson / f"{batch.lesson}.ipynb")
    assert submitted.metadata.kernelspec.name == ct.FOREIGN_KERNEL["name"]
    assert batch.autograded_nb("deleted_tests").metadata.kernelspec.name == "python3"
    assert all(s == m for s, m, _ in autograded_scores(batch, "deleted_tests").values())


def test_a_submission_that_is_not_json_fails_alone(batch):
    assert batch.autograde.returncode == 1, batch.log()
    assert batch.failed_students() == ["not_json"], batch.log()[-20000:]
    assert not (batch.course / "autograded" / "not_json").exists()
    for student in batch.students:
        if student != "not_json":
            assert batch.autograded_nb(student).cells, f"{student} was not graded"
            assert batch.feedback_path(student).exists(), f"{student} got no feedback"


def test_feedback_shows_visible_tests_but_no_hidden_test(batch):
    assert batch.generate_feedback.returncode == 0, batch.log()
    hidden = ct.hidden_test_lines(batch.lesson)
    source_tests = ct.cells_by_id(ct.read_nb(ct.solution_path(batch.lesson)), ct.is_autograded_test)
    first_lines = [cell.source.splitlines()[0] for cell in source_tests.values()]
    for student in batch.students:
        if student == "not_json":
            continue
        text = batch.feedback_text(student)
        for line in first_lines:
            assert line in text, f"{student}: the visible test {line!r} is missing from the feedback"
        assert "HIDDEN TESTS" not in text
        leaked = [line for line in hidden if line in text]
        assert not leaked, f"{student}: the feedback shows hidden tests: {leaked[:3]}"


def test_grades_csv_has_one_row_per_student(batch):
    assert batch.export.returncode == 0, batch.log()
    rows = batch.grades_csv()
    assert sorted(row["student_id"] for row in rows) == sorted(batch.students)
    by_student = {row["student_id"]: row for row in rows}
    autograded_max = sum(m for _, m, _ in autograded_scores(batch, "solution").values())
    assert float(by_student["solution"]["score"]) == autograded_max
    assert float(by_student["untouched"]["score"]) == 0
    assert float(by_student["solution"]["max_score"]) == sum(m for _, m, _ in batch.scores["solution"].values())


@pytest.mark.parametrize("lesson, wrong", WRONG)
def test_typical_wrong_answer_gets_partial_credit_and_its_hint(lesson, wrong, lesson_pipeline):
    batch = lesson_pipeline.graded(lesson)
    scores = autograded_scores(batch, wrong.student)
    assert scores[wrong.test][0] == 0, f"{wrong.student}: {wrong.test} passed a wrong answer"
    for grade_id, (score, max_score, _) in scores.items():
        if grade_id != wrong.test:
            assert score == max_score, f"{wrong.student}: {grade_id} lost points ({score}/{max_score})"
    feedback = batch.feedback_text(wrong.student)
    assert wrong.hint in feedback, f"{wrong.student}: hint {wrong.hint!r} not in the feedback"
