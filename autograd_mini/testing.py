"""Checking gradients: numerical differentiation and the dot-product test for VJPs.

``numerical_grad``   central differences, the reference every formula in the course meets.
``check_grads``      compares autodiff with central differences along random directions.
"""
import numpy as np

from .core import Tensor, _as_array
from .functional import vjp


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
