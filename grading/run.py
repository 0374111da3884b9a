"""`python3 course grade <lesson>`: autograde a lesson for every submitted student, safely and in
parallel, with nbgrader's own autograde doing the grading.

1. pre-flight (grading/preflight.py): each submitted/<student>/<lesson>/ is read; a readable
   notebook (duplicate cell ids repaired) goes to a worker's staging folder, anything else is
   refused with a reason; the student's own cells are scanned for cheats.
2. workers: N processes, each one real `nbgrader autograde` (AutogradeApp) over its own staging
   folder and its own copy of the gradebook, kernels in the sandbox (grading/sandbox.py) with
   the guard (grading/guard.py); output goes to the one autograded/ folder.
3. merge, in this process only: each worker's grades are copied into gradebook.db; refused and
   crashed submissions get 0 on every cell; a cheat found by the scan gets 0 on every autograded
   cell. Reasons go into the autograded notebook (and so into the feedback), into a feedback
   page for submissions that have no notebook, and into reports/<lesson>.json and .txt.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

GRADING = Path(__file__).resolve().parent
STAGING = ".grading"


# --- the gradebook ------------------------------------------------------------------------------

def db_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def source_notebook(course: Path, lesson: str):
    return nbformat.read(str(course / "solutions" / lesson / f"{lesson}.ipynb"), as_version=4)


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def _is_test(cell):
    m = _meta(cell)
    return cell.cell_type == "code" and m.get("grade") and not m.get("solution")


def _is_setup(cell):
    """A locked code cell that is not a test: the lesson's imports and helpers."""
    m = _meta(cell)
    return cell.cell_type == "code" and m.get("locked") and not m.get("grade")


def write_spec(course: Path, nb, folder: Path) -> Path:
    """The guard's spec: hashes of the trusted test and setup cells of the source notebook nb,
    and the course folder."""
    from grading.guard import digest

    tests = [digest(c.source) for c in nb.cells if _is_test(c)]
    setup = [digest(c.source) for c in nb.cells if _is_setup(c)]
    allowed = [str(Path(sys.prefix).resolve()), str(GRADING)]
    import autograd_mini
    allowed.append(str(Path(autograd_mini.__file__).resolve().parent))
    spec = folder / "guard.json"
    spec.write_text(json.dumps({"tests": tests, "setup": setup, "course": str(course.resolve()),
                                "allowed": allowed}))
    return spec


# --- one worker: one real nbgrader autograde ---------------------------------------------------

def worker(args) -> int:
    """Run nbgrader's AutogradeApp over one staging folder with its own gradebook copy."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.apps.autogradeapp import AutogradeApp
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )
    from traitlets.config import Config

    from grading.sandbox import LimitedExecute

    argv = [args.lesson, "--force",
            f"--CourseDirectory.submitted_directory={args.staging}",
            f"--CourseDirectory.db_url={db_url(args.db)}"]
    if args.timeout:
        argv.append(f"--Execute.timeout={args.timeout}")
    app = AutogradeApp()
    app.initialize(argv)
    extra = Config()
    extra.Autograde.autograde_preprocessors = [LimitedExecute, IgnorePattern,
                                               ClearMetadataPreprocessor, LimitOutput,
                                               SaveAutoGrades, AssignLatePenalties,
                                               CheckCellMetadata]
    extra.GradingKernelManager.sandbox = not args.trusted
    extra.GradingKernelManager.guard_spec = str(args.spec)
    extra.GradingKernelManager.course_dir = str(Path.cwd())
    extra.GradingKernelManager.memory_mb = args.memory
    extra.GradingKernelManager.cpu_seconds = args.cpu
    app.update_config(extra)
    try:
        app.start()
    except SystemExit as e:       # nbgrader exits 1 when a submission failed; the others are done
        return int(e.code or 0)
    return 0


# --- merging a worker's gradebook into the course's ---------------------------------------------

def merge(main_db: Path, worker_db: Path, lesson: str, students: list[str]) -> list[str]:
    """Copy the grades of `students` for `lesson` from worker_db into main_db (one process).
    Returns the students the worker has no complete grades for (their autograde failed)."""
    from nbgrader.api import Gradebook, MissingEntry

    missing, found = [], {}
    with Gradebook(db_url(worker_db)) as src:          # read everything first ...
        for student in students:
            try:
                sub = src.find_submission(lesson, student)
            except MissingEntry:
                missing.append(student)
                continue
            found[student] = (sub.timestamp, [
                (nb.name, nb.flagged, nb.late_submission_penalty,
                 [(g.name, g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade,
                   g.cell.cell_type) for g in nb.grades],
                 [(c.name, c.auto_comment, c.manual_comment) for c in nb.comments])
                for nb in sub.notebooks])
    with Gradebook(db_url(main_db)) as dst:            # ... then write, in one session
        for student, (timestamp, notebooks) in found.items():
            dst.update_or_create_student(student)
            dst.update_or_create_submission(lesson, student, timestamp=timestamp)
            complete = True
            for name, flagged, penalty, grades, comments in notebooks:
                target = dst.find_submission_notebook(name, lesson, student)
                target.flagged, target.late_submission_penalty = flagged, penalty
                for gname, auto, manual, extra, needs, cell_type in grades:
                    g = dst.find_grade(gname, name, lesson, student)
                    g.auto_score, g.manual_score, g.extra_credit = auto, manual, extra
                    g.needs_manual_grade = needs
                    if auto is None and cell_type == "code" and not needs:
                        complete = False
                for cname, auto, manual in comments:
                    c = dst.find_comment(cname, name, lesson, student)
                    c.auto_comment, c.manual_comment = auto, manual
            dst.db.commit()
            if not complete:
                missing.append(student)
    return missing


def zero(main_db: Path, lesson: str, student: str, autograded_only: bool):
    """0 points on every cell (or every autograded cell) of a student's submission."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url(main_db)) as gb:
        gb.update_or_create_student(student)
        sub = gb.update_or_create_submission(lesson, student)
        for nb in sub.notebooks:
            for grade in nb.grades:
                if autograded_only and grade.cell.cell_type != "code":
                    continue        # a written answer still waits for a person
                grade.auto_score, grade.manual_score = 0, None
                grade.needs_manual_grade = False
        gb.db.commit()


# --- reasons where the student sees them ------------------------------------------------------

def mark_autograded(path: Path, reason: str):
    """Append the reason as stderr output of every autograded test cell of the notebook."""
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if _is_test(cell):
            cell.outputs.append(nbformat.v4.new_output(
                "stream", name="stderr", text=f"GRADING: this test scores 0: {reason}\n"))
    nbformat.write(nb, str(path))


def failure_page(course: Path, lesson: str, student: str, reason: str):
    import html
    page = course / "feedback" / student / lesson / f"{lesson}.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{lesson}</title>"
                    f"</head><body><h1>{html.escape(lesson)}: not graded</h1>"
                    f"<p>Score: 0. Your submission could not be graded: "
                    f"{html.escape(reason)}.</p></body></html>\n", encoding="utf-8")


def guard_reasons(path: Path) -> list[str]:
    from grading.guard import MARK

    nb = nbformat.read(str(path), as_version=4)
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and MARK in out.get("text", ""):
                line = out["text"].split(MARK, 1)[1].strip().splitlines()[0]
                found.append(f"{_meta(cell).get('grade_id', 'a cell')}: {line}")
                break
            if out.get("output_type") == "error" and _is_test(cell):
                if out.get("ename") == "CellTimeoutError":
                    found.append(f"{_meta(cell).get('grade_id')}: timed out")
                elif out.get("ename") == "MemoryError":
                    found.append(f"{_meta(cell).get('grade_id')}: out of memory (MemoryError)")
    return list(dict.fromkeys(found))


def kernel_failure(log: str, student: str) -> str:
    lines = [line for line in log.splitlines() if student in line or "Error" in line]
    text = "\n".join(lines)
    if "DeadKernelError" in log or "Kernel died" in log:
        return ("the kernel stopped while running the notebook (the code exited the Python "
                "process, or exceeded the CPU or memory limit)")
    return "nbgrader could not grade it: " + (text.splitlines()[-1][:300] if text else "see the log")


# --- the command -----------------------------------------------------------------------------

def grade(course: Path, lesson: str, workers: int = 2, trusted: bool = False,
          timeout: int | None = None, memory: int = 2048, cpu: int = 600,
          students: list[str] | None = None) -> dict:
    from grading.preflight import protected_names, read_submission, scan_notebook
    from grading.sandbox import missing_tools

    course = course.resolve()
    os.chdir(course)
    if not trusted and missing_tools():
        sys.exit(f"grade: the sandbox needs {' and '.join(missing_tools())} "
                 f"(Debian: apt-get install bubblewrap util-linux), or pass --trusted")
    main_db = course / "gradebook.db"
    if not main_db.exists():
        sys.exit("grade: no gradebook.db: run `nbgrader generate_assignment` first")
    started = time.time()
    submitted = course / "submitted"
    students = students or sorted(p.parent.name for p in submitted.glob(f"*/{lesson}") if p.is_dir())
    source = source_notebook(course, lesson)
    trusted_sources = {c.source.strip() for c in source.cells}
    released = course / "lessons" / lesson / f"{lesson}.ipynb"
    if released.exists():
        trusted_sources |= {c.source.strip() for c in nbformat.read(str(released), 4).cells}
    setup = "\n".join(c.source for c in source.cells if _is_setup(c))
    known_ids = {_meta(c)["grade_id"] for c in source.cells if _meta(c).get("grade_id")}
    protected = protected_names(setup, [c.source for c in source.cells if _is_test(c)])

    stage = course / STAGING / lesson
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    run_tmp = Path(tempfile.mkdtemp(prefix="course-grade-"))   # guard spec, kernels' sockets
    spec_dir = run_tmp / "guard"
    spec_dir.mkdir()
    spec = write_spec(course, source, spec_dir)
    report = {}
    gradable = []
    for student in students:
        folder = submitted / student / lesson
        checked = read_submission(student, folder / f"{lesson}.ipynb", known_ids)
        entry = report[student] = {"status": "graded", "reasons": [], "repairs": checked.repairs}
        if checked.notebook is None:
            entry.update(status="refused", reasons=[checked.problem])
            continue
        checked.cheats = scan_notebook(checked.notebook, trusted_sources, protected)
        if checked.cheats:
            entry["status"] = "cheat"
            entry["reasons"] = [f"{label}: {reason}" for label, reason in checked.cheats]
        gradable.append(student)
        k = len(gradable) % max(workers, 1)
        dest = stage / f"w{k}" / "submitted" / student / lesson
        shutil.copytree(folder, dest)
        nbformat.write(checked.notebook, str(dest / f"{lesson}.ipynb"))

    # the workers, each with a copy of the gradebook as it is now
    procs = []
    logs = {}
    for k in range(max(workers, 1)):
        staging = stage / f"w{k}" / "submitted"
        if not staging.exists():
            continue
        db = stage / f"w{k}" / "gradebook.db"
        shutil.copy(main_db, db)
        log = stage / f"w{k}" / "autograde.log"
        cmd = [sys.executable, "-m", "grading", "_worker", lesson, "--staging", str(staging),
               "--db", str(db), "--spec", str(spec), "--memory", str(memory), "--cpu", str(cpu)]
        cmd += ["--timeout", str(timeout)] if timeout else []
        cmd += ["--trusted"] if trusted else []
        env = dict(os.environ, COURSE_KERNEL_TMP=str(run_tmp), PYTHONPATH=os.pathsep.join(
            [str(GRADING.parent), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
        with open(log, "w") as out:     # the child keeps its own copy of the descriptor
            procs.append((k, db, subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                                  env=env, cwd=course)))
        logs[k] = log
    worker_students = {k: sorted(p.name for p in (stage / f"w{k}" / "submitted").iterdir())
                       for k, _, _ in procs}
    for k, db, proc in procs:
        proc.wait()
    # merge, in this one process
    for k, db, proc in procs:
        failed = set(merge(main_db, db, lesson, worker_students[k]))
        failed |= {s for s in worker_students[k]        # nbgrader removes a failed one's output
                   if not (course / "autograded" / s / lesson / f"{lesson}.ipynb").exists()}
        log = logs[k].read_text(errors="replace")
        (course / "reports").mkdir(exist_ok=True)
        (course / "reports" / f"{lesson}-worker{k}.log").write_text(log)
        for student in sorted(failed):
            report[student].update(status="failed", reasons=[kernel_failure(log, student)]
                                   + report[student]["reasons"])
    for student, entry in report.items():
        graded_nb = course / "autograded" / student / lesson / f"{lesson}.ipynb"
        if entry["status"] in ("refused", "failed"):
            zero(main_db, lesson, student, autograded_only=False)
            if graded_nb.exists():
                mark_autograded(graded_nb, entry["reasons"][0])
            else:
                failure_page(course, lesson, student, entry["reasons"][0])
        elif entry["status"] == "cheat":
            zero(main_db, lesson, student, autograded_only=True)
            mark_autograded(graded_nb, "; ".join(entry["reasons"][:3]))
        if graded_nb.exists() and entry["status"] != "refused":
            entry["guard"] = guard_reasons(graded_nb)
    shutil.rmtree(run_tmp, ignore_errors=True)
    shutil.rmtree(stage, ignore_errors=True)
    if not any(stage.parent.iterdir()):
        stage.parent.rmdir()
    elapsed = time.time() - started
    out = course / "reports"
    out.mkdir(exist_ok=True)
    summary = {"lesson": lesson, "students": len(students), "workers": workers,
               "sandbox": not trusted, "seconds": round(elapsed, 2), "submissions": report}
    (out / f"{lesson}.json").write_text(json.dumps(summary, indent=1))
    mode = "sandboxed" if not trusted else "TRUSTED (no sandbox)"
    lines = [f"{lesson}: {len(students)} submissions in {elapsed:.1f} s, {workers} worker(s), {mode}"]
    for student, entry in report.items():
        why = "; ".join(entry["reasons"] + entry.get("guard", []) + entry["repairs"])
        lines.append(f"  {student:24} {entry['status']:8} {why}")
    (out / f"{lesson}.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return summary


def main(argv=None):
    # nbgrader's own Gradebook.update_or_create_submission warns about its session (harmless)
    import warnings
    warnings.filterwarnings("ignore", message=".*not in session.*")
    parser = argparse.ArgumentParser(prog="python3 course grade", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd")
    g = sub.add_parser("grade")
    g.add_argument("lesson")
    g.add_argument("--workers", type=int, default=min(os.cpu_count() or 1, 4))
    g.add_argument("--trusted", action="store_true", help="no sandbox: student code runs as you")
    g.add_argument("--timeout", type=int, help="seconds per cell (default: nbgrader_config.py)")
    g.add_argument("--memory", type=int, default=2048, help="MiB of address space per kernel")
    g.add_argument("--cpu", type=int, default=600, help="CPU seconds per kernel")
    g.add_argument("--student", action="append", help="grade only these students")
    g.add_argument("--course", default=".", help="the course folder (default: here)")
    w = sub.add_parser("_worker")
    w.add_argument("lesson")
    for opt in ("--staging", "--db", "--spec"):
        w.add_argument(opt, required=True)
    w.add_argument("--timeout", type=int)
    w.add_argument("--memory", type=int, default=2048)
    w.add_argument("--cpu", type=int, default=600)
    w.add_argument("--trusted", action="store_true")
    args = parser.parse_args(argv)
    if args.cmd == "_worker":
        return worker(args)
    if args.cmd == "grade":
        grade(Path(args.course), args.lesson, args.workers, args.trusted, args.timeout,
              args.memory, args.cpu, args.student)
        return 0
    parser.print_help()
    return 2
