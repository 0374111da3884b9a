"""The backward pass: accumulation, reuse, deep graphs, memory, errors in the learner's language."""
import gc
import sys

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini.core import primitive, defvjp


def test_value_used_several_times_gets_the_sum_of_its_contributions():
    a = am.Variable(3.0)
    b = a + a
    c = b + b                          # c = 4a
    c.backward()
    assert a.grad == 4.0
    x = am.Variable(2.0)
    y = x * x * x                      # 3x² = 12
    y.backward()
    assert x.grad == 12.0


def test_grad_accumulates_and_repeated_backward_after_zeroing_is_identical():
    rng = np.random.default_rng(0)
    W = am.Variable(rng.standard_normal((4, 3)))
    X = rng.standard_normal((5, 4))
    loss = am.mean(am.tanh(X @ W) ** 2)
    loss.backward()
    first = W.grad.copy()
    loss.backward()
    np.testing.assert_allclose(W.grad, 2 * first)      # += like PyTorch
    W.zero_grad()
    loss.backward()
    np.testing.assert_array_equal(W.grad, first)


def test_intermediate_tensors_receive_their_gradient_too():
    x = am.Variable([1.0, 2.0])
    h = x * 3.0
    y = am.sum(h ** 2)
    y.backward()
    np.testing.assert_allclose(h.grad, 2 * h.data)
    np.testing.assert_allclose(x.grad, 3 * 2 * h.data)


def test_chain_of_100000_ops_does_not_hit_the_recursion_limit():
    x = am.Variable(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.00001 + 0.0
    assert sys.getrecursionlimit() < 100_000
    y.backward()
    np.testing.assert_allclose(x.grad, 1.00001 ** 100_000)
    np.testing.assert_allclose(am.grad(lambda v: am.sum(v))(np.ones(2)), 1.0)


@pytest.mark.parametrize("seed", range(8))
def test_random_graphs_of_chains_and_branches_get_the_numerical_gradient(seed):
    """Chains (one parent, walked without the heap) that branch off and join again: every
    value still receives all of its contributions before it passes its gradient on."""
    rng = np.random.default_rng(seed)
    unary = [am.sin, am.tanh, lambda v: am.exp(0.3 * v), lambda v: v * 1.5 + 0.1]
    steps = [(rng.integers(5), rng.integers(1 << 30), rng.integers(1 << 30)) for _ in range(60)]

    def f(x):
        values = [x]
        for kind, i, j in steps:
            a, b = values[i % len(values)], values[j % len(values)]
            values.append(unary[kind](a) if kind < 4 else a * b * 0.5 + b)
        return am.sum(values[-1]) + am.sum(values[len(values) // 2])

    x = rng.uniform(-0.5, 0.5, 3)
    np.testing.assert_allclose(am.grad(f)(x), am.testing.numerical_grad(f, x), rtol=1e-6, atol=1e-8)
    v = am.Variable(x)
    f(v).backward()
    np.testing.assert_allclose(v.grad, am.grad(f)(x))


def test_constants_and_no_grad_record_nothing():
    x = am.Tensor([1.0, 2.0])
    y = x * 2
    assert not y.requires_grad and y.is_leaf
    w = am.Variable([1.0])
    with am.no_grad():
        z = w * 2
    assert not z.requires_grad and z.is_leaf
    assert am.is_grad_enabled()


def test_plain_arrays_in_give_plain_arrays_out():
    out = am.tanh(np.array([0.0, 1.0]))
    assert type(out) is np.ndarray
    out = am.matmul([[1, 2]], [[3], [4]])
    assert type(out) is np.ndarray and out[0, 0] == 11


def test_dtype_is_float64_for_ints_and_kept_for_floats():
    assert am.Tensor([1, 2]).dtype == np.float64
    assert am.Tensor([True]).dtype == np.float64
    assert am.Tensor(np.ones(2, np.float32)).dtype == np.float32


def test_reflected_operators_with_numbers_and_arrays():
    x = am.Variable([1.0, 2.0])
    a = np.array([3.0, 4.0])
    for expr, expected in [(lambda: 1 + x, [1, 1]), (lambda: 1 - x, [-1, -1]), (lambda: 2 * x, [2, 2]),
                           (lambda: 2 / x, -2 / x.data ** 2), (lambda: 2 ** x, np.log(2) * 2 ** x.data),
                           (lambda: a + x, [1, 1]), (lambda: a * x, a), (lambda: a - x, [-1, -1]),
                           (lambda: a / x, -a / x.data ** 2), (lambda: a @ x, a), (lambda: -x, [-1, -1]),
                           (lambda: x ** 2, 2 * x.data), (lambda: abs(-x), [1, 1])]:
        x.zero_grad()
        y = expr()
        assert isinstance(y, am.Tensor)
        am.sum(y).backward()
        np.testing.assert_allclose(x.grad, expected)


def test_indexing_and_repeated_indices_accumulate():
    x = am.Variable(np.arange(6.0).reshape(2, 3))
    y = x[0] .sum() + x[:, 1].sum() + x[[1, 1, 1], [2, 2, 0]].sum() + x[1, -1] + x[x.data > 4].sum()
    y.backward()
    np.testing.assert_allclose(x.grad, [[1, 2, 1], [1, 1, 4]])
    idx = am.Tensor([0, 0])
    assert x[idx].shape == (2, 3)


def test_methods_mirror_the_functions():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 3))
    x = am.Tensor(a)
    np.testing.assert_allclose(x.T.data, a.T)
    np.testing.assert_allclose(x.sum(axis=0).data, a.sum(0))
    np.testing.assert_allclose(x.mean(axis=1, keepdims=True).data, a.mean(1, keepdims=True))
    np.testing.assert_allclose(x.max().data, a.max())
    np.testing.assert_allclose(x.reshape(3, 2).data, a.reshape(3, 2))
    np.testing.assert_allclose(x.reshape((6,)).data, a.ravel())
    np.testing.assert_allclose(x.transpose(1, 0).data, a.T)
    np.testing.assert_allclose(x.relu().data, np.maximum(a, 0))
    np.testing.assert_allclose(x.sigmoid().data, 1 / (1 + np.exp(-a)))
    np.testing.assert_allclose(x.tanh().data, np.tanh(a))
    np.testing.assert_allclose(abs(x).exp().log().data, np.abs(a))
    assert x.shape == (2, 3) and x.ndim == 2 and len(x) == 2 and x.size == 6
    assert "Tensor(" in repr(x) and "op=add" in repr(am.Variable(1.0) + 1)


def test_stable_softmax_family_at_extreme_logits():
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0], [1000.0, 999.0, 0.0]])
    for f in (am.softmax, am.log_softmax, lambda v: am.logsumexp(v, axis=1),
              lambda v: am.cross_entropy(v, [0, 2, 1])):
        value, g = am.value_and_grad(lambda v: am.sum(f(v) ** 2))(z)
        assert np.any(g != 0)
        assert np.all(np.isfinite(value)) and np.all(np.isfinite(g))
    np.testing.assert_allclose(am.logsumexp(np.array([1000.0, 1000.0])), 1000 + np.log(2))
    np.testing.assert_allclose(am.cross_entropy(z[:2], [0, 2]), np.log(3) / 2)


def test_cross_entropy_gradient_is_p_minus_y_over_n():
    rng = np.random.default_rng(3)
    z = rng.standard_normal((5, 4))
    y = np.array([0, 3, 1, 1, 2])
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    np.testing.assert_allclose(am.grad(am.cross_entropy)(z, y), (p - np.eye(4)[y]) / 5)
    np.testing.assert_allclose(am.cross_entropy(z, y), -np.mean(np.log(p[np.arange(5), y])))


def test_a_training_step_leaves_no_reference_cycles():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((32, 2)), rng.integers(0, 3, 32)
    net = am.nn.MLP([2, 8, 3], "relu", rng=0)
    opt = am.optim.Adam(net.parameters(), lr=0.01)
    gc.collect()
    gc.disable()
    try:
        for _ in range(5):
            opt.zero_grad()
            loss = am.cross_entropy(net(X), y)
            loss.backward()
            opt.step()
            am.grad(lambda W: am.sum(am.tanh(X @ W) ** 2))(np.ones((2, 2)))
            am.hessian(lambda v: am.sum(v ** 3))(np.ones(2))
        del loss
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_engine_rejects_a_vjp_that_returns_the_wrong_shape():
    bad = primitive(lambda x: x * 2.0, "doubled_badly")
    defvjp(bad, lambda g, ans, x: np.ones(7))
    try:
        x = am.Variable(np.ones(3))
        with pytest.raises(RuntimeError, match=r"^backward: the VJP of doubled_badly returned a "
                                               r"gradient of shape \(7,\) for an input of shape \(3,\)"):
            am.sum(bad(x)).backward()
    finally:
        del am.core.PRIMITIVES["doubled_badly"]


@pytest.mark.parametrize("make_error, kind, message", [
    (lambda: am.Variable(np.ones((3, 4))) @ np.ones((3, 4)), ValueError,
     r"^matmul: shapes \(3, 4\) and \(3, 4\) do not align.*did you mean X @ W\.T\?$"),
    (lambda: am.matmul(np.ones((4, 3)), np.ones((4, 2))), ValueError, r"did you mean X\.T @ W\?"),
    (lambda: am.Variable(np.ones((3, 4))) + np.ones(5), ValueError,
     r"^add: shapes \(3, 4\) and \(5,\) cannot be broadcast together"),
    (lambda: am.Tensor([1 + 2j]), TypeError, r"^Tensor: expected real numbers, got complex"),
    (lambda: am.Tensor(["1.5", "2"]), TypeError, r"^Tensor: expected numbers, got text"),
    (lambda: am.Tensor([[1, 2], [3]]), ValueError, r"^Tensor: could not make an array .* same length"),
    (lambda: am.cross_entropy(np.zeros((2, 3)), [0, 3]), ValueError,
     r"^cross_entropy: label 3 is out of range for 3 classes"),
    (lambda: am.cross_entropy(np.zeros((2, 3)), [0]), ValueError, r"one integer label per row"),
    (lambda: am.Variable(np.ones(3)).backward(), ValueError, r"^backward: the output has shape \(3,\)"),
    (lambda: am.inv(np.zeros((2, 2))), np.linalg.LinAlgError, r"^inv: the matrix is singular"),
    (lambda: am.det(np.ones((2, 3))), ValueError, r"^det: needs a square matrix"),
    (lambda: am.grad(lambda x: x * 2)(np.ones(3)), ValueError, r"^grad: the function must return a scalar"),
    (lambda: am.reshape(am.Variable(np.ones(6)), (4, 2)), ValueError, r"^reshape: "),
    (lambda: am.Variable(np.ones(3)).__setitem__(0, 1.0), TypeError, r"does not support item assignment"),
])
def test_bad_input_gets_one_line_in_the_learners_language(make_error, kind, message):
    with pytest.raises(kind, match=message) as info:
        make_error()
    assert "\n" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__ in (True, False)
    assert info.value.__context__ is None or info.value.__suppress_context__


def test_backward_through_a_released_graph_says_so():
    x = am.Variable([1.0, 2.0])
    y = am.sum(am.exp(x))
    y.backward(retain_graph=False)
    with pytest.raises(RuntimeError, match=r"^backward: this graph was released"):
        y.backward()


def test_backward_with_an_upstream_gradient():
    x = am.Variable(np.ones((2, 3)))
    y = x * 2.0
    y.backward(np.full((2, 3), 0.5))
    np.testing.assert_allclose(x.grad, 1.0)
    with pytest.raises(ValueError, match="upstream gradient has shape"):
        y.backward(np.ones(3))


def test_leaving_autograd_mini_is_named_not_silently_zero():
    W = am.Variable(np.ones((3, 1)))
    X = np.arange(6.0).reshape(2, 3)
    with pytest.raises(TypeError, match=r"^gradients: ys is a plain float64, not a Tensor .*\.data"):
        am.gradients(np.mean((X @ W.data) ** 2), [W])
    with pytest.raises(TypeError, match=r"^grad: the function's result is a plain float"):
        am.grad(lambda w: float(am.sum(w)))(np.ones(2))


def test_numpy_reductions_on_a_tensor_record_the_graph():
    W = am.Variable([1.0, 2.0, 4.0])
    for reduce, expected in [(np.sum, [2, 4, 8]), (np.mean, np.array([2, 4, 8]) / 3),
                             (np.max, [0, 0, 8])]:
        W.zero_grad()
        out = reduce(W ** 2)
        assert isinstance(out, am.Tensor)
        out.backward()
        np.testing.assert_allclose(W.grad, expected)
    with pytest.raises(TypeError, match="dtype= and out= are not supported"):
        np.sum(W, dtype=np.float32)
