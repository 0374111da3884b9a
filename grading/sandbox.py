"""Where student code runs while it is graded: a kernel in a bubblewrap sandbox under prlimit.

The kernel of one submission sees the machine read-only, except:

* hidden (an empty tmpfs in their place): the course folder and this repository (solutions/, gradebook.db,
  submitted/, autograded/ of the other students, feedback/, lessons/, the grading staging area),
  the user's home, /tmp, /var/tmp, /run, /dev/shm and the nbgrader exchange;
* shown again read-only: the Python environment, the autograd_mini package and grading/;
* writable: the student's own autograded/<student>/<lesson>/ folder (its cwd) and a private /tmp;
* no network: its own network namespace (it talks to nbgrader over unix sockets in a folder
  bound into the sandbox); its own PID namespace (no /proc/<pid>/cwd of the grader), no
  capabilities even when grading as root, a cleared environment;
* limits (prlimit): address space, CPU seconds, size of a written file, open files, no core dumps.

Output is limited outside the kernel, in the grader (LimitedExecute): a cell keeps at most
``max_output_bytes`` of output.
"""
from __future__ import annotations

import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, List, Unicode

GRADING = Path(__file__).resolve().parent
KERNEL_SCRIPT = GRADING / "kernel.py"


def missing_tools() -> list[str]:
    return [tool for tool in ("bwrap", "prlimit") if shutil.which(tool) is None]


def _package_dir(name: str) -> Path:
    import importlib.util
    spec = importlib.util.find_spec(name)
    return Path(spec.origin).resolve().parent


def sandbox_argv(*, workdir: Path, course: Path, shared: list[Path], private: list[Path],
                 memory_mb: int, cpu_seconds: int, file_mb: int, hide: list[Path] = ()) -> list[str]:
    """The command prefix that runs a program in the sandbox (see the module's docstring).

    workdir: the only writable folder of the course (also the cwd); shared: folders bound
    read-write (the kernel's socket folder); private: extra folders shown read-only."""
    workdir, course = Path(workdir).resolve(), Path(course).resolve()
    home = Path(os.path.expanduser("~")).resolve()
    masked = [course, GRADING.parent, home, Path("/tmp"), Path("/var/tmp"), Path("/run"), Path("/dev/shm"),
              Path("/srv/nbgrader"), *map(Path, hide)]
    # parents first: a tmpfs mounted over /tmp after one over /tmp/course would hide it again
    masked = sorted({p.resolve() for p in masked if p.exists() and p.resolve() != Path("/")},
                    key=lambda p: len(p.parts))
    readable = [Path(sys.prefix), Path(sys.base_prefix), Path(sysconfig.get_paths()["purelib"]),
                _package_dir("autograd_mini"), GRADING, *private]
    argv = ["prlimit", f"--as={memory_mb * 2**20}", f"--cpu={cpu_seconds}",
            f"--fsize={file_mb * 2**20}", "--nofile=1024", "--core=0", "--",
            "bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            "--unshare-all", "--cap-drop", "ALL", "--die-with-parent", "--clearenv"]
    for path in masked:
        argv += ["--tmpfs", str(path)]
    for path in readable:
        path = path.resolve()
        if path.exists() and any(path.is_relative_to(m) for m in masked):
            argv += ["--ro-bind", str(path), str(path)]
    for path in shared:
        argv += ["--bind", str(Path(path).resolve()), str(Path(path).resolve())]
    argv += ["--bind", str(workdir), str(workdir), "--chdir", str(workdir)]
    for path in masked:     # the hidden folders stay empty: nothing can be written there either
        if str(path) not in ("/tmp", "/var/tmp", "/dev/shm"):
            argv += ["--remount-ro", str(path)]
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": "/tmp",
           "IPYTHONDIR": "/tmp/.ipython", "MPLCONFIGDIR": "/tmp/.matplotlib", "MPLBACKEND": "Agg",
           "JUPYTER_PLATFORM_DIRS": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "LANG": "C.UTF-8", "NBGRADER_EXECUTION": "autograde",
           "PYTHONDONTWRITEBYTECODE": "1"}
    for key, value in env.items():
        argv += ["--setenv", key, value]
    return argv + ["--"]


class GradingKernelManager(AsyncKernelManager):
    """Starts grading/kernel.py (ipykernel + the guard) instead of ipykernel_launcher, inside the
    sandbox unless ``sandbox`` is False. In the sandbox it talks over unix sockets (ipc)."""

    sandbox = Bool(True, help="Run the kernel in bwrap + prlimit.").tag(config=True)
    guard_spec = Unicode("", help="JSON file for grading/guard.py ('' = no guard).").tag(config=True)
    course_dir = Unicode("", help="The course folder (hidden from the kernel).").tag(config=True)
    memory_mb = Integer(2048, help="Address-space limit of the kernel, MiB.").tag(config=True)
    cpu_seconds = Integer(600, help="CPU-time limit of the whole kernel, seconds.").tag(config=True)
    file_mb = Integer(64, help="Largest file the kernel may write, MiB.").tag(config=True)
    hide = List(Unicode(), help="More folders to hide from the kernel.").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._socket_dir = None
        if self.sandbox:
            # inside the grading run's own temporary folder, which `course grade` removes at the
            # end even when a kernel died before it could clean up
            self._socket_dir = Path(tempfile.mkdtemp(prefix="course-kernel-",
                                                     dir=os.environ.get("COURSE_KERNEL_TMP")))
            self.transport = "ipc"
            self.ip = str(self._socket_dir / "kernel")
            self.connection_file = str(self._socket_dir / "connection.json")

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        cmd = list(kernel_cmd)
        # interrupt (a cell over its time) by a message the kernel acts on itself: a signal to
        # the process group would have to cross prlimit and bwrap's PID namespace
        self.kernel_spec.interrupt_mode = "message"
        if "ipykernel_launcher" in cmd:
            i = cmd.index("ipykernel_launcher")
            cmd[i - 1:i + 1] = [str(KERNEL_SCRIPT)]
        env = dict(kw.get("env") or os.environ)
        if self.guard_spec:
            env["COURSE_GUARD_SPEC"] = self.guard_spec
        if self.sandbox:
            cwd = Path(kw.get("cwd") or os.getcwd())
            spec_dir = [Path(self.guard_spec).parent] if self.guard_spec else []
            prefix = sandbox_argv(workdir=cwd, course=Path(self.course_dir or os.getcwd()),
                                  shared=[self._socket_dir], private=spec_dir,
                                  memory_mb=self.memory_mb, cpu_seconds=self.cpu_seconds,
                                  file_mb=self.file_mb, hide=[Path(h) for h in self.hide])
            if self.guard_spec:
                prefix[-1:-1] = ["--setenv", "COURSE_GUARD_SPEC", self.guard_spec]
            cmd = prefix + cmd
        kw["env"] = env
        return await super()._async_launch_kernel(cmd, **kw)

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if self._socket_dir is not None and not restart:
            shutil.rmtree(self._socket_dir, ignore_errors=True)


class LimitedExecute(Execute):
    """nbgrader's Execute with the grading kernel manager and a cap on each cell's output."""

    max_output_bytes = Integer(1_000_000, help="Output kept per cell; the rest is dropped.").tag(
        config=True)

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = GradingKernelManager
        super().__init__(*args, **kwargs)
        self._output_sizes = {}

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = len(str(content.get("text", ""))) + len(str(content.get("data", "")))
        used = self._output_sizes.get(cell_index, 0) + size
        self._output_sizes[cell_index] = used
        if used > self.max_output_bytes:
            if used - size <= self.max_output_bytes:     # the first output over the limit
                outs.append(new_output("stream", name="stdout", text=(
                    f"\n[grading: output cut: this cell printed more than "
                    f"{self.max_output_bytes // 1000} kB]\n")))
            return None
        return super().output(outs, msg, display_id, cell_index)
