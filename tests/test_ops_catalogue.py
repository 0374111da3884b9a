"""Every primitive, gradient-checked over scalar / vector / matrix / (1,n) / (n,1) / batched shapes.

The catalogue must name every primitive the package defines: a new primitive without an
entry here fails ``test_catalogue_covers_every_primitive``.
"""
import itertools
import zlib

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini.core import PRIMITIVES
from autograd_mini.testing import check_grads

SHAPES = [(), (3,), (2, 3), (1, 3), (2, 1), (4, 2, 3)]


def broadcastable(a, b):
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


def pairs():
    return [(a, b) for a, b in itertools.product(SHAPES, SHAPES) if broadcastable(a, b)]


# name -> (function of the arguments, sampler: rng, shape(s) -> argument tuple, cases)
def _normal(rng, *shapes):
    return tuple(rng.standard_normal(s) for s in shapes)


def _positive(rng, *shapes):
    return tuple(rng.uniform(0.5, 2.0, s) for s in shapes)


def _away_from_zero(rng, *shapes):
    return tuple(rng.choice([-1.0, 1.0], s) * rng.uniform(0.3, 2.0, s) for s in shapes)


def _invertible(rng, shape):
    n = shape[-1]
    return (rng.standard_normal(shape) + 3.0 * np.eye(n),)


def _spd_and_rhs(rng, a_shape, b_shape):
    a = rng.standard_normal(a_shape) + 3.0 * np.eye(a_shape[-1])
    return (a, rng.standard_normal(b_shape))


BINARY = pairs()
UNARY = [(s,) for s in SHAPES]
REDUCTION_CASES = [((s,), {"axis": ax, "keepdims": kd}) for s in SHAPES for ax in
                   ([None] + list(range(len(s))) + ([(0, -1)] if len(s) > 1 else []))
                   for kd in (False, True)]

CATALOGUE = {
    # elementwise binary, every broadcastable pair of shapes
    "add":          (am.add, _normal, BINARY),
    "subtract":     (am.subtract, _normal, BINARY),
    "multiply":     (am.multiply, _normal, BINARY),
    "divide":       (am.divide, _away_from_zero, BINARY),
    "power":        (am.power, _positive, BINARY),
    "maximum":      (am.maximum, _normal, BINARY),
    "where":        (lambda x, y: am.where(np.arange(np.size(x)).reshape(np.shape(x)) % 2 == 0, x, y),
                     _normal, BINARY),
    # elementwise unary
    "negative":     (am.negative, _normal, UNARY),
    "square":       (am.square, _normal, UNARY),
    "sqrt":         (am.sqrt, _positive, UNARY),
    "exp":          (am.exp, _normal, UNARY),
    "log":          (am.log, _positive, UNARY),
    "tanh":         (am.tanh, _normal, UNARY),
    "sigmoid":      (am.sigmoid, _normal, UNARY),
    "relu":         (am.relu, _away_from_zero, UNARY),
    "abs":          (am.abs, _away_from_zero, UNARY),
    "sin":          (am.sin, _normal, UNARY),
    "cos":          (am.cos, _normal, UNARY),
    # reductions, every axis, with and without keepdims
    "sum":          (am.sum, _normal, REDUCTION_CASES),
    "mean":         (am.mean, _normal, REDUCTION_CASES),
    "max":          (am.max, _normal, REDUCTION_CASES),
    "logsumexp":    (am.logsumexp, _normal, REDUCTION_CASES),
    # shapes
    "reshape":      (lambda x: am.reshape(x, (-1,)), _normal, UNARY),
    "transpose":    (am.transpose, _normal, UNARY + [(((4, 2, 3),), {"axes": (1, 2, 0)})]),
    "broadcast_to": (lambda x: am.broadcast_to(x, (5,) + np.shape(x)), _normal, UNARY),
    "getitem":      (lambda x: am.ops.getitem(x, (Ellipsis, [0, 0, 1])),    # a repeated index
                     _normal, [((3,),), ((2, 3),), ((4, 2, 3),)]),
    "untake":       (lambda g: am.ops.untake(g, ([0, 2, 0],), (4, 3)), _normal, [((3, 3),)]),
    # linear algebra: 1-D operands, matrices, (1,n), (n,1) and stacks
    "matmul":       (am.matmul, _normal, [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)),
                                          ((1, 3), (3, 1)), ((3, 1), (1, 3)), ((4, 2, 3), (3, 5)),
                                          ((2, 3), (4, 3, 5)), ((4, 2, 3), (4, 3, 5)), ((3,), (4, 3, 2)),
                                          ((4, 2, 3), (3,)), ((4, 1, 2, 3), (5, 3, 2))]),
    "trace":        (am.trace, _normal, [((3, 3),), ((1, 1),)]),
    "inv":          (am.inv, _invertible, [((3, 3),), ((1, 1),), ((4, 3, 3),)]),
    "det":          (am.det, _invertible, [((3, 3),), ((1, 1),), ((4, 3, 3),)]),
    "logabsdet":    (am.logabsdet, _invertible, [((3, 3),), ((1, 1),), ((4, 3, 3),)]),
    "solve":        (am.solve, _spd_and_rhs, [((3, 3), (3,)), ((3, 3), (3, 2)), ((3, 3), (3, 1))]),
    # softmax family and losses
    "softmax":      (am.softmax, _normal, [((3,),), ((2, 3),), ((1, 3),), ((4, 2, 3),),
                                           (((2, 3),), {"axis": 0})]),
    "log_softmax":  (am.log_softmax, _normal, [((3,),), ((2, 3),), ((1, 3),), ((4, 2, 3),),
                                               (((2, 3),), {"axis": 0})]),
    "cross_entropy": (lambda z: am.cross_entropy(z, np.arange(np.shape(z)[0]) % np.shape(z)[1]),
                      _normal, [((4, 3),), ((1, 3),), ((5, 1),)]),
}


def cases():
    for name, (fun, sampler, shape_cases) in CATALOGUE.items():
        for case in shape_cases:
            shapes, kwargs = case if isinstance(case[-1], dict) else (case, {})
            yield pytest.param(name, fun, sampler, shapes, kwargs,
                               id=f"{name}-{'-'.join(map(str, shapes))}-{kwargs or ''}")


def test_catalogue_covers_every_primitive():
    missing = set(PRIMITIVES) - set(CATALOGUE)
    assert not missing, f"primitives without a gradient check: {sorted(missing)}"
    assert set(CATALOGUE) <= set(PRIMITIVES)


@pytest.mark.parametrize("name, fun, sampler, shapes, kwargs", list(cases()))
def test_gradient_matches_central_differences(name, fun, sampler, shapes, kwargs):
    rng = np.random.default_rng(zlib.crc32(f"{name}{shapes}{kwargs}".encode()))
    args = sampler(rng, *shapes)
    check_grads(lambda *a: fun(*a, **kwargs), *args)


@pytest.mark.parametrize("name, fun, sampler, shapes, kwargs", list(cases()))
def test_plain_arrays_and_tensors_give_the_same_values(name, fun, sampler, shapes, kwargs):
    rng = np.random.default_rng(1)
    args = sampler(rng, *shapes)
    plain = fun(*args, **kwargs)
    traced = fun(*[am.Variable(a) for a in args], **kwargs)
    assert isinstance(traced, am.Tensor) and not isinstance(plain, am.Tensor)
    np.testing.assert_allclose(traced.data, plain)


@pytest.mark.parametrize("name, fun, sampler, shapes, kwargs",
                         [p for p in cases() if p.values[0] in
                          ("multiply", "tanh", "exp", "matmul", "logsumexp", "inv", "softmax", "power")])
def test_second_derivatives_match_central_differences(name, fun, sampler, shapes, kwargs):
    """VJP rules are built from primitives, so differentiating them again is exact too."""
    rng = np.random.default_rng(2)
    args = sampler(rng, *shapes)
    u = rng.standard_normal(np.shape(fun(*args, **kwargs)))

    def directional_grad(*a):   # x -> ∂<u, f(x, ...)>/∂x, itself differentiated below
        return am.grad(lambda *b: am.sum(u * fun(*b, **kwargs)))(*a)
    check_grads(directional_grad, *args, rtol=1e-4)
