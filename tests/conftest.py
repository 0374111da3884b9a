"""Shared fixtures. The lesson pipeline (run each solution, press Validate, grade a class of
submissions with real nbgrader) starts in the background right after collection, for exactly
the lessons the selected tests need (`-k 04_linear` grades lesson 04 only), so it overlaps with
the rest of the suite."""
import tempfile
from pathlib import Path

import pytest

import course_tools

_pipeline = None


def _get_pipeline(config):
    global _pipeline
    if _pipeline is None:
        factory = getattr(config, "_tmp_path_factory", None)
        workdir = factory.mktemp("lesson-pipeline") if factory else Path(tempfile.mkdtemp())
        _pipeline = course_tools.LessonPipeline(workdir)
    return _pipeline


def _lessons_needed(items):
    lessons = []
    for item in items:
        if "lesson_pipeline" not in getattr(item, "fixturenames", ()):
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        lesson = params.get("lesson", params.get("batch"))
        if lesson is None:
            return course_tools.lesson_names()
        if lesson not in lessons:
            lessons.append(lesson)
    return lessons


def pytest_collection_finish(session):
    lessons = _lessons_needed(session.items)
    if lessons:
        _get_pipeline(session.config).start(lessons)


def pytest_sessionfinish(session, exitstatus):
    if _pipeline is not None:
        _pipeline.close()


@pytest.fixture(scope="session")
def lesson_pipeline(request):
    return _get_pipeline(request.config)
