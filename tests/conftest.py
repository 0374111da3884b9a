"""Shared fixtures. The lesson pipeline (run every solution, grade a class of submissions with
real nbgrader) starts in the background as soon as a collected test needs it, so it overlaps
with the rest of the suite."""
import tempfile
from pathlib import Path

import pytest

import course_tools

_pipeline = None


def _start_pipeline(config):
    global _pipeline
    if _pipeline is None:
        factory = getattr(config, "_tmp_path_factory", None)
        workdir = factory.mktemp("lesson-pipeline") if factory else Path(tempfile.mkdtemp())
        _pipeline = course_tools.LessonPipeline(workdir, course_tools.lesson_names())
    return _pipeline


def pytest_collection_modifyitems(session, config, items):
    if any("lesson_pipeline" in getattr(item, "fixturenames", ()) for item in items):
        _start_pipeline(config)


def pytest_sessionfinish(session, exitstatus):
    if _pipeline is not None:
        _pipeline.close()


@pytest.fixture(scope="session")
def lesson_pipeline(request):
    return _start_pipeline(request.config)
