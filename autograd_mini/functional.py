"""Function transformations on top of the backward pass: grad, value_and_grad, gradients,
vjp, jacobian, hessian.

They return fresh ndarrays and never touch ``.grad``.  Given Tensors that are themselves
being differentiated (inside another ``grad``), they record the backward pass as a graph
and return Tensors instead: that is how ``hessian`` and grad-of-grad work.
"""
import numpy as np

from .core import Tensor, backward_pass, _as_array
from . import ops


def _as_tuple(argnums):
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


_depth = [0]   # how many transformations are evaluating their function right now


def _nested(x):
    """True when x is being differentiated by an outer transformation (grad inside grad):
    then the backward pass is recorded so the outer one can differentiate it again.
    At top level a Variable is just a value: the result is a plain ndarray."""
    return _depth[0] > 0 and isinstance(x, Tensor) and x.requires_grad


def _trace(f, args, kwargs=None):
    """Evaluate f with the nesting depth raised, so inner transformations see our leaves."""
    _depth[0] += 1
    try:
        return f(*args, **(kwargs or {}))
    finally:
        _depth[0] -= 1


def _leaf(x):
    """A fresh tensor to differentiate with respect to, or x itself when an outer trace owns it."""
    if _nested(x):
        return x
    return Tensor(x.data if isinstance(x, Tensor) else x, requires_grad=True)


def _cotangent(y, g, create_graph):
    """The upstream gradient, as a Tensor when the backward pass must itself be recorded."""
    return g if not create_graph or isinstance(g, Tensor) else Tensor(g)


def _result(grads, x, create_graph):
    """The gradient that reached x (zeros if none did): a Tensor when nested, else an ndarray
    of x's dtype that the caller owns."""
    g = grads[id(x)][1] if id(x) in grads else np.zeros_like(x.data)
    if create_graph:
        return g if isinstance(g, Tensor) else Tensor(g)
    g = g.data if isinstance(g, Tensor) else g
    if not isinstance(g, np.ndarray) or not g.flags.writeable:   # a scalar or a broadcast view
        g = np.array(g, dtype=x.data.dtype)
    return g


def _pullback(ys, seeds, xs, create_graph=False):
    """Gradients of sum_i <seeds_i, ys_i> with respect to each x in xs."""
    grads = backward_pass(ys, [_cotangent(y, s, create_graph) for y, s in zip(ys, seeds)],
                          create_graph=create_graph, keep={id(x) for x in xs})
    return [_result(grads, x, create_graph) for x in xs]


_UNTRACKED = ("{who}: {what} is a plain {kind}, not a Tensor computed from {whom}: somewhere the "
              "computation left autograd_mini (through .data, float(...) or a NumPy function such "
              "as np.exp); use the am functions and operators all the way")


def _scalar_output(y, who):
    if not isinstance(y, Tensor):
        raise TypeError(_UNTRACKED.format(who=who, what="the function's result",
                                          kind=type(y).__name__, whom="its argument"))
    if y.data.size != 1:
        raise ValueError(f"{who}: the function must return a scalar, but it returned shape "
                         f"{y.shape}; reduce it (e.g. with am.sum or am.mean), or use am.jacobian")
    return y


def value_and_grad(f, argnums=0):
    """``value_and_grad(f)(*args) -> (f(*args), ∂f/∂args[argnums])`` for a scalar-valued f.

    The gradient has the shape of its argument.  With a tuple of argnums, a tuple of gradients.
    """
    nums = _as_tuple(argnums)

    def value_and_grad_f(*args, **kwargs):
        args = list(args)
        nested = any(_nested(args[i]) for i in nums)
        xs = [_leaf(args[i]) for i in nums]
        for i, x in zip(nums, xs):
            args[i] = x
        y = _scalar_output(_trace(f, args, kwargs), "grad")
        gs = _pullback([y], [np.ones_like(y.data)], xs, create_graph=nested)
        value = y if nested else y.data
        return value, (gs[0] if isinstance(argnums, int) else tuple(gs))
    value_and_grad_f.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    return value_and_grad_f


def grad(f, argnums=0):
    """``grad(f)(*args)``: the gradient of scalar f with respect to ``args[argnums]``,
    laid out like the argument (∂f/∂X_ij at [i, j])."""
    vg = value_and_grad(f, argnums)

    def grad_f(*args, **kwargs):
        return vg(*args, **kwargs)[1]
    grad_f.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    return grad_f


def gradients(ys, xs):
    """``tf.gradients`` for eager tensors: the list of d(sum of ys)/dx for each x in xs.

    ``ys`` is a Tensor or a list of them (non-scalar ys are summed); ``xs`` a list of the
    tensors they were computed from.  Returns ndarrays; ``.grad`` is left untouched.
    An x that ys does not depend on gets zeros.
    """
    ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    single = isinstance(xs, Tensor)
    xs = [xs] if single else list(xs)
    for x in xs:
        if not isinstance(x, Tensor):
            raise TypeError(f"gradients: xs must be Tensors (e.g. am.Variable), got "
                            f"{type(x).__name__}")
    for y in ys:
        if not isinstance(y, Tensor):
            raise TypeError(_UNTRACKED.format(who="gradients", what="ys", kind=type(y).__name__,
                                              whom="xs"))
    return _pullback(ys, [np.ones_like(y.data) for y in ys], xs,
                     create_graph=any(_nested(x) for x in xs))


def vjp(f, *args):
    """``value, vjp_fn = vjp(f, *args)``; ``vjp_fn(g)`` returns gᵀJ: the gradient of
    <g, f(*args)> with respect to each argument (one array, or a tuple for several args)."""
    nested = any(_nested(a) for a in args)
    xs = [_leaf(a) for a in args]
    y = _trace(f, xs)
    if not isinstance(y, Tensor):
        y = Tensor(y)

    def vjp_fn(g):
        g = g if isinstance(g, Tensor) else _as_array(g, "vjp")
        if g.shape != y.shape:
            raise ValueError(f"vjp: the cotangent has shape {g.shape} but f returned shape "
                             f"{y.shape}; they must match")
        # recorded when x is being differentiated, or the cotangent is (the JVP-by-two-VJPs trick)
        gs = _pullback([y], [g], xs, create_graph=nested or _nested(g))
        return gs[0] if len(gs) == 1 else tuple(gs)
    value = y if nested else y.data
    return value, vjp_fn


def jacobian(f, argnums=0):
    """``jacobian(f)(*args)`` with shape ``f(...).shape + args[argnums].shape`` (numerator
    layout, like JAX's jacrev): one VJP per output element."""
    def jacobian_f(*args):
        args = list(args)
        x = args[argnums]
        value, pullback = vjp(lambda x_: f(*args[:argnums], x_, *args[argnums + 1:]), x)
        out_shape = np.shape(value.data if isinstance(value, Tensor) else value)
        n_out = int(np.prod(out_shape))
        rows = []
        for k in range(n_out):
            e = np.zeros(n_out)
            e[k] = 1.0
            rows.append(pullback(e.reshape(out_shape)))
        x_shape = np.shape(x.data if isinstance(x, Tensor) else x)
        if rows and isinstance(rows[0], Tensor):
            flat = [ops.reshape(r, (1,) + x_shape) for r in rows]
            return ops.reshape(_concatenate(flat), out_shape + x_shape)
        return np.stack(rows).reshape(out_shape + x_shape) if rows else np.zeros(out_shape + x_shape)
    jacobian_f.__name__ = f"jacobian({getattr(f, '__name__', 'f')})"
    return jacobian_f


def _concatenate(parts):
    """Stack rows recorded as Tensors (nested jacobians) by summing zero-padded copies."""
    n = len(parts)
    total = None
    for k, p in enumerate(parts):
        shape = (n,) + p.shape[1:]
        padded = ops.untake(p, (slice(k, k + 1),), shape)
        total = padded if total is None else total + padded
    return total


def hessian(f, argnums=0):
    """``hessian(f)(*args)``: the Jacobian of the gradient, shape ``x.shape + x.shape``."""
    return jacobian(grad(f, argnums), argnums)
