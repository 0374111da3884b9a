"""Checking derivatives: numerical differentiation, the dot-product test for VJPs, and the
answer checks that the lessons' graded cells call.

``numerical_grad``, ``numerical_jacobian``   central differences
``check_grads``      autodiff against central differences along random directions
``check_gradient``, ``check_vjp``, ``check_jacobian``, ``check_value``
                     a learner's answer against autodiff on fresh random inputs.  A wrong
                     answer raises ``AssertionError`` with one line that names the mistake: a
                     transpose, the other layout convention, a factor 2, ½ or 1/N, the sign, a
                     broadcast axis not summed, a matrix assumed symmetric, NaN, an integer
                     array, a wrong shape, ...  All mistakes live in one table, ``MISTAKES``.
``call_answer``      call a learner's function in a test cell: its error becomes one line;
                     the functions an exercise forbids are switched off during the call
``named_mistake``    fail with a lesson's own message when an answer equals a typical
                     mistake's result
"""
import contextlib
import importlib
import inspect
import warnings

import numpy as np

from .core import Tensor, _as_array
from .functional import vjp, value_and_grad as _value_and_grad, jacobian as _jacobian


def _float_arrays(args):
    return [np.array(a.data if isinstance(a, Tensor) else _as_array(a, "testing"), dtype=np.float64)
            for a in args]


def _value(y):
    return np.asarray(y.data if isinstance(y, Tensor) else y, dtype=np.float64)


def numerical_jacobian(f, *args, wrt=0, eps=1e-6):
    """Central differences: J[..., j] = (f(x + eps e_j) − f(x − eps e_j)) / (2 eps),
    shape ``f(...).shape + args[wrt].shape``."""
    args = _float_arrays(args)
    x = args[wrt]
    columns = []
    for j in range(x.size):
        step = np.zeros(x.size)
        step[j] = eps
        step = step.reshape(x.shape)
        plus = _value(f(*args[:wrt], x + step, *args[wrt + 1:]))
        minus = _value(f(*args[:wrt], x - step, *args[wrt + 1:]))
        columns.append((plus - minus) / (2 * eps))
    out_shape = _value(f(*args)).shape
    return np.moveaxis(np.array(columns).reshape(x.shape + out_shape),
                       list(range(x.ndim)), list(range(len(out_shape), len(out_shape) + x.ndim))) \
        if columns else np.zeros(out_shape + x.shape)


def numerical_grad(f, *args, wrt=0, eps=1e-6):
    """The gradient of a scalar f with respect to ``args[wrt]`` by central differences;
    it has the shape of that argument."""
    g = numerical_jacobian(f, *args, wrt=wrt, eps=eps)
    x_shape = np.shape(args[wrt].data if isinstance(args[wrt], Tensor) else args[wrt])
    if g.shape != x_shape:
        raise ValueError(f"numerical_grad: f must return a scalar, got an output of shape "
                         f"{g.shape[:g.ndim - len(x_shape)]}; use numerical_jacobian")
    return g


def relative_error(a, b, floor=1e-12):
    """‖a − b‖ / max(‖a‖, ‖b‖, floor): scale-free, 0 for equal arrays."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / np.max([np.linalg.norm(a), np.linalg.norm(b), floor]))


def check_grads(f, *args, eps=1e-6, rtol=1e-5, atol=1e-8, seed=0):
    """The dot-product test: for random u (output) and v (input direction),
    <u, J v> by central differences must equal <Jᵀu, v> from the VJP, for every argument.

    Raises AssertionError naming the argument, its shape and the relative error.
    """
    rng = np.random.default_rng(seed)
    args = _float_arrays(args)
    value, pullback = vjp(f, *args)
    value = _value(value)
    u = rng.standard_normal(value.shape)
    grads = pullback(u)
    grads = grads if isinstance(grads, tuple) else (grads,)
    for i, (x, g) in enumerate(zip(args, grads)):
        if np.shape(g) != x.shape:
            raise AssertionError(f"check_grads: the gradient for argument {i} has shape "
                                 f"{np.shape(g)} but the argument has shape {x.shape}")
        v = rng.standard_normal(x.shape)
        plus = _value(f(*args[:i], x + eps * v, *args[i + 1:]))
        minus = _value(f(*args[:i], x - eps * v, *args[i + 1:]))
        numeric = float(np.sum(u * (plus - minus)) / (2 * eps))
        analytic = float(np.sum(np.asarray(g) * v))
        if not abs(numeric - analytic) <= atol + rtol * max(abs(numeric), abs(analytic)):
            raise AssertionError(
                f"check_grads: the gradient for argument {i} (shape {x.shape}) is wrong: "
                f"relative error {relative_error(numeric, analytic):.1e} along a random direction "
                f"(autodiff {analytic:.6g}, central differences {numeric:.6g})")


# ================================================================================ answer checks
#
# check_gradient / check_vjp / check_jacobian / check_value share one loop: draw inputs, compute the
# right answer by autodiff, call the learner's code, compare with a relative tolerance.  When the
# answer is wrong, ``_diagnose`` walks the table ``MISTAKES`` and reports the first mistake that
# explains the difference, as one line without any number of the right answer.

_NO_ANSWER = "no answer yet: replace raise NotImplementedError() with your code"


class _Case:
    """One comparison: the answer under test, the right one, and what the diagnoses need."""

    def __init__(self, what, expected, must, dtype, rtol, atol, sizes=(), out_ndim=None,
                 fname="f", argname="x", args=(), names=(), rerun=None, upstream=None):
        self.what = what                # how messages name the answer: "∂f/∂X", "dW", ...
        self.expected = expected        # the right answer (float64 ndarray)
        self.must = must                # "the shape of X, (3, 4)" / "shape (3, 4)"
        self.dtype = dtype              # the dtype the learner's answer came in
        self.rtol, self.atol = rtol, atol
        self.sizes = sizes              # [(n, symbol, words)]: sizes a mean divides by
        self.out_ndim = out_ndim        # Jacobians only: how many leading axes are f's
        self.fname, self.argname = fname, argname
        self.args, self.names = args, names
        self.rerun = rerun              # rerun(args[, G]) -> (answer, right answer) elsewhere
        self.upstream = upstream        # check_vjp: the upstream gradient G of this trial

    def matches(self, answer, target=None):
        return _close(answer, self.expected if target is None else target, self.rtol, self.atol)


def _close(a, b, rtol, atol):
    """Same shape and ‖a − b‖ ≤ rtol·max(‖a‖, ‖b‖) + atol."""
    if a.shape != b.shape:
        return False
    with np.errstate(all="ignore"):
        d = np.linalg.norm(np.ravel(a - b))
        scale = max(np.linalg.norm(np.ravel(a)), np.linalg.norm(np.ravel(b)))
    return bool(np.isfinite(d) and d <= rtol * scale + atol)


# ---------------------------------------------------------------- the tests behind the table
# Each takes (answer as float64 ndarray, case) and returns the details its message needs,
# or None when this mistake does not explain the answer.

def _not_finite(a, case):
    if np.isnan(a).any():
        return {"kind": "NaN (not a number)",
                "hint": "look for the log or square root of a negative number, 0/0 or inf − inf"}
    if np.isinf(a).any():
        return {"kind": "inf", "hint": "look for a division by zero or an overflow (exp of a "
                                       "large number)"}
    return None


def _integer(a, case):
    e = case.expected
    if case.dtype.kind in "biu" and a.shape == e.shape and not np.all(e == np.round(e)):
        return {"dtype": case.dtype}
    return None


def _all_zeros(a, case):
    if a.any() or np.linalg.norm(np.ravel(case.expected)) <= case.atol:
        return None
    if a.ndim == 0:
        return {"zeros": "0", "placeholder": "0.0"}
    return {"zeros": "all zeros", "placeholder": "np.zeros_like(...)"}


def _other_layout(a, case):
    e, k = case.expected, case.out_ndim
    if not k or k == e.ndim or a.shape != e.shape[k:] + e.shape[:k]:
        return None
    n_x = e.ndim - k
    numerator = np.transpose(a, tuple(range(n_x, n_x + k)) + tuple(range(n_x)))
    return {"f": f"{case.fname}(...)", "x": case.argname} if case.matches(numerator) else None


def _transposed(a, case):
    if a.ndim != 2 or not case.matches(a.T):
        return None
    square = a.shape[0] == a.shape[1]
    return {"note": " (it is square, so its shape could not warn you)" if square else ""}


def _extra_axes(a, case):
    e = case.expected
    if a.shape == e.shape or a.size != e.size or \
            tuple(n for n in a.shape if n != 1) != tuple(n for n in e.shape if n != 1):
        return None
    return {} if case.matches(a.reshape(e.shape)) else None


def _reshaped(a, case):
    e = case.expected
    if a.shape == e.shape or a.size != e.size:
        return None
    return {} if case.matches(a.reshape(e.shape)) else None


def _not_summed(a, case):
    """The answer still has the shape the argument was broadcast to (the upstream gradient's)."""
    e = case.expected
    lead = a.ndim - e.ndim
    if a.shape == e.shape or lead < 0 or \
            any(m != n and m != 1 for m, n in zip(e.shape, a.shape[lead:])):
        return None
    stretched = tuple(lead + i for i, m in enumerate(e.shape) if m == 1 and a.shape[lead + i] != 1)
    axes = tuple(range(lead)) + stretched
    if not case.matches(a.sum(axis=axes).reshape(e.shape)):
        return None
    where = f"axis {axes[0]}" if len(axes) == 1 else f"axes {axes}"
    # keepdims only helps a row-shaped parameter such as a (1, h) bias; for a (1,) bias the
    # upstream gradient is (N, 1) and a plain sum over axis 0 already gives (1,)
    keepdims = stretched and not lead and e.ndim > 1
    return {"where": where, "keepdims": " with keepdims=True" if keepdims else ""}


def _not_broadcast(a, case):
    e = case.expected
    if a.shape == e.shape or a.ndim > e.ndim:
        return None
    try:
        wide = np.broadcast_to(a, e.shape)
    except ValueError:
        return None
    return {} if case.matches(wide) else None


def _sign(a, case):
    return {} if case.matches(-a) else None


def _factors(sizes):
    """(c, label, note) for the constant factors derivations get wrong, likeliest first: the 2
    of a square and the ½ of a split; then the batch size N of a mean (N, 1/N, 2/N, N/2, ...);
    then other sizes the same way.  Each also with a flipped sign."""
    twos = [(2.0, ["2"], []), (0.5, [], ["2"])]
    candidates = [(t, tn, td, "") for t, tn, td in twos]
    for batch in (True, False):
        per_size = [(float(n) ** p, [sym] if p > 0 else [], [] if p > 0 else [sym], f" ({words})")
                    for n, sym, words in sizes if (sym == "N") == batch for p in (1, -1)]
        candidates += per_size + [(c * t, tn + num, td + den, note)
                                  for c, num, den, note in per_size for t, tn, td in twos]
    for c, num, den, note in candidates:
        top = "".join(num) or "1"
        label = top if not den else f"{top}/{den[0]}" if len(den) == 1 else \
            f"{top}/({''.join(den)})"
        label = "½" if label == "1/2" else label
        yield c, label, note
        yield -c, "−" + label, note


def _constant_factor(a, case):
    if a.shape != case.expected.shape:
        return None
    for c, label, note in _factors(case.sizes):
        if case.matches(a, c * case.expected):
            times = {"2": "twice", "½": "half"}.get(label, f"{label} times")
            return {"factor": label, "times": times, "note": note}
    return None


def _proportional(a, case):
    """A constant multiple of the right answer that is none of the usual factors (a size taken
    from the wrong array, a mean over the wrong count, a stray constant)."""
    e = case.expected
    if a.shape != e.shape or e.size < 2:
        return None
    with np.errstate(all="ignore"):
        c = float(np.vdot(a, e) / np.vdot(e, e))
    return {} if np.isfinite(c) and c != 0 and case.matches(a, c * e) else None


def _assumed_symmetric(a, case):
    """Rerun both sides with a square argument (or a VJP's upstream gradient G) replaced by its
    symmetric part: an answer that is right (or off by a simple factor) there but wrong here
    treats that matrix as symmetric."""
    if case.rerun is None:
        return None
    square = [k for k, x in enumerate(case.args) if _is_square(x)]
    candidates = [(case.names[k], lambda k=k: case.rerun(_symmetrised(case.args, k)))
                  for k in square]
    if _is_square(case.upstream):
        candidates.append(("G", lambda: case.rerun(case.args, (case.upstream + case.upstream.T) / 2)))
    for matrix, rerun in candidates:
        result = rerun()
        if result is None:
            continue
        answer, right = result
        if _close(answer, right, case.rtol, case.atol):
            return {"matrix": matrix, "how": f": it is right when {matrix} = {matrix}ᵀ, but not "
                                             f"for a general {matrix}"}
        for c, label, note in _factors(case.sizes):
            if _close(answer, c * right, case.rtol, case.atol):
                return {"matrix": matrix, "how": f", and even for a symmetric {matrix} it is "
                                                 f"off by a factor {label}{note}"}
    return None


def _is_square(x):
    return isinstance(x, np.ndarray) and x.dtype.kind == "f" and x.ndim == 2 and \
        x.shape[0] == x.shape[1] > 1


def _symmetrised(args, k):
    args = list(args)
    args[k] = (args[k] + args[k].T) / 2
    return args


def _wrong_shape(a, case):
    e = case.expected
    if a.shape == e.shape:
        return None
    note = ""
    if a.ndim == 2 and a.T.shape == e.shape:
        note = "; the transpose has the right shape, but even transposed the values do not match"
    return {"note": note}


# ---------------------------------------------------------------- the table
# Order matters: the first mistake that explains the answer is reported.  Messages are format
# strings over the details above and {what} (the answer's name), {shape} (the answer's shape),
# {eshape} (the right shape), {must} ("the shape of X, (3, 4)").

MISTAKES = [
    # name                        test               message
    ("not finite",                _not_finite,
     "{what} contains {kind}: {hint}."),
    ("integer array",             _integer,
     "{what} is an integer array (dtype {dtype}), so its fractions were cut off: build it from "
     "floats (np.zeros(shape) rather than np.zeros_like of an integer array, / rather than //)."),
    ("all zeros",                 _all_zeros,
     "{what} is {zeros}, but the right answer is not: is it still a placeholder such as "
     "{placeholder}?"),
    ("layout",                    _other_layout,
     "{what} is in the other layout convention (denominator layout, {x}.shape + {f}.shape): this "
     "course uses numerator layout, {must}; transpose your answer."),
    ("transpose",                 _transposed,
     "{what} is off by a transpose: you returned the {eshape} matrix transposed{note}."),
    ("extra axis",                _extra_axes,
     "{what} has the right values but shape {shape} instead of {eshape}: it differs only in axes "
     "of length 1 (keepdims=True?); use .reshape{eshape}."),
    ("reshaped",                  _reshaped,
     "{what} has the right values in the wrong shape: you returned {shape}, it must have {must}; "
     "reshape it."),
    ("broadcast axis not summed", _not_summed,
     "{what} has a broadcast axis that was not summed: you returned shape {shape}, but it must "
     "have {must}; sum over {where}{keepdims}."),
    ("not broadcast",             _not_broadcast,
     "{what} has the right values but shape {shape}: it must have {must}; broadcast it (e.g. "
     "np.ones(shape) * value)."),
    ("sign",                      _sign,
     "{what} has the wrong sign: it is −1 times the right answer."),
    ("factor",                    _constant_factor,
     "{what} is off by a factor {factor}: it is {times} the right answer{note}."),
    ("symmetric",                 _assumed_symmetric,
     "{what} assumes {matrix} is symmetric{how}; keep every transpose of {matrix} in your "
     "derivation (never replace {matrix}ᵀ by {matrix})."),
    ("proportional",              _proportional,
     "{what} is a constant multiple of the right answer, but not a usual one (2, ½, N, 1/N): "
     "check the constants in your derivation, and that every size comes from the arrays the "
     "function receives (not from a global variable)."),
    ("wrong shape",               _wrong_shape,
     "{what} has the wrong shape: you returned {shape}, it must have {must}{note}."),
    ("no match",                  lambda a, case: {"usual": "a constant factor, the sign" if a.ndim == 0
                                                   else "a transpose, a constant factor, the sign, a missing sum"},
     "{what} does not match the right answer (its shape {shape} is right); no single common "
     "mistake ({usual}) explains the difference: recheck your derivation and your code."),
]


def _diagnose(answer, case):
    """The first row of MISTAKES that explains the wrong answer: (name, one-line message)."""
    a = answer.astype(np.float64)
    for name, test, message in MISTAKES:
        details = test(a, case)
        if details is not None:
            return name, message.format(what=case.what, shape=a.shape, eshape=case.expected.shape,
                                        must=case.must, **details)
    raise AssertionError("unreachable: the last row of MISTAKES always applies")


def _fail(diagnosis, message):
    """Raise the one-line AssertionError a learner sees (no chained traceback)."""
    err = AssertionError(message)
    err.diagnosis = diagnosis       # the name of the row in MISTAKES, for tests and tools
    raise err from None


@contextlib.contextmanager
def _quiet():
    """Nothing reaches stderr (nbgrader scores a test cell with stderr output as 0)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


# ---------------------------------------------------------------- the learner's answer

def _to_array(raw, what, returned):
    """The learner's answer as a numeric ndarray (a Tensor is accepted), or a failure
    that says why it is not one.  ``returned`` reads "your function returned" or "dW is"."""
    if raw is None or raw is Ellipsis or raw is NotImplemented:
        _fail("no answer", f"{what}: {_NO_ANSWER} ({returned} {raw!r}).")
    if isinstance(raw, Tensor):
        raw = raw.data
    elif isinstance(raw, (list, tuple)):
        raw = [r.data if isinstance(r, Tensor) else r for r in raw]
    if callable(raw):
        _fail("not an array", f"{what} should be an array of numbers, but {returned} a function: "
                              f"did you forget to call it?")
    try:
        arr = np.asarray(raw)
    except Exception:
        arr = None
    if arr is None or arr.dtype.kind not in "biuf":
        kind = "complex numbers" if arr is not None and arr.dtype.kind == "c" else \
            f"a {type(raw).__name__}"
        _fail("not an array", f"{what} should be an array of real numbers, but {returned} {kind}.")
    return arr


def _call_learner(fn, args, what, kwargs=None, passing=()):
    """Call the learner's function; any exception becomes one line naming it, except those
    of the types in ``passing`` (already a check's one line)."""
    try:
        return fn(*args, **(kwargs or {}))
    except passing:
        raise
    except NotImplementedError:
        _fail("no answer", f"{what}: {_NO_ANSWER}.")
    except Exception as e:
        text = " ".join(str(e).split())
        text = text if len(text) <= 300 else text[:297] + "..."
        _fail("exception", f"{what}: your code raised {type(e).__name__}"
                           f"{': ' + text if text else ''}.")


_MODULE_ALIASES = {"np": "numpy", "am": "autograd_mini"}


def _resolve(path):
    """"np.linalg.inv" -> (the numpy.linalg module, "inv")."""
    head, _, name = path.rpartition(".")
    first, _, rest = head.partition(".")
    module = importlib.import_module(".".join(filter(None, [_MODULE_ALIASES.get(first, first), rest])))
    if not hasattr(module, name):
        raise ValueError(f"call_answer: {path} does not exist, so it cannot be forbidden")
    return module, name


def call_answer(function, *args, forbidden=None, **kwargs):
    """Call the learner's ``function(*args, **kwargs)`` for a test cell and return its result.

    An exception it raises becomes a one-line ``AssertionError`` naming the function ("no
    answer yet" for the ``NotImplementedError`` stub); an ``AssertionError`` passes through
    unchanged (a test cell's stand-in passed to the learner's function may raise one).
    ``forbidden`` maps functions the exercise asks to do without, as ``"np.linalg.inv"`` or
    ``"am.jacobian"``, to the reason: during the call they raise
    ``AssertionError("<function> called np.linalg.inv: <reason>")``.
    """
    what = getattr(function, "__name__", "your function")
    saved = []
    try:
        for path, reason in (forbidden or {}).items():
            module, name = _resolve(path)
            saved.append((module, name, getattr(module, name)))
            setattr(module, name, _switched_off(f"{what} called {path}: {reason}"))
        return _call_learner(function, args, what, kwargs, passing=AssertionError)
    finally:
        for module, name, original in reversed(saved):
            setattr(module, name, original)


def _switched_off(message):
    def stand_in(*args, **kwargs):
        raise AssertionError(message)
    return stand_in


def named_mistake(answer, right, mistakes, rtol=1e-6, atol=1e-9):
    """Fail with a typical mistake's own message when ``answer`` is what that mistake gives
    (and the mistake's result differs from the ``right`` one).  ``mistakes`` is a list of
    ``(result the mistake gives, one-line message)``.  An answer that is not an array of
    numbers passes through: the check that follows names that."""
    try:
        mine = np.asarray(answer.data if isinstance(answer, Tensor) else answer)
    except (TypeError, ValueError):
        return
    if mine.dtype.kind not in "biuf":
        return
    with np.errstate(all="ignore"):
        for wrong, message in mistakes:
            wrong = np.asarray(wrong.data if isinstance(wrong, Tensor) else wrong, dtype=float)
            if (mine.shape == wrong.shape and np.allclose(mine, wrong, rtol=rtol, atol=atol)
                    and not (np.shape(right) == wrong.shape
                             and np.allclose(wrong, right, rtol=rtol, atol=atol))):
                _fail("named mistake", message)


# ---------------------------------------------------------------- inputs

def _param_names(f):
    """The names of f's leading positional parameters."""
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return []
    names = []
    for p in params:
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            break
        names.append(p.name)
    return names


def _arg_names(f, n):
    """A name for each of n arguments of f: its parameter's, else ``args[i]``."""
    names = _param_names(f)[:n]
    return names + [f"args[{i}]" for i in range(len(names), n)]


def _fun_name(f):
    name = getattr(f, "__name__", "")
    return name if name.isidentifier() else "f"


def _plain(a):
    if isinstance(a, Tensor):
        return a.data
    return np.asarray(a) if isinstance(a, (list, tuple)) else a


def _copy(a):
    return a.copy() if isinstance(a, np.ndarray) else a


def _draw_like(example, rng):
    """Fresh standard-normal numbers in the example's shape (structured inputs: ``sample``)."""
    return np.asarray(rng.standard_normal(np.shape(example)))


def _drawer(example_args, wrt, sample):
    """draw(rng) -> a tuple of arguments for one trial."""
    if sample is not None:
        def draw(rng):
            args = sample(rng)
            return tuple(_plain(a) for a in (args if isinstance(args, (tuple, list)) else (args,)))
        return draw
    examples = [_plain(a) for a in example_args]

    def draw(rng):
        return tuple(_draw_like(a, rng)
                     if i == wrt or (isinstance(a, np.ndarray) and a.dtype.kind == "f")
                     else _copy(a) for i, a in enumerate(examples))
    return draw


def _named_sizes(named_arrays):
    """[(n, symbol, words)]: the sizes a derivation may divide by, in words.  A size shared by
    the first axis of several arrays, one of them a non-square matrix, is the batch size N."""
    shapes = [(name, np.shape(a)) for name, a in named_arrays if isinstance(a, np.ndarray)]
    rows = [s[0] for _, s in shapes if len(s) >= 1]
    tall = {s[0] for _, s in shapes if len(s) == 2 and s[0] != s[1]}
    out = {}
    for name, shape in shapes:
        if len(shape) == 1:
            words = [(shape[0], f"the length of {name}", True)]
        elif len(shape) == 2:
            words = [(shape[0], f"the number of rows of {name}", True),
                     (shape[1], f"the number of columns of {name}", False)]
        else:
            words = [(n, f"the size of axis {k} of {name}", k == 0) for k, n in enumerate(shape)]
        if len(shape) >= 2:
            words.append((int(np.prod(shape)), f"the number of entries of {name}", False))
        for n, text, first_axis in words:
            if n <= 2 or n in out:
                continue
            if first_axis and rows.count(n) >= 2 and n in tall:
                out[n] = ("N", f"N = {n}, the batch size: {text}")
            else:
                out[n] = ("n", f"n = {n}, {text}")
    return [(n, sym, words) for n, (sym, words) in out.items()]


# ---------------------------------------------------------------- the shared loop

def _check_function(kind, learner, f, example_args, wrt, trials, sample, seed, name, rtol, atol,
                    reference, call, setup=None):
    """Compare ``call(learner, args, extra)`` with ``reference(args, extra)`` on fresh inputs.

    ``setup(args, rng)`` draws what a trial needs besides the arguments (the VJP's upstream
    gradient).  The first mismatch is diagnosed and raised.
    """
    draw = _drawer(example_args, wrt, sample)
    rng = np.random.default_rng(seed)
    with _quiet():
        for _ in range(max(int(trials), 1)):
            args = draw(rng)
            names = _arg_names(f, len(args))
            fname, argname = _fun_name(f), names[wrt]
            what = name or {"check_gradient": f"∂{fname}/∂{argname}",
                            "check_jacobian": f"The Jacobian ∂{fname}/∂{argname}",
                            "check_vjp": f"The VJP for {argname}"}[kind]
            extra = setup(args, rng) if setup else None
            expected = _right_answer(reference, args, extra, kind)
            raw = _call_learner(lambda *a: call(learner, a, extra), [_copy(x) for x in args], what)
            answer = _to_array(raw, what, "your function returned")
            if answer.shape == expected.shape and _close(answer.astype(np.float64), expected,
                                                         rtol, atol):
                continue

            def rerun(new_args, extra=extra):
                try:
                    right = _right_answer(reference, new_args, extra, kind)
                    raw = call(learner, [_copy(x) for x in new_args], extra)
                    raw = raw.data if isinstance(raw, Tensor) else raw
                    return np.asarray(raw, dtype=np.float64), right
                except Exception:
                    return None

            if kind == "check_jacobian":
                out_ndim = expected.ndim - np.ndim(args[wrt])
                must = (f"shape {fname}(...).shape + {argname}.shape = {expected.shape[:out_ndim]}"
                        f" + {expected.shape[out_ndim:]} = {expected.shape}")
            else:
                must, out_ndim = f"the shape of {argname}, {expected.shape}", None
            arrays = list(zip(names, args)) + ([("G", extra)] if kind == "check_vjp" else [])
            case = _Case(what, expected, must, answer.dtype, rtol, atol, _named_sizes(arrays),
                         out_ndim, fname, argname, args, names, rerun,
                         extra if kind == "check_vjp" else None)
            _fail(*_diagnose(answer, case))


def _right_answer(reference, args, extra, kind):
    """``reference(args, extra) -> (f's value, the derivative)``; both must be finite."""
    value, right = reference([_copy(x) for x in args], extra)
    right = _value(right)
    if not (np.all(np.isfinite(_value(value))) and np.all(np.isfinite(right))):
        raise ValueError(f"{kind}: the right answer is not finite at these inputs; pass "
                         f"sample=lambda rng: (...) to draw inputs where f is differentiable")
    return right


# ---------------------------------------------------------------- the four checks

def check_gradient(student_fn, f, *example_args, wrt=0, trials=3, sample=None, seed=0,
                   name=None, rtol=1e-6, atol=1e-9):
    """Check that ``student_fn(*args)`` is the gradient of the scalar ``f(*args)`` with respect
    to ``args[wrt]`` (same shape as that argument, ∂f/∂X_ij at [i, j]).

    ``f`` is written with autograd_mini (``am.sum``, ``@``, ...); the right answer is
    ``am.grad(f, wrt)``.  Each of ``trials`` trials draws fresh inputs of the example shapes:
    float arrays and ``args[wrt]`` are redrawn standard normal; integer arrays (labels) and
    Python numbers are kept.  For structured inputs (symmetric, positive definite, invertible,
    labels) pass ``sample(rng) -> tuple of args``; then ``example_args`` are not needed.
    ``wrt`` is a position or a parameter name of f; ``name`` replaces "∂f/∂x" in messages;
    ``rtol``/``atol``: ‖answer − right‖ ≤ rtol·max(‖answer‖, ‖right‖) + atol, in float64.

    Passes silently (returns None).  A wrong answer raises AssertionError with one line naming
    the mistake, e.g. "∂f/∂X is off by a transpose: you returned the (3, 4) matrix transposed."
    Deterministic for a given ``seed``; prints nothing.

    >>> check_gradient(lambda x, C: (C + C.T) @ x, lambda x, C: x @ C @ x,
    ...                np.ones(3), np.ones((3, 3)))
    """
    wrt = _position(f, wrt, "check_gradient")
    _check_function("check_gradient", student_fn, f, example_args, wrt, trials, sample, seed,
                    name, rtol, atol,
                    reference=lambda args, _: _value_and_grad(f, wrt)(*args),
                    call=lambda fn, args, _: fn(*args))


def check_jacobian(student_fn, f, *example_args, wrt=0, trials=3, sample=None, seed=0,
                   name=None, rtol=1e-6, atol=1e-9):
    """Check that ``student_fn(*args)`` is the Jacobian of ``f`` with respect to ``args[wrt]``
    in numerator layout: shape ``f(*args).shape + args[wrt].shape``, J[i, j] = ∂f_i/∂x_j
    (like ``am.jacobian`` and JAX's jacrev).  A Jacobian in denominator layout (the transpose)
    is named as such.  Inputs, ``sample``, ``seed``, ``name``: as in ``check_gradient``.

    >>> check_jacobian(lambda x, A: A, lambda x, A: A @ x, np.ones(4), np.ones((3, 4)))
    """
    wrt = _position(f, wrt, "check_jacobian")
    _check_function("check_jacobian", student_fn, f, example_args, wrt, trials, sample, seed,
                    name, rtol, atol,
                    reference=lambda args, _: (f(*args), _jacobian(f, wrt)(*args)),
                    call=lambda fn, args, _: fn(*args))


def check_vjp(student_vjp, f, *example_args, wrt=0, trials=3, sample=None, seed=0, name=None,
              with_ans=False, rtol=1e-6, atol=1e-9):
    """Check a vector-Jacobian product written by hand.

    ``student_vjp(G, *args)`` receives the upstream gradient ``G`` (an array of the shape of
    ``f(*args)``, fresh random numbers each trial) and the arguments of f, and must return the
    gradient of ⟨G, f(*args)⟩ with respect to ``args[wrt]``, with the shape of ``args[wrt]``.
    For ``C = A @ B``:

    >>> check_vjp(lambda G, A, B: G @ B.T, lambda A, B: A @ B, np.ones((3, 4)), np.ones((4, 2)))
    >>> check_vjp(lambda G, A, B: A.T @ G, lambda A, B: A @ B, np.ones((3, 4)), np.ones((4, 2)),
    ...           wrt=1)

    With ``with_ans=True`` the signature is the engine's, ``student_vjp(G, ans, *args)``
    where ``ans = f(*args)`` (as in ``am.defvjp``).  Inputs, ``sample``, ``seed``, ``name``: as
    in ``check_gradient``.  A gradient left in G's broadcast shape is named ("sum over axis 0").
    """
    wrt = _position(f, wrt, "check_vjp")

    def setup(args, rng):
        return np.asarray(rng.standard_normal(np.shape(_value(f(*args)))))

    def reference(args, g):
        value, pullback = vjp(lambda x: f(*args[:wrt], x, *args[wrt + 1:]), args[wrt])
        return value, pullback(g)

    def call(fn, args, g):
        if with_ans:
            return fn(g.copy(), _value(f(*args)), *args)
        return fn(g.copy(), *args)

    _check_function("check_vjp", student_vjp, f, example_args, wrt, trials, sample, seed, name,
                    rtol, atol, reference=reference, call=call, setup=setup)


def check_value(student_value, reference, name, sizes=None, rtol=1e-6, atol=1e-9):
    """Check a numeric answer (a number or an array) against ``reference``, computed by the test
    cell (with autodiff, never a literal the learner could copy).  ``name`` is what the message
    calls the answer ("dW").  ``sizes={"N": X.shape[0]}`` lets a factor N or 1/N be named.
    The diagnoses that need no function apply: shape, transpose, keepdims, axis not summed,
    factor, sign, NaN, integer array, no answer (None).  A Tensor is accepted.

    >>> check_value(dW, am.grad(loss)(W, X, y), "dW", sizes={"N": len(X)})
    """
    with _quiet():
        expected = np.asarray(reference.data if isinstance(reference, Tensor) else reference,
                              dtype=np.float64)
        answer = _to_array(student_value, name, f"{name} is")
        if answer.shape == expected.shape and _close(answer.astype(np.float64), expected,
                                                     rtol, atol):
            return
        named = [(int(n), sym, f"{sym} = {int(n)}") for sym, n in (sizes or {}).items()
                 if int(n) > 2]
        case = _Case(name, expected, f"shape {expected.shape}", answer.dtype, rtol, atol, named)
        _fail(*_diagnose(answer, case))


def _position(f, wrt, kind):
    """``wrt`` as a position: it may be given as the name of one of f's parameters."""
    if isinstance(wrt, str):
        names = _param_names(f)
        if wrt not in names:
            raise ValueError(f"{kind}: wrt={wrt!r} is not a parameter of f {tuple(names)}")
        return names.index(wrt)
    return int(wrt)
