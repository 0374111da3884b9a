"""Every primitive: its forward (numpy) and its VJPs side by side.

Each VJP has the signature ``vjp(g, ans, *args, **kwargs)``: ``g`` is the gradient of the
final scalar with respect to this op's output ``ans``; the VJP returns the gradient with
respect to one argument.  A gradient may keep the output's (broadcast) shape: the engine
sums it back to the argument's shape in one place (``core.unbroadcast``).

The rules use only primitives and operators, so they also work on Tensors and can be
differentiated again.
"""
import math

import numpy as np

from .core import Tensor, primitive, defvjp, unbroadcast

# Python's builtins, before this module shadows them with primitives of the same name
_builtin_sum, _builtin_max, _builtin_abs = sum, max, abs


def _shape_of(x):
    if type(x) is np.ndarray:       # the backward pass on plain arrays
        return x.shape
    return np.shape(x.data if isinstance(x, Tensor) else x)


def _broadcast_error(error, x, y, *rest):
    sx, sy = np.shape(x), np.shape(y)
    try:
        np.broadcast_shapes(sx, sy)
    except ValueError:
        return (f"shapes {sx} and {sy} cannot be broadcast together (numpy matches shapes "
                "from the right; each pair of sizes must be equal or 1)")
    return None


# ---------------------------------------------------------------- binary elementwise
# Broadcasting: the VJP returns the output-shaped gradient, the engine unbroadcasts it.

add      = primitive(np.add, "add", _broadcast_error)
subtract = primitive(np.subtract, "subtract", _broadcast_error)
multiply = primitive(np.multiply, "multiply", _broadcast_error)
divide   = primitive(np.divide, "divide", _broadcast_error)
power    = primitive(np.power, "power", _broadcast_error)
maximum  = primitive(np.maximum, "maximum", _broadcast_error)

defvjp(add,      lambda g, ans, x, y: g,                       # d(x+y) = dx + dy
                 lambda g, ans, x, y: g)
defvjp(subtract, lambda g, ans, x, y: g,                       # d(x-y) = dx - dy
                 lambda g, ans, x, y: -g)
defvjp(multiply, lambda g, ans, x, y: g * y,                   # d(xy) = y dx + x dy
                 lambda g, ans, x, y: g * x)
defvjp(divide,   lambda g, ans, x, y: g / y,                   # d(x/y) = dx/y - x dy/y²
                 lambda g, ans, x, y: -g * ans / y)
defvjp(power,    lambda g, ans, x, y: g * y * _pow_minus_one(x, y),    # d(x^y) = y x^(y-1) dx + log(x) x^y dy
                 lambda g, ans, x, y: g * ans * log(where(x > 0, x, 1.0)))
defvjp(maximum,  lambda g, ans, x, y: g * (_raw(x) >= _raw(y)),  # the gradient goes to the larger
                 lambda g, ans, x, y: g * (_raw(x) < _raw(y)))


def _pow_minus_one(x, y):
    """x ** (y - 1); for the ubiquitous ** 2 that is x itself (numpy has no fast x ** 1)."""
    return x if type(y) in (int, float) and y == 2 else x ** (y - 1)


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def where(condition, x, y):
    """``np.where`` that lets gradients through to x and y (the condition is a constant)."""
    return _where(_raw(condition), x, y)


_where = primitive(np.where, "where")
defvjp(_where, None,
       lambda g, ans, c, x, y: g * c,
       lambda g, ans, c, x, y: g * ~c)


# ---------------------------------------------------------------- unary elementwise

negative = primitive(np.negative)
square   = primitive(np.square)
sqrt     = primitive(np.sqrt)
exp      = primitive(np.exp)
log      = primitive(np.log)
tanh     = primitive(np.tanh)
abs      = primitive(np.abs, "abs")
sin      = primitive(np.sin)
cos      = primitive(np.cos)


def _sigmoid(x):
    """σ(x) = 1 / (1 + e^(−x)), computed without overflow for large |x|."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _relu(x):
    return np.maximum(x, 0.0)


sigmoid = primitive(_sigmoid, "sigmoid")
relu    = primitive(_relu, "relu")

defvjp(negative, lambda g, ans, x: -g)                         # d(-x) = -dx
defvjp(square,   lambda g, ans, x: g * 2.0 * x)                # d(x²) = 2x dx
defvjp(sqrt,     lambda g, ans, x: g * 0.5 / ans)              # d√x = dx / (2√x)
defvjp(exp,      lambda g, ans, x: g * ans)                    # d eˣ = eˣ dx
defvjp(log,      lambda g, ans, x: g / x)                      # d log x = dx / x
defvjp(tanh,     lambda g, ans, x: g * (1.0 - ans * ans))      # d tanh x = (1 - tanh²x) dx
defvjp(abs,      lambda g, ans, x: g * np.sign(_raw(x)))       # d|x| = sign(x) dx
defvjp(sin,      lambda g, ans, x: g * cos(x))                 # d sin x = cos x dx
defvjp(cos,      lambda g, ans, x: -g * sin(x))                # d cos x = -sin x dx
defvjp(sigmoid,  lambda g, ans, x: g * ans * (1.0 - ans))      # dσ = σ(1-σ) dx
defvjp(relu,     lambda g, ans, x: g * (_raw(x) > 0))          # d relu = 1[x>0] dx


# ---------------------------------------------------------------- reductions

def _sum(x, axis=None, keepdims=False):
    return np.add.reduce(x, axis=axis, keepdims=keepdims)        # np.sum minus ~1 µs of Python


def _mean(x, axis=None, keepdims=False):
    x = np.asarray(x)                                             # np.mean minus ~2 µs of Python
    return np.add.reduce(x, axis=axis, keepdims=keepdims) / _count(x.shape, axis)


def _max(x, axis=None, keepdims=False):
    return np.max(x, axis=axis, keepdims=keepdims)


sum  = primitive(_sum, "sum")
mean = primitive(_mean, "mean")
max  = primitive(_max, "max")


def _keepdims_shape(shape, axis):
    """The shape a reduction over ``axis`` has with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    axes = axis if isinstance(axis, tuple) else (axis,)
    axes = {a % len(shape) for a in axes}
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _count(shape, axis):
    if axis is None:
        return math.prod(shape)
    axes = axis if isinstance(axis, tuple) else (axis,)
    return math.prod(shape[a] for a in axes)


def _expand(g, x, axis):
    """Put back the reduced axes of ``g`` and broadcast it to the shape of ``x``."""
    shape = _shape_of(x)
    if not isinstance(g, Tensor):   # plain arrays or numpy scalars: numpy directly
        if axis is None:            # a scalar spread over x: np.full, not np.broadcast_to (~3 µs)
            return np.full(shape, g)
        return np.broadcast_to(np.reshape(g, _keepdims_shape(shape, axis)), shape)
    return broadcast_to(reshape(g, _keepdims_shape(shape, axis)), shape)


defvjp(sum,  lambda g, ans, x, axis=None, keepdims=False:      # d Σx = Σ dx
       _expand(g, x, axis))
defvjp(mean, lambda g, ans, x, axis=None, keepdims=False:      # d mean x = Σ dx / n
       _expand(g / _count(_shape_of(x), axis), x, axis))      # divide the small g
defvjp(max,  lambda g, ans, x, axis=None, keepdims=False:      # ties share the gradient
       _max_vjp(g, ans, x, axis))


def _max_vjp(g, ans, x, axis):
    shape = _shape_of(x)
    hit = _raw(x) == np.reshape(_raw(ans), _keepdims_shape(shape, axis))
    share = hit / np.sum(hit, axis=axis, keepdims=True)
    return _expand(g, x, axis) * share


# ---------------------------------------------------------------- shapes

def _reshape(x, shape):
    return np.reshape(x, shape)


def _transpose(x, axes=None):
    return np.transpose(x, axes)


reshape      = primitive(_reshape, "reshape")
transpose    = primitive(_transpose, "transpose")
broadcast_to = primitive(np.broadcast_to, "broadcast_to")
getitem      = primitive(lambda x, index: x[index], "getitem")

defvjp(reshape,      lambda g, ans, x, shape: reshape(g, _shape_of(x)))
defvjp(transpose,    lambda g, ans, x, axes=None:
       transpose(g, None if axes is None else tuple(np.argsort(axes))))
defvjp(broadcast_to, lambda g, ans, x, shape: unbroadcast(g, _shape_of(x)))
defvjp(getitem,      lambda g, ans, x, index: untake(g, index, _shape_of(x)))


def _untake(g, index, shape):
    """Scatter ``g`` into zeros of ``shape`` at ``index``; repeated indices add up."""
    out = np.zeros(shape, dtype=g.dtype)
    np.add.at(out, index, g)
    return out


untake = primitive(_untake, "untake")
defvjp(untake, lambda g, ans, gg, index, shape: getitem(g, index))


def _matrix_transpose(x):
    """Swap the last two axes (x.T for a matrix, each matrix of a stack otherwise)."""
    if type(x) is np.ndarray:       # plain array: a view, no primitive needed
        return x.swapaxes(-1, -2) if x.ndim >= 2 else x
    nd = len(_shape_of(x))
    if nd < 2:
        return x
    return transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


# ---------------------------------------------------------------- linear algebra

def _matmul_error(error, a, b):
    """Explain a failed matmul (built only after numpy has refused the shapes)."""
    a_shape, b_shape = np.shape(a), np.shape(b)
    if not a_shape or not b_shape:
        return (f"@ needs arrays with at least one axis, got shapes "
                f"{a_shape} and {b_shape}; for a scalar use *")
    k_a = a_shape[-1]
    k_b = b_shape[-2] if len(b_shape) > 1 else b_shape[0]
    if k_a != k_b:
        hint = ""
        if len(b_shape) > 1 and a_shape[-1] == b_shape[-1]:
            hint = "; did you mean X @ W.T?"
        elif len(a_shape) > 1 and len(b_shape) > 1 and a_shape[-2] == b_shape[-2]:
            hint = "; did you mean X.T @ W?"
        return (f"shapes {a_shape} and {b_shape} do not align: the last axis of "
                f"the left ({k_a}) must equal the {'first' if len(b_shape) == 1 else 'second-to-last'} "
                f"axis of the right ({k_b}){hint}")
    return None


matmul = primitive(np.matmul, "matmul", _matmul_error)


def _plain_matrices(g, a, b):
    """Plain ndarrays, both operands with at least two axes: the backward pass's usual matmul."""
    return (type(a) is np.ndarray and type(b) is np.ndarray and type(g) is np.ndarray
            and a.ndim >= 2 and b.ndim >= 2)


def _matmul_vjp_a(g, ans, a, b):
    # C = A B  =>  dA = G Bᵀ   (1-D operands are a row / a column)
    if _plain_matrices(g, a, b):
        return np.matmul(g, b.swapaxes(-1, -2))
    a_nd, b_nd = len(_shape_of(a)), len(_shape_of(b))
    if b_nd == 1:
        if a_nd == 1:
            return g * b                                         # dot product
        return reshape(g, _shape_of(g) + (1,)) * b               # outer(g, b), batched
    if a_nd == 1:
        return reshape(matmul(b, reshape(g, _shape_of(g) + (1,))), _shape_of(g)[:-1] + _shape_of(b)[-2:-1])
    return matmul(g, _matrix_transpose(b))


def _matmul_vjp_b(g, ans, a, b):
    # C = A B  =>  dB = Aᵀ G
    if _plain_matrices(g, a, b):
        return np.matmul(a.swapaxes(-1, -2), g)
    a_nd, b_nd = len(_shape_of(a)), len(_shape_of(b))
    if a_nd == 1:
        if b_nd == 1:
            return g * a
        gs = _shape_of(g)
        return reshape(a, (-1, 1)) * reshape(g, gs[:-1] + (1, gs[-1]))  # outer(a, g), batched
    if b_nd == 1:
        return reshape(matmul(_matrix_transpose(a), reshape(g, _shape_of(g) + (1,))),
                       _shape_of(g)[:-1] + _shape_of(a)[-1:])
    return matmul(_matrix_transpose(a), g)


defvjp(matmul, _matmul_vjp_a, _matmul_vjp_b)


def _square_check(name, x):
    s = np.shape(x)
    if len(s) < 2 or s[-1] != s[-2]:
        raise ValueError(f"{name}: needs a square matrix (or a stack of them), got shape {s}")


def _trace(x):
    if np.ndim(x) != 2:
        raise ValueError(f"trace: needs a matrix, got shape {np.shape(x)}")
    return np.trace(x)


def _inv(x):
    _square_check("inv", x)
    try:
        return np.linalg.inv(x)
    except np.linalg.LinAlgError:
        raise np.linalg.LinAlgError("inv: the matrix is singular (not invertible)") from None


def _det(x):
    _square_check("det", x)
    return np.linalg.det(x)


def _logabsdet(x):
    _square_check("logabsdet", x)
    return np.linalg.slogdet(x)[1]


def _solve(a, b):
    _square_check("solve", a)
    if np.shape(b)[0 if np.ndim(b) == 1 else -2] != np.shape(a)[-1]:
        raise ValueError(f"solve: A has shape {np.shape(a)} but b has shape {np.shape(b)}; "
                         "b needs as many rows as A")
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise np.linalg.LinAlgError("solve: the matrix is singular (not invertible)") from None


trace     = primitive(_trace, "trace")
inv       = primitive(_inv, "inv")
det       = primitive(_det, "det")
logabsdet = primitive(_logabsdet, "logabsdet")
solve     = primitive(_solve, "solve")


def _batch_scalar(g):
    """Append two axes so a (stack of) scalar(s) broadcasts against a (stack of) matrix."""
    return reshape(g, _shape_of(g) + (1, 1))


defvjp(trace,     lambda g, ans, x: g * np.eye(_shape_of(x)[0]))                # d tr X = tr dX
defvjp(inv,       lambda g, ans, x:                                              # d X⁻¹ = -X⁻¹ dX X⁻¹
       -matmul(_matrix_transpose(ans), matmul(g, _matrix_transpose(ans))))
defvjp(det,       lambda g, ans, x:                                              # d det X = det X tr(X⁻¹ dX)
       _batch_scalar(g * ans) * _matrix_transpose(inv(x)))
defvjp(logabsdet, lambda g, ans, x:                                              # d log|det X| = tr(X⁻¹ dX)
       _batch_scalar(g) * _matrix_transpose(inv(x)))


def _solve_vjp_a(g, ans, a, b):
    # x = A⁻¹b  =>  dA = -(A⁻ᵀ g) xᵀ
    gb = solve(_matrix_transpose(a), g)
    if len(_shape_of(ans)) == 1:
        return -reshape(gb, (-1, 1)) * reshape(ans, (1, -1))
    return -matmul(gb, _matrix_transpose(ans))


defvjp(solve, _solve_vjp_a,
       lambda g, ans, a, b: solve(_matrix_transpose(a), g))                      # db = A⁻ᵀ g


# ---------------------------------------------------------------- softmax family and losses

def _logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.reshape(out, np.sum(x, axis=axis).shape if axis is not None else ())


def _softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax(x, axis=-1):
    return x - _logsumexp(x, axis=axis, keepdims=True)


logsumexp   = primitive(_logsumexp, "logsumexp")
softmax     = primitive(_softmax, "softmax")
log_softmax = primitive(_log_softmax, "log_softmax")

defvjp(logsumexp,   lambda g, ans, x, axis=None, keepdims=False:     # d lse = softmax(x) · dx
       _expand(g, x, axis) * exp(x - _expand(ans, x, axis)))
defvjp(softmax,     lambda g, ans, x, axis=-1:                       # dp = p ⊙ (dx - <p, dx>)
       ans * (g - sum(g * ans, axis=axis, keepdims=True)))
defvjp(log_softmax, lambda g, ans, x, axis=-1:                       # d logp = dx - <p, dx>
       g - exp(ans) * sum(g, axis=axis, keepdims=True))


def _check_labels(logits, labels):
    if np.ndim(logits) != 2:
        raise ValueError(f"cross_entropy: logits must be a matrix (N samples, C classes), "
                         f"got shape {np.shape(logits)}")
    labels = np.asarray(labels)
    n, c = np.shape(logits)
    if labels.shape != (n,):
        raise ValueError(f"cross_entropy: need one integer label per row: {n} labels of shape "
                         f"({n},), got shape {labels.shape}")
    if labels.dtype.kind == "f":
        if not np.all(labels == np.round(labels)):
            raise ValueError("cross_entropy: labels must be whole numbers (class indices)")
        labels = labels.astype(np.int64)
    elif labels.dtype.kind not in "iub":
        raise TypeError(f"cross_entropy: labels must be integers, got dtype {labels.dtype}")
    bad = (labels < 0) | (labels >= c)
    if np.any(bad):
        raise ValueError(f"cross_entropy: label {labels[bad][0]} is out of range for {c} classes "
                         f"(labels must be integers 0..{c - 1})")
    return labels


def _cross_entropy(logits, labels):
    labels = _check_labels(logits, labels)
    z = logits - np.max(logits, axis=1, keepdims=True)        # stable: the largest logit is 0
    log_normaliser = np.log(np.sum(np.exp(z), axis=1))
    return np.mean(log_normaliser - z[np.arange(len(labels)), labels])


def one_hot(labels, num_classes):
    """Rows of the identity: one_hot([2, 0], 3) = [[0, 0, 1], [1, 0, 0]]."""
    labels = np.asarray(_raw(labels)).astype(np.int64)
    return np.eye(num_classes)[labels]


cross_entropy = primitive(_cross_entropy, "cross_entropy")
defvjp(cross_entropy,                                                 # ∂/∂Z mean CE = (P - Y) / N
       lambda g, ans, logits, labels:
       g * (softmax(logits, axis=1) - one_hot(labels, _shape_of(logits)[1])) / _shape_of(logits)[0],
       None)
