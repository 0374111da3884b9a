"""Autograding speed: `python3 course grade` with one worker against --workers N.

    python benchmarks/bench_autograde.py [--students 20] [--lessons 00_welcome 04_linear_regression]
                                         [--workers 2] [--trusted] [--out results/autograde.json]

Builds a temporary course (every lesson released with nbgrader), submits the solved student
version (tests/course_tools.solved: answers filled in, what a perfect student hands in) for
`--students` students per lesson, and grades each lesson twice from scratch: serially
(--workers 1) and in parallel (--workers N), each run in the sandbox unless --trusted.
Prints and saves seconds per submission, the speed-up, the load average before and after, and
checks that every submission got full marks on every autograded cell and that both runs wrote
the same scores. Not part of pytest.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import course_tools as ct


def grade(course, lesson, workers, trusted):
    for folder in ("autograded", "feedback", "reports"):
        shutil.rmtree(course / folder, ignore_errors=True)
    cmd = [sys.executable, "-m", "grading", "grade", lesson, "--workers", str(workers)]
    start = time.perf_counter()
    proc = subprocess.run(cmd + (["--trusted"] if trusted else []), cwd=course,
                          env=ct.tool_env(PYTHONPATH=str(ROOT)), capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stdout + proc.stderr)
    return seconds, ct.read_scores(course, lesson)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--lessons", nargs="*", default=ct.lesson_names())
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--trusted", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "autograde.json"))
    args = parser.parse_args()
    load_before = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="bench-autograde-"))
    course = ct.new_course(tmp / "course", *args.lessons)
    rows = []
    for lesson in args.lessons:
        solved = ct.solved(course, lesson)
        for i in range(args.students):
            ct.submit(course, f"student{i:03d}", lesson, solved)
        serial, scores_1 = grade(course, lesson, 1, args.trusted)
        parallel, scores_n = grade(course, lesson, args.workers, args.trusted)
        tests = ct.autograded_test_ids(lesson)
        not_full = sorted(s for s, by_id in scores_n.items()
                          if any(by_id[g][0] != by_id[g][1] for g in tests))
        row = {"lesson": lesson, "submissions": args.students, "serial_s": round(serial, 1),
               "parallel_s": round(parallel, 1),
               "serial_s_per_submission": round(serial / args.students, 2),
               "parallel_s_per_submission": round(parallel / args.students, 2),
               "speedup": round(serial / parallel, 2), "same_scores": scores_1 == scores_n,
               "not_full_marks": not_full, "load": [round(x, 1) for x in os.getloadavg()]}
        rows.append(row)
        print(json.dumps(row), flush=True)
    total_serial = sum(r["serial_s"] for r in rows)
    total_parallel = sum(r["parallel_s"] for r in rows)
    n = sum(r["submissions"] for r in rows)
    summary = {"students": args.students, "lessons": args.lessons, "workers": args.workers,
               "sandbox": not args.trusted, "cpus": os.cpu_count(),
               "load_before": [round(x, 1) for x in load_before],
               "load_after": [round(x, 1) for x in os.getloadavg()],
               "uptime": subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip(),
               "submissions": n, "serial_s": round(total_serial, 1),
               "parallel_s": round(total_parallel, 1),
               "serial_s_per_submission": round(total_serial / n, 2),
               "parallel_s_per_submission": round(total_parallel / n, 2),
               "speedup": round(total_serial / total_parallel, 2), "lessons_detail": rows}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "lessons_detail"}, indent=1))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
