"""The grading guard: runs INSIDE the student's kernel during autograding (never in Validate).

It cannot make one Python process safe from the code it runs; it makes the usual cheats visible.
Installed before any student code, it

* fingerprints the modules the test cells trust (builtins, numpy and its submodules,
  autograd_mini and its submodules): every function, class and its methods, by identity and code;
* remembers what the locked setup cell binds (np, am, check_value, ...) once that cell ran;
* adds an audit hook (which cannot be removed) that notes opening or listing a file of the course
  outside the student's own folder, ctypes and the garbage collector's object walkers;
* before and after every test cell (recognised by the hash of its trusted source) checks all of
  the above and, if anything changed, writes one line "GRADING GUARD: ..." to the cell's stderr.
  nbgrader scores a test cell with stderr output 0, and the line shows in the feedback.

A tampering, once seen, stays: every later test cell scores 0 with the same reason.
"""
import hashlib
import importlib
import json
import os
import sys
import types

MARK = "GRADING GUARD:"
TRUSTED = ["builtins", "numpy", "numpy.linalg", "numpy.random", "numpy.testing", "numpy.fft",
           "autograd_mini"]
# IPython and the display hook change these builtins around every cell.
VOLATILE_BUILTINS = {"input", "raw_input", "getpass", "exit", "quit", "get_ipython", "display", "help", "copyright", "credits",
                     "license", "_", "__", "___"}
WATCHED_EVENTS = {"open", "os.listdir", "os.scandir", "gc.get_referrers", "gc.get_referents",
                  "gc.get_objects", "ctypes.dlopen", "ctypes.dlsym", "ctypes.addressof",
                  "sys.settrace", "sys.setprofile"}


def digest(source: str) -> str:
    return hashlib.sha256(source.strip().encode()).hexdigest()


def _fingerprint(value):
    code = getattr(value, "__code__", None)
    return (id(value), id(code), id(getattr(value, "__defaults__", None)),
            id(getattr(value, "__kwdefaults__", None)))


def _watched(value):
    return isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type,
                              types.ModuleType)) or callable(value)


class Guard:
    def __init__(self, shell, spec):
        self.shell = shell
        self.tests = set(spec["tests"])
        self.setup = set(spec["setup"])
        self.course = os.path.realpath(spec["course"]) if spec.get("course") else None
        self.allowed = [os.path.realpath(p) for p in spec.get("allowed", [])]
        self.allowed.append(os.path.realpath(os.getcwd()))
        self.stderr = sys.stderr            # the kernel's stream to the cell's stderr
        self.reasons = []                   # sticky: once tampered, every later test scores 0
        self.events = []                    # filled by the audit hook
        self.modules = {}
        self.classes_of_module = {}         # autograd_mini's classes: their methods
        for name in TRUSTED:
            importlib.import_module(name)
            for sub in sorted(sys.modules):     # the module and every submodule loaded by now
                if sub == name or (name != "builtins" and sub.startswith(name + ".")):
                    self._snapshot_module(sub)
        self.classes = {cls: dict(vars(cls)) for cls in (type(self.stderr),)}
        self.user = {}
        sys.addaudithook(self._audit)
        shell.events.register("pre_run_cell", self.pre_run_cell)
        shell.events.register("post_run_cell", self.post_run_cell)
        self._current_test = False
        self._reported_for_this_cell = False

    # -- snapshots ------------------------------------------------------------------------
    def _snapshot_module(self, name):
        module = sys.modules.get(name)
        if module is None or name in self.modules:
            return
        prints = {}
        for key, value in list(vars(module).items()):
            if name == "builtins" and (key in VOLATILE_BUILTINS or key.startswith("_")
                                       and key not in ("__import__", "__build_class__")):
                continue
            if not _watched(value):
                continue
            prints[key] = (value, _fingerprint(value))
            if isinstance(value, type) and getattr(value, "__module__", "").startswith("autograd_mini"):
                self.classes_of_module[value] = {k: _fingerprint(v) for k, v in vars(value).items()}
        self.modules[name] = (module, prints)

    def _changes(self):
        changes = []
        for name, (module, prints) in self.modules.items():
            if sys.modules.get(name) is not module and name in sys.modules:
                changes.append(f"the module {name} was replaced in sys.modules")
            now = vars(module)
            for key, (value, fingerprint) in prints.items():
                if key not in now:
                    changes.append(f"{name}.{key} was deleted")
                elif now[key] is not value or _fingerprint(now[key]) != fingerprint:
                    changes.append(f"{name}.{key} was replaced (monkeypatching)")
        for cls, before in self.classes_of_module.items():
            now = {k: _fingerprint(v) for k, v in vars(cls).items()}
            changed = [k for k in before if now.get(k) != before[k]]
            if changed:
                changes.append(f"{cls.__module__}.{cls.__name__}.{changed[0]} was replaced")
        for cls, before in self.classes.items():
            if dict(vars(cls)) != before:
                changes.append("the output stream class was changed")
        for key, value in self.user.items():
            if self.shell.user_ns.get(key) is not value:
                changes.append(f"the name {key!r} from the setup cell was rebound "
                               f"(the test cells use it)")
        return changes

    # -- the audit hook ---------------------------------------------------------------------
    def _audit(self, event, args):
        if event not in WATCHED_EVENTS:
            return
        if event in ("open", "os.listdir", "os.scandir"):
            path = args[0] if args else None
            if not isinstance(path, (str, bytes)) or self.course is None:
                return
            path = os.path.realpath(os.fsdecode(path))
            if (path + os.sep).startswith(self.course + os.sep) and not any(
                    (path + os.sep).startswith(a + os.sep) for a in self.allowed):
                self.events.append(f"your code tried to read or write {path!r}, a course file "
                                   f"outside your own folder")
        else:
            self.events.append(f"your code used {event} (not allowed while grading)")

    # -- the IPython hooks ------------------------------------------------------------------
    def pre_run_cell(self, info):
        source = info.raw_cell or ""
        self._current_test = digest(source) in self.tests
        self._reported_for_this_cell = False
        if self._current_test:
            self._report()

    def post_run_cell(self, result):
        source = result.info.raw_cell or ""
        if digest(source) in self.setup:
            for key, value in self.shell.user_ns.items():
                if not key.startswith("_") and _watched(value) and key not in self.user:
                    self.user[key] = value
        elif self._current_test:
            self._report()

    def _report(self):
        new = [r for r in dict.fromkeys(self._changes() + self.events) if r not in self.reasons]
        self.reasons += new
        self.events.clear()
        if self.reasons and (new or not self._reported_for_this_cell):
            self._reported_for_this_cell = True
            self.stderr.write(f"{MARK} this test scores 0: {'; '.join(self.reasons[:3])}.\n")
            self.stderr.flush()


def install(shell, spec_path):
    with open(spec_path) as f:
        spec = json.load(f)
    for module in ("numpy", "numpy.testing", "autograd_mini", "autograd_mini.testing"):
        importlib.import_module(module)
    shell._course_guard = Guard(shell, spec)
    return shell._course_guard
