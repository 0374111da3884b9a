"""Collecting submissions from an LMS download with `nbgrader zip_collect` and the course's
file-name convention (nbgrader_config.py: FileNameCollectorPlugin.named_regexp)."""
import zipfile

import nbformat
import pytest

import course_tools as ct

pytestmark = pytest.mark.slow


def test_zip_collect_files_an_lms_zip_under_submitted(tmp_path):
    lesson = ct.lesson_names()[0]
    course = ct.new_course(tmp_path / "course", lesson)
    nb = ct.solved(course, lesson)
    archive = course / "downloaded" / lesson / "archive"
    archive.mkdir(parents=True)
    names = {                                   # file name in the LMS zip -> student id
        f"jdoe_{lesson}.ipynb": "jdoe",
        f"doejane_12345_67890_{lesson}.ipynb": "doejane",
    }
    with zipfile.ZipFile(archive / "class-download.zip", "w") as zf:
        for name in names:
            zf.writestr(f"submissions/{name}", nbformat.writes(nb))
        zf.writestr("submissions/index.html", "<p>not a notebook</p>")

    ct.nbgrader(["zip_collect", lesson], cwd=course)

    collected = sorted(p.relative_to(course / "submitted").as_posix()
                       for p in (course / "submitted").rglob("*.ipynb"))
    assert collected == sorted(f"{student}/{lesson}/{lesson}.ipynb" for student in names.values())
    for student in names.values():
        got = ct.read_nb(course / "submitted" / student / lesson / f"{lesson}.ipynb")
        assert [c.source for c in got.cells] == [c.source for c in nb.cells]
