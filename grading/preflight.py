"""Before nbgrader sees a submission: read it, repair what is safe to repair, refuse the rest
with a reason, and scan the student's cells for cheats (the static layer of cheat detection).

Nothing here changes submitted/: a readable submission is written, normalised, to a staging
folder that nbgrader then grades.
"""
from __future__ import annotations

import ast
import builtins
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

# Modules a cheat patches; names bound by `import` statements count as well.
MODULE_NAMES = {"np", "numpy", "am", "autograd_mini", "builtins", "sys", "testing", "linalg",
                "__builtins__"}
SUBMODULES = {"testing", "linalg", "random", "nn", "optim", "core", "ops", "functional", "fft"}
# Tools the course never needs and which reach into the grader's own objects.
FORBIDDEN_NAMES = {"exec", "eval", "compile", "__import__", "globals", "get_ipython",
                   "__builtins__", "builtins", "importlib", "ctypes", "gc", "inspect",
                   "subprocess", "setattr", "delattr"}
FORBIDDEN_ATTRS = {"modules", "__code__", "__globals__", "__subclasses__", "__dict__",
                   "settrace", "setprofile", "_getframe", "f_globals", "f_back", "f_locals",
                   "system", "popen", "__builtins__", "set_custom_exc", "events"}
PATH_HINTS = ("gradebook", "solutions/", "/solutions", "submitted/", "autograded/", "feedback/",
              "../", "..\\", "/proc/")
RISKY_MAGICS = re.compile(r"^\s*(!|%%(?!time\b|timeit\b|capture\b)\w+|%(system|sx|run|load|cd|"
                          r"env|writefile|bookmark|store|alias|rerun|macro)\b)", re.MULTILINE)
EXCEPTIONS = {n for n in dir(builtins) if isinstance(getattr(builtins, n), type)
              and issubclass(getattr(builtins, n), BaseException)}


@dataclass
class Checked:
    """The outcome of the pre-flight for one submission."""
    student: str
    notebook: nbformat.NotebookNode | None = None    # None: refused, see `problem`
    problem: str = ""                                 # why it cannot be graded
    repairs: list = field(default_factory=list)       # what was repaired
    cheats: list = field(default_factory=list)        # (cell label, reason)


def repair_grade_ids(nb, known_ids: set) -> list[str]:
    """nbgrader's OverwriteCells fails on a cell whose nbgrader metadata has no grade id, and
    on a grade id it does not know: such cells (and all but the last copy of a duplicated
    grade id) become ordinary cells; autograde puts the real test cells back."""
    repairs, seen = [], set()
    for cell in reversed(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta is None:
            continue
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if not grade_id or grade_id not in known_ids or grade_id in seen:
            why = ("nbgrader metadata without a grade id" if not grade_id else
                   f"unknown grade id {grade_id!r}" if grade_id not in known_ids else
                   f"a second copy of {grade_id!r}")
            repairs.append(f"{why}: graded as an ordinary cell")
            del cell.metadata["nbgrader"]
        else:
            seen.add(grade_id)
    return repairs[::-1]


def read_submission(student: str, path: Path, known_ids: set = frozenset()) -> Checked:
    out = Checked(student)
    if not path.exists():
        found = sorted(p.name for p in path.parent.glob("*")) if path.parent.exists() else []
        out.problem = (f"missing notebook: no {path.name} was submitted"
                       + (f" (the folder holds: {', '.join(found)})" if found else ""))
        return out
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        out.problem = f"not a notebook: {path.name} is not valid JSON ({e})"
        return out
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        out.problem = f"not a notebook: {path.name} has no list of cells"
        return out
    if data.get("nbformat") != 4:
        out.problem = (f"wrong notebook format: nbformat {data.get('nbformat')!r}; this course "
                       f"uses nbformat 4 (open the file in JupyterLab and save it again)")
        return out
    seen = set()
    for cell in data["cells"]:
        if not isinstance(cell, dict):
            continue
        cid = cell.get("id")
        if cid is None or not isinstance(cid, str) or cid in seen:
            if cid in seen:
                out.repairs.append(f"duplicated cell id {cid!r} replaced by a new id")
            cell["id"] = uuid.uuid4().hex[:8]
        seen.add(cell["id"])
    if data.get("nbformat_minor", 0) < 5:
        data["nbformat_minor"] = 5
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
        nbformat.validate(nb)
    except Exception as e:   # noqa: BLE001 -- any schema error: refuse with its message
        out.problem = f"not a valid notebook: {str(e).splitlines()[0][:300]}"
        return out
    if known_ids:
        out.repairs += repair_grade_ids(nb, known_ids)
    out.notebook = nb
    return out


# --- static cheat scan -----------------------------------------------------------------------

def _root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Subscript):
        return _dotted(node.value) + "[...]"
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _imports(tree):
    """name -> (module, attribute or None) for every import statement."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                bound[a.asname or a.name.split(".")[0]] = (a.name if a.asname else a.name.split(".")[0], None)
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                bound[a.asname or a.name] = (node.module or "", a.name)
    return bound


def python_source(source: str) -> str:
    """Cell source with IPython magics and shell escapes commented out (for the AST)."""
    return "\n".join("#" + line if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def protected_names(setup_source: str, test_sources: list[str]) -> dict:
    """Names the test cells rely on: what the setup cell imports (-> its import target) and the
    builtins the tests use, plus every builtin exception (-> None)."""
    names = {name: None for name in EXCEPTIONS}
    setup_imports = _imports(ast.parse(python_source(setup_source))) if setup_source else {}
    names.update(setup_imports)
    for source in test_sources:
        try:
            tree = ast.parse(python_source(source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and hasattr(builtins, node.id):
                names.setdefault(node.id, None)
    return names


def _top_level_bindings(tree):
    """(name, node) bound at the notebook's top level (not inside a def, class or lambda),
    plus names declared `global` anywhere."""
    out = []

    def visit(node, top):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if top:
                out.append((node.name, node))
            for child in ast.iter_child_nodes(node):
                visit(child, False)
            return
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, ast.Global):
            out.extend((name, node) for name in node.names)
        if top:
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                out.append((node.id, node))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for a in node.names:
                    out.append((a.asname or a.name.split(".")[0], node))
        for child in ast.iter_child_nodes(node):
            visit(child, top)

    visit(tree, True)
    return out


def scan_cell(source: str, protected: dict) -> list[str]:
    """Reasons why this student-written cell is a cheat (empty: nothing found)."""
    reasons = []
    for match in RISKY_MAGICS.finditer(source):
        reasons.append(f"runs the shell or a risky IPython magic ({match.group(0).strip()!r})")
    try:
        tree = ast.parse(python_source(source))
    except SyntaxError:
        return reasons
    imports = _imports(tree)
    modules = set(MODULE_NAMES) | {n for n, (mod, attr) in imports.items()
                                   if attr is None or attr in SUBMODULES}
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for t in ast.walk(target):
                if isinstance(t, (ast.Attribute, ast.Subscript)) and _root(t) in modules:
                    reasons.append(f"changes {_dotted(t)} (monkeypatching a module the tests use)")
                    break
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("setattr", "delattr") and node.args \
                and _root(node.args[0]) in modules:
            reasons.append(f"calls {node.func.id} on {_dotted(node.args[0])} (monkeypatching)")
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            reasons.append(f"uses {node.id}, which the course never needs and which can change "
                           f"how the tests run")
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRS:
            reasons.append(f"uses .{node.attr}, which can change how the tests run")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            for name in names:
                if name.split(".")[0] in FORBIDDEN_NAMES | {"os", "pathlib", "shutil", "socket",
                                                            "urllib", "http", "requests"}:
                    reasons.append(f"imports {name}, which the course never needs while grading")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and any(h in node.value for h in PATH_HINTS):
            reasons.append(f"names a path outside its own folder ({node.value[:60]!r})")
    for name, node in _top_level_bindings(tree):
        if name not in protected:
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)) and protected[name] is not None \
                and imports.get(name) == protected[name]:
            continue        # `import numpy as np` again: the same object, harmless
        reasons.append(f"redefines {name!r}, which the tests use")
    return list(dict.fromkeys(reasons))


def scan_notebook(nb, trusted_sources: set, protected: dict) -> list[tuple[str, str]]:
    """(cell label, reason) for every cheat in the cells the student wrote (cells whose source is
    one of the course's own are skipped: autograde puts the locked ones back anyway)."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or cell.source.strip() in trusted_sources:
            continue
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        label = f"cell {index + 1}" + (f" ({grade_id})" if grade_id else "")
        found += [(label, reason) for reason in scan_cell(cell.source, protected)]
    return found
