"""Closed-form matrix calculus (The Matrix Cookbook) through grad, jacobian and hessian;
broadcasting; higher order."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_mini as am

rng = np.random.default_rng(42)
n, m, p = 4, 3, 5
A, B, C = rng.standard_normal((m, n)), rng.standard_normal((p, m)), rng.standard_normal((n, n))
X = rng.standard_normal((n, p))
S = rng.standard_normal((n, n)) + n * np.eye(n)           # invertible, not symmetric
a, b, x = rng.standard_normal(n), rng.standard_normal(p), rng.standard_normal(n)
M = rng.standard_normal((m, n))
Xd, Wd, yd = rng.standard_normal((30, n)), rng.standard_normal((n, 1)), rng.standard_normal((30, 1))

# (name, f, point, closed-form gradient) — gradients in the layout of the argument
IDENTITIES = [
    ("aᵀx",             lambda x: a @ x,                          x, a),
    ("xᵀCx",            lambda x: x @ C @ x,                      x, (C + C.T) @ x),
    ("‖x‖²",            lambda x: am.sum(x * x),                  x, 2 * x),
    ("aᵀXb",            lambda X: a @ X @ b,                      X, np.outer(a, b)),
    ("tr(AXB)",         lambda X: am.trace(A @ X @ B),            X, A.T @ B.T),
    ("‖X‖²_F",          lambda X: am.sum(X ** 2),                 X, 2 * X),
    ("tr(XᵀCX)",        lambda X: am.trace(X.T @ C @ X),          X, (C + C.T) @ X),
    ("‖MX − B‖²_F",     lambda X: am.sum((M @ X - B.T) ** 2),     X, 2 * M.T @ (M @ X - B.T)),
    ("log|det S|",      am.logabsdet,                             S, np.linalg.inv(S).T),
    ("det S",           am.det,                                   S, np.linalg.det(S) * np.linalg.inv(S).T),
    ("aᵀS⁻¹a",          lambda S: a @ am.inv(S) @ a,
                        S, -np.linalg.inv(S).T @ np.outer(a, a) @ np.linalg.inv(S).T),
    ("tr(S⁻¹)",         lambda S: am.trace(am.inv(S)),            S, -np.linalg.matrix_power(np.linalg.inv(S), 2).T),
    ("aᵀ solve(S, a)",  lambda S: a @ am.solve(S, a),
                        S, -np.linalg.inv(S).T @ np.outer(a, a) @ np.linalg.inv(S).T),
    ("tr(XᵀX) via @",   lambda X: am.trace(X @ X.T),              X, 2 * X),
    ("MSE ∇_W",         lambda W: am.mean((Xd @ W - yd) ** 2),
                        Wd, 2 / len(Xd) * Xd.T @ (Xd @ Wd - yd)),
]


@pytest.mark.parametrize("name, f, point, expected", IDENTITIES, ids=[i[0] for i in IDENTITIES])
def test_gradient_identity(name, f, point, expected):
    np.testing.assert_allclose(am.grad(f)(point), expected, rtol=1e-9, atol=1e-9)


def test_there_are_at_least_twelve_identities():
    assert len(IDENTITIES) >= 12


JACOBIANS = [
    ("∂(Ax)/∂x = A",          lambda x: M @ x,              x, M),
    ("∂(x ⊙ x)/∂x = 2 diag x", lambda x: x * x,             x, np.diag(2 * x)),
    ("∂(Xa)/∂X",              lambda X: X.T @ a,            X, np.einsum("ij,k->jki", np.eye(p), a)),
    ("∂ softmax = diag p − ppᵀ", am.softmax,                x,
     np.diag(np.exp(x) / np.exp(x).sum()) - np.outer(np.exp(x), np.exp(x)) / np.exp(x).sum() ** 2),
    ("∂ X⁻¹ = −X⁻¹ ⊗ X⁻ᵀ",     am.inv,                       S,
     -np.einsum("ik,lj->ijkl", np.linalg.inv(S), np.linalg.inv(S))),
]


@pytest.mark.parametrize("name, f, point, expected", JACOBIANS, ids=[j[0] for j in JACOBIANS])
def test_jacobian_identity_in_numerator_layout(name, f, point, expected):
    J = am.jacobian(f)(point)
    out_shape = np.shape(f(point))
    assert J.shape == out_shape + np.shape(point)
    np.testing.assert_allclose(J, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(J, am.testing.numerical_jacobian(f, point), rtol=1e-5, atol=1e-7)


def test_hessian_of_quadratic_form_is_c_plus_c_transpose():
    H = am.hessian(lambda v: v @ C @ v)(x)
    np.testing.assert_allclose(H, C + C.T, atol=1e-12)


def test_hessian_of_the_logistic_loss():
    Xd = rng.standard_normal((20, 3))
    t = (rng.random(20) < 0.5).astype(float)
    w = rng.standard_normal(3)

    def loss(w):
        z = Xd @ w
        return am.sum(-t * am.log(am.sigmoid(z)) - (1 - t) * am.log(1 - am.sigmoid(z)))
    s = 1 / (1 + np.exp(-Xd @ w))
    np.testing.assert_allclose(am.grad(loss)(w), Xd.T @ (s - t), rtol=1e-9)
    np.testing.assert_allclose(am.hessian(loss)(w), Xd.T @ np.diag(s * (1 - s)) @ Xd, rtol=1e-9)


def test_hessian_has_shape_x_shape_twice_and_matches_finite_differences():
    f = lambda X: am.sum(am.tanh(X @ X.T))          # noqa: E731
    X0 = rng.standard_normal((2, 3))
    H = am.hessian(f)(X0)
    assert H.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(H, am.testing.numerical_jacobian(am.grad(f), X0), rtol=1e-5, atol=1e-7)


def test_grad_of_grad_to_third_order():
    f = lambda v: am.sin(v) * v ** 3                  # noqa: E731
    x0 = 0.7
    d1 = np.cos(x0) * x0 ** 3 + 3 * x0 ** 2 * np.sin(x0)
    d2 = -np.sin(x0) * x0 ** 3 + 6 * x0 ** 2 * np.cos(x0) + 6 * x0 * np.sin(x0)
    d3 = (-np.cos(x0) * x0 ** 3 - 9 * x0 ** 2 * np.sin(x0) + 18 * x0 * np.cos(x0) + 6 * np.sin(x0))
    np.testing.assert_allclose(am.grad(f)(x0), d1)
    np.testing.assert_allclose(am.grad(am.grad(f))(x0), d2)
    np.testing.assert_allclose(am.grad(am.grad(am.grad(f)))(x0), d3)


def test_hessian_vector_product_by_grad_of_grad():
    v = rng.standard_normal(n)
    f = lambda z: am.sum(am.exp(z) * (C @ z))         # noqa: E731
    hvp = am.grad(lambda z: am.sum(am.grad(f)(z) * v))(x)
    np.testing.assert_allclose(hvp, am.hessian(f)(x) @ v, rtol=1e-9)


def test_jvp_by_differentiating_a_vjp_with_respect_to_its_cotangent():
    """J v = ∂/∂u <Jᵀu, v>: the pullback made at top level records when u is traced."""
    A_ = rng.standard_normal((3, n))
    f = lambda z: am.tanh(A_ @ z)                    # noqa: E731
    v = rng.standard_normal(n)
    _, pullback = am.vjp(f, x)
    jv = am.grad(lambda u: am.sum(pullback(u) * v))(np.zeros(3))
    np.testing.assert_allclose(jv, am.jacobian(f)(x) @ v, rtol=1e-10)


def test_value_and_grad_vjp_gradients_agree():
    f = lambda X, W: am.sum(am.tanh(X @ W))           # noqa: E731
    W = rng.standard_normal((p, 2))
    value, (gX, gW) = am.value_and_grad(f, argnums=(0, 1))(X, W)
    np.testing.assert_allclose(value, np.sum(np.tanh(X @ W)))
    val2, pullback = am.vjp(f, X, W)
    np.testing.assert_allclose(pullback(1.0)[1], gW)
    Xv, Wv = am.Variable(X), am.Variable(W)
    loss = f(Xv, Wv)
    dX, dW = am.gradients(loss, [Xv, Wv])
    np.testing.assert_allclose(dX, gX)
    np.testing.assert_allclose(dW, gW)
    assert Xv.grad is None and Wv.grad is None         # gradients() leaves .grad alone
    assert type(am.grad(f)(Xv, Wv)) is np.ndarray      # a Variable at top level is just a value
    unrelated = am.Variable(np.ones(2))
    np.testing.assert_array_equal(am.gradients(loss, [unrelated])[0], np.zeros(2))


def test_gradients_of_a_tensor_and_of_what_lies_before_it():
    """Like tf.gradients: asking for an intermediate Z2 does not cut the path to W."""
    W = am.Variable(rng.standard_normal((n, 2)))
    Z1 = am.tanh(X.T @ W)
    Z2 = Z1 * 3.0
    L = am.sum(Z2 ** 2)
    gZ2, gW, gZ1 = am.gradients(L, [Z2, W, Z1])
    np.testing.assert_allclose(gZ2, 2 * Z2.data)
    np.testing.assert_allclose(gZ1, 6 * Z2.data)
    np.testing.assert_allclose(gW, am.grad(lambda w: am.sum((3 * am.tanh(X.T @ w)) ** 2))(W.data))


@st.composite
def broadcast_pair(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3))
    x_shape, y_shape = shapes.input_shapes
    x = draw(hnp.arrays(np.float64, x_shape, elements=st.floats(-3, 3)))
    y = draw(hnp.arrays(np.float64, y_shape, elements=st.floats(-3, 3)))
    return x, y, shapes.result_shape


@settings(max_examples=150, deadline=None)
@given(broadcast_pair())
def test_gradient_of_a_broadcast_is_the_sum_over_the_broadcast_axes(pair):
    x, y, out_shape = pair
    G = np.random.default_rng(0).standard_normal(out_shape)
    X, Y = am.Variable(x), am.Variable(y)
    (X * 1.0 + Y).backward(G)
    assert X.grad.shape == x.shape and Y.grad.shape == y.shape
    for value, grad in ((x, X.grad), (y, Y.grad)):
        lead = len(out_shape) - value.ndim
        axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(value.shape)
                                          if s == 1 and out_shape[lead + i] != 1)
        np.testing.assert_allclose(grad, G.sum(axis=axes).reshape(value.shape))
    # the same through multiply: d(x*y)/dx = sum over broadcast axes of G*y
    X.zero_grad()
    (X * Y).backward(G)
    np.testing.assert_allclose(X.grad, am.unbroadcast(G * np.broadcast_to(y, out_shape), x.shape))
