"""The local VJP rule of each primitive, read from its source — the one place the math lives.

``ops.py`` writes every VJP next to a one-line math comment::

    defvjp(multiply, lambda g, ans, x, y: g * y,                   # d(xy) = y dx + x dy
                     lambda g, ans, x, y: g * x)

``vjp_rule("multiply")`` returns that comment and, per argument, the code of its rule
(``x: g * y``, ``y: g * x``), so the stepper shows exactly what the engine runs.
"""
import ast
import functools
import inspect
import io
import re
import tokenize
from dataclasses import dataclass, field


@dataclass
class VJPRule:
    op: str
    math: str = ""                                # the comment(s) beside the rule in the source
    code: dict = field(default_factory=dict)      # argument position -> expression giving its gradient
    arg_names: tuple = ()                         # names of the positional arguments (x, y / a, b ...)

    def __str__(self):
        lines = [f"{self.op}: {self.math}" if self.math else self.op]
        lines += [f"  grad {self.name(i)} = {c}" for i, c in sorted(self.code.items())]
        return "\n".join(lines)

    def name(self, i):
        return self.arg_names[i] if i < len(self.arg_names) else f"arg{i}"


def _comments(src):
    """{line number: comment text} for every ``# ...`` comment in ``src``."""
    out = {}
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type == tokenize.COMMENT:
            out[tok.start[0]] = tok.string.lstrip("#").strip()
    return out


def _one_line(text):
    return " ".join(text.split())


def _arg_names(fn_args):
    """Positional parameter names after (g, ans)."""
    return tuple(a.arg for a in fn_args.args[2:])


@functools.cache
def _ops_table():
    """Parse ops.py once: every ``defvjp(prim, rule0, rule1, ...)`` call, with its comments.
    Returns {op name: (primitive, VJPRule)}."""
    from .. import ops
    src = inspect.getsource(ops)
    comments = _comments(src)
    tree = ast.parse(src)
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}

    def comments_in(node):
        return [comments[n] for n in range(node.lineno, node.end_lineno + 1) if n in comments]

    table = {}
    for call in ast.walk(tree):
        if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "defvjp"):
            continue
        prim = getattr(ops, call.args[0].id, None)
        if prim is None:
            continue
        rule = VJPRule(prim.__name__)
        math = {(n, 0): comments[n] for n in range(call.lineno, call.end_lineno + 1) if n in comments}
        for i, arg in enumerate(call.args[1:]):
            if isinstance(arg, ast.Lambda):
                rule.code[i] = _one_line(ast.get_source_segment(src, arg.body))
                rule.arg_names = rule.arg_names or _arg_names(arg.args)
            elif isinstance(arg, ast.Name) and arg.id in defs:      # a named VJP function
                fn = defs[arg.id]
                first = [comments[n] for n in range(fn.lineno, fn.end_lineno + 1) if n in comments]
                if first:                                           # its opening comment
                    math[(arg.lineno, -1, arg.col_offset)] = first[0]
                ret = fn.body[-1]
                rule.code[i] = _one_line(ast.get_source_segment(src, ret.value)) \
                    if isinstance(ret, ast.Return) else f"{arg.id}(g, ans, ...)"
                rule.arg_names = rule.arg_names or _arg_names(fn.args)
        rule.math = "; ".join(dict.fromkeys(math[n] for n in sorted(math)))
        table[rule.op] = (prim, rule)
    return table


def _from_functions(fun):
    """A primitive defined outside ops.py (e.g. in a lesson): read its VJP functions' source."""
    rule = VJPRule(fun.__name__)
    math = []
    for i, vjp in sorted(getattr(fun, "vjps", {}).items()):
        try:
            src = inspect.getsource(vjp)
        except (OSError, TypeError):
            rule.code[i] = getattr(vjp, "__name__", "?")
            continue
        math += re.findall(r"#\s*(.+)$", src, flags=re.MULTILINE)
        body = src.split(":", 1)[1] if "lambda" in src else src
        rule.code[i] = _one_line(re.sub(r"#.*$", "", body, flags=re.MULTILINE)).rstrip(",)")
        try:
            names = list(inspect.signature(vjp).parameters)[2:]
            rule.arg_names = rule.arg_names or tuple(names)
        except (TypeError, ValueError):
            pass
    rule.math = "; ".join(dict.fromkeys(math))
    return rule


def vjp_rule(op):
    """The VJP rule of a primitive: give its name, the primitive itself, or a graph Node."""
    fun = getattr(op, "fun", op)
    table = _ops_table()
    if isinstance(fun, str):
        if fun not in table:
            raise KeyError(f"vjp_rule: no primitive called {fun!r} in autograd_mini.ops")
        return table[fun][1]
    prim, rule = table.get(fun.__name__, (None, None))
    return rule if prim is fun else _from_functions(fun)
