"""nbgrader configuration of the course (read by every nbgrader command run from the repo root).

Layout: solutions/<lesson>/<lesson>.ipynb (instructor source: solutions + hidden tests)
        -> nbgrader generate_assignment "*" --force
        -> lessons/<lesson>/<lesson>.ipynb (what students get; committed, never hand-edited).
Grading folders (submitted/, autograded/, feedback/) and gradebook.db live next to this file
and are git-ignored.
"""

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

c = get_config()  # noqa: F821 -- injected by traitlets when nbgrader loads this file

# --- where things live ------------------------------------------------------------------
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "lessons"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.course_id = "matrix-autodiff"

# --- executing notebooks (autograde and the students' Validate button) ------------------
# Seconds per cell; a cell that runs longer is interrupted and scores 0.
c.Execute.timeout = 120
# Seconds a kernel may take to start; a busy grading machine can be slow, and a kernel that
# does not start in time fails the whole submission.
c.Execute.startup_timeout = 180
# Always run the course's Python kernel, whatever kernelspec a submission claims
# (autograde also restores the source notebook's kernelspec).
c.Execute.kernel_name = "python3"
# Minimal tracebacks: a failing hidden test shows "AssertionError: <hint>", not its source line.
c.Execute.extra_arguments = ["--InteractiveShell.xmode=Minimal"]

# Validate prints each failing check's message; nbgrader cuts lines at 90 characters by default,
# which would hide the hint at the end of the course's one-line messages.
c.Validator.width = 400

# --- collecting submissions from an LMS download (nbgrader zip_collect <lesson>) -----------
# Put the LMS's zip (or the loose .ipynb files) in downloaded/<lesson>/archive/. A file is
# collected when its name is "<student_id>_<lesson>.ipynb", or has LMS fields between the two
# ("<student_id>_12345_67890_<lesson>.ipynb"); student ids are letters, digits, "." and "-".
c.FileNameCollectorPlugin.named_regexp = (
    r".*[/\\](?P<student_id>[A-Za-z0-9.\-]+)_(?:.*_)?(?P<file_id>\d\d_[A-Za-z0-9_]+)\.ipynb$"
)

# --- autograding ------------------------------------------------------------------------
# A deleted or un-tagged test cell is put back from the gradebook and run, instead of
# leaving the exercise to manual grading.
c.OverwriteCells.add_missing_cells = True

# --- feedback ---------------------------------------------------------------------------
# Students see their grades and the visible tests, never the hidden ones.
# (Classes, not dotted names: nbgrader inspects their config traits.)
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]

# --- exporting --------------------------------------------------------------------------
# `nbgrader export` writes grades.csv (one row per student and lesson) next to this file.
