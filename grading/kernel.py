"""Start an IPython kernel with the grading guard installed before any cell runs.

    python grading/kernel.py -f <connection file> [kernel options]     (spec: $COURSE_GUARD_SPEC)

Used by autograding only (grading/run.py puts it in place of ``-m ipykernel_launcher``).
"""
import os
import sys

spec = os.environ.pop("COURSE_GUARD_SPEC", "")
here = sys.path.pop(0)                   # this folder: not importable by student code
from ipykernel.kernelapp import IPKernelApp

app = IPKernelApp.instance()
app.initialize(sys.argv[1:])
if spec:
    sys.path.insert(0, here)
    import guard
    sys.path.remove(here)
    del sys.modules["guard"]
    guard.install(app.shell, spec)
app.start()
