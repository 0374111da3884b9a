"""The answer checks of autograd_mini.testing: every planted mistake gets its exact diagnosis,
every correct answer passes whatever its style, and no message gives the right answer away."""
import re
import warnings

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini.testing import check_gradient, check_jacobian, check_value, check_vjp

CHECKS = {"gradient": check_gradient, "jacobian": check_jacobian, "vjp": check_vjp}

# ---------------------------------------------------------------- the derivatives


def quad(x, C):                       # xᵀCx, C not symmetric: ∇ = (C + Cᵀ) x
    return x @ C @ x


def lin(x, a):                        # aᵀx: ∇ = a
    return a @ x


def Ax(x, A):                         # Jacobian A
    return A @ x


def tr_AXB(X, A, B):                  # ∇ = Aᵀ Bᵀ
    return am.trace(A @ X @ B)


def aXb(X, a, b):                     # ∇ = a bᵀ
    return a @ X @ b


def frob(X):                          # ‖X‖²_F: ∇ = 2X
    return am.sum(X ** 2)


def lsq(X, A, B):                     # ‖AX − B‖²: ∇ = 2Aᵀ(AX − B)
    return am.sum((A @ X - B) ** 2)


def logdet(X):                        # log|det X|: ∇ = X⁻ᵀ
    return am.logabsdet(X)


def a_inv_b(X, a, b):                 # aᵀX⁻¹b: ∇ = −X⁻ᵀ a bᵀ X⁻ᵀ
    return a @ am.inv(X) @ b


def matmul(A, B):                     # dA = G Bᵀ, dB = Aᵀ G
    return A @ B


def add_bias(X, b):                   # db = Σ_rows G
    return X + b


def layer(b, X, W):                   # Σ tanh(XW + b): ∇_b = Σ_rows (1 − tanh²)
    return am.sum(am.tanh(X @ W + b))


def ce(Z, y):                         # mean softmax cross-entropy: ∇ = (P − Y)/N
    return am.cross_entropy(Z, y)


def mse(W, X, y):                     # mean squared error: ∇_W = 2/N Xᵀ(XW − y)
    return am.mean((X @ W - y) ** 2)


def total(x):                         # Σx: ∇ = ones
    return am.sum(x)


def inverse(X):                       # VJP of X⁻¹: −X⁻ᵀ G X⁻ᵀ
    return am.inv(X)


def _softmax(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _invertible(rng, n=3):
    return rng.standard_normal((n, n)) + 3 * np.eye(n)


inv = np.linalg.inv
x4, C4 = np.zeros(4), np.zeros((4, 4))
A34, A44 = np.zeros((3, 4)), np.zeros((4, 4))
X34, A23, B42 = np.zeros((3, 4)), np.zeros((2, 3)), np.zeros((4, 2))
a3, b4, X33 = np.zeros(3), np.zeros(4), np.zeros((3, 3))
X32, A53, B52 = np.zeros((3, 2)), np.zeros((5, 3)), np.zeros((5, 2))
M34, M45 = np.zeros((3, 4)), np.zeros((4, 5))
Xb, b3, b13, b1 = np.zeros((5, 3)), np.zeros(3), np.zeros((1, 3)), np.zeros(1)
Xl, Wl, bl = np.zeros((5, 3)), np.zeros((3, 4)), np.zeros(4)
Z53, y5 = np.zeros((5, 3)), np.array([0, 2, 1, 1, 0])
W31, X53, y51 = np.zeros((3, 1)), np.zeros((5, 3)), np.zeros((5, 1))


def inv_sample(rng):
    return (_invertible(rng), rng.standard_normal(3), rng.standard_normal(3))


def inv_only(rng):
    return (_invertible(rng),)


def Y(y, c=3):
    return np.eye(c)[y]


def stub(*args):
    raise NotImplementedError()


def mse_int(W, X, y):
    g = np.zeros(W.shape, dtype=int)
    g[:] = 2 / len(X) * X.T @ (X @ W - y)
    return g


# ---------------------------------------------------------------- the corpus of mistakes
# (id, kind, learner's answer, f, example args, keywords, diagnosis, phrase in the message)

G = "gradient"
WRONG = [
    # aᵀx
    ("lin-2a", G, lambda x, a: 2 * a, lin, (x4, x4), {}, "factor", "is off by a factor 2:"),
    ("lin-column", G, lambda x, a: a.reshape(-1, 1), lin, (x4, x4), {}, "extra axis",
     "differs only in axes of length 1"),
    ("lin-zeros", G, lambda x, a: np.zeros_like(x), lin, (x4, x4), {}, "all zeros",
     "is all zeros"),
    ("lin-stub", G, stub, lin, (x4, x4), {}, "no answer",
     "no answer yet: replace raise NotImplementedError() with your code"),
    ("lin-none", G, lambda x, a: None, lin, (x4, x4), {}, "no answer",
     "no answer yet: replace raise NotImplementedError() with your code"),
    ("lin-nan", G, lambda x, a: a * np.sqrt(x) / np.sqrt(x), lin, (x4, x4), {}, "not finite",
     "contains NaN"),
    ("lin-inf", G, lambda x, a: a / (x - x), lin, (x4, x4), {}, "not finite", "contains inf"),
    ("lin-x", G, lambda x, a: x, lin, (x4, x4), {}, "no match",
     "does not match the right answer (its shape (4,) is right)"),
    ("lin-text", G, lambda x, a: "a", lin, (x4, x4), {}, "not an array",
     "should be an array of real numbers, but your function returned a str"),
    ("lin-typeerror", G, lambda x, a: float(a), lin, (x4, x4), {}, "exception",
     "your code raised TypeError"),
    # xᵀCx with C not symmetric
    ("quad-2Cx", G, lambda x, C: 2 * C @ x, quad, (x4, C4), {}, "symmetric",
     "assumes C is symmetric: it is right when C = Cᵀ"),
    ("quad-Cx", G, lambda x, C: C @ x, quad, (x4, C4), {}, "symmetric",
     "assumes C is symmetric, and even for a symmetric C it is off by a factor ½"),
    ("quad-xC", G, lambda x, C: x @ C, quad, (x4, C4), {}, "symmetric",
     "assumes C is symmetric"),
    ("quad-minus", G, lambda x, C: -(C + C.T) @ x, quad, (x4, C4), {}, "sign",
     "has the wrong sign"),
    # Jacobian of Ax
    ("Ax-AT", "jacobian", lambda x, A: A.T, Ax, (b4, A34), {}, "layout",
     "is in the other layout convention (denominator layout, x.shape + Ax(...).shape)"),
    ("Ax-AT-square", "jacobian", lambda x, A: A.T, Ax, (x4, A44), {}, "layout",
     "numerator layout, shape Ax(...).shape + x.shape = (4,) + (4,) = (4, 4)"),
    ("Ax-value", "jacobian", lambda x, A: A @ x, Ax, (b4, A34), {}, "wrong shape",
     "has the wrong shape: you returned (3,), it must have shape Ax(...).shape + x.shape = (3,) + (4,) = (3, 4)"),
    # tr(AXB)
    ("trAXB-BA", G, lambda X, A, B: B @ A, tr_AXB, (X34, A23, B42), {}, "transpose",
     "∂tr_AXB/∂X is off by a transpose: you returned the (3, 4) matrix transposed."),
    ("trAXB-ATB", G, lambda X, A, B: A.T @ B, tr_AXB, (X34, A23, B42), {}, "exception",
     "your code raised ValueError"),
    # aᵀXb
    ("aXb-ba", G, lambda X, a, b: np.outer(b, a), aXb, (X34, a3, b4), {}, "transpose",
     "is off by a transpose: you returned the (3, 4) matrix transposed"),
    ("aXb-ba-square", G, lambda X, a, b: np.outer(b, a), aXb, (X33, a3, a3), {}, "transpose",
     "it is square, so its shape could not warn you"),
    ("aXb-flat", G, lambda X, a, b: np.outer(a, b).ravel(), aXb, (X34, a3, b4), {}, "reshaped",
     "has the right values in the wrong shape: you returned (12,), it must have the shape of X"),
    # ‖X‖²_F
    ("frob-X", G, lambda X: X, frob, (X33,), {}, "factor", "is off by a factor ½:"),
    ("frob-4X", G, lambda X: 4 * X, frob, (X34,), {}, "factor", "is off by a factor 2:"),
    ("frob-minus", G, lambda X: -2 * X, frob, (X34,), {}, "sign", "has the wrong sign"),
    ("frob-T", G, lambda X: 2 * X.T, frob, (X33,), {}, "transpose", "is off by a transpose"),
    # ‖AX − B‖²
    ("lsq-half", G, lambda X, A, B: A.T @ (A @ X - B), lsq, (X32, A53, B52), {}, "factor",
     "is off by a factor ½:"),
    ("lsq-T", G, lambda X, A, B: 2 * (A @ X - B).T @ A, lsq, (X32, A53, B52), {}, "transpose",
     "is off by a transpose: you returned the (3, 2) matrix transposed"),
    ("lsq-sign", G, lambda X, A, B: 2 * A.T @ (B - A @ X), lsq, (X32, A53, B52), {}, "sign",
     "has the wrong sign"),
    ("lsq-residual", G, lambda X, A, B: 2 * (A @ X - B), lsq, (X32, A53, B52), {}, "wrong shape",
     "has the wrong shape: you returned (5, 2), it must have the shape of X, (3, 2)."),
    # log|det X|
    ("logdet-inv", G, lambda X: inv(X), logdet, (X33,), {"sample": inv_only}, "transpose",
     "∂logdet/∂X is off by a transpose"),
    ("logdet-minus", G, lambda X: -inv(X).T, logdet, (), {"sample": inv_only}, "sign",
     "has the wrong sign"),
    # aᵀX⁻¹b
    ("ainvb-plus", G, lambda X, a, b: inv(X).T @ np.outer(a, b) @ inv(X).T, a_inv_b, (),
     {"sample": inv_sample}, "sign", "has the wrong sign"),
    ("ainvb-no-T", G, lambda X, a, b: -inv(X) @ np.outer(a, b) @ inv(X), a_inv_b, (),
     {"sample": inv_sample}, "symmetric", "assumes X is symmetric"),
    ("ainvb-T", G, lambda X, a, b: -inv(X) @ np.outer(b, a) @ inv(X), a_inv_b, (),
     {"sample": inv_sample}, "transpose", "is off by a transpose"),
    # VJP of X⁻¹
    ("inv-vjp-no-T", "vjp", lambda G_, X: -inv(X) @ G_ @ inv(X), inverse, (),
     {"sample": inv_only}, "symmetric", "assumes X is symmetric"),
    ("inv-vjp-sign", "vjp", lambda G_, X: inv(X).T @ G_ @ inv(X).T, inverse, (),
     {"sample": inv_only}, "sign", "The VJP for X has the wrong sign"),
    # matmul VJPs
    ("mm-dA-T", "vjp", lambda G_, A, B: B @ G_.T, matmul, (M34, M45), {}, "transpose",
     "The VJP for A is off by a transpose: you returned the (3, 4) matrix transposed."),
    ("mm-dA-noT", "vjp", lambda G_, A, B: G_ @ B, matmul, (M34, M45), {}, "exception",
     "The VJP for A: your code raised ValueError"),
    ("mm-dA-2", "vjp", lambda G_, A, B: 2 * G_ @ B.T, matmul, (M34, M45), {}, "factor",
     "is off by a factor 2:"),
    ("mm-dB-T", "vjp", lambda G_, A, B: G_.T @ A, matmul, (M34, M45), {"wrt": 1}, "transpose",
     "The VJP for B is off by a transpose: you returned the (4, 5) matrix transposed."),
    ("mm-dB-sign", "vjp", lambda G_, A, B: -A.T @ G_, matmul, (M34, M45), {"wrt": "B"}, "sign",
     "has the wrong sign"),
    ("mm-vec-T", "vjp", lambda G_, a, B: np.outer(G_, a), matmul, (b4, M45), {"wrt": 1},
     "transpose", "The VJP for B is off by a transpose: you returned the (4, 5) matrix"),
    ("mm-vec-dot", "vjp", lambda G_, a, B: a @ B, matmul, (b4, M45), {"wrt": 1},
     "wrong shape", "has the wrong shape: you returned (5,), it must have the shape of B, (4, 5)."),
    # bias gradients and broadcasting
    ("bias-G", "vjp", lambda G_, X, b: G_, add_bias, (Xb, b3), {"wrt": 1},
     "broadcast axis not summed", "you returned shape (5, 3), but it must have the shape of b, "
     "(3,); sum over axis 0."),
    ("bias-keepdims", "vjp", lambda G_, X, b: G_.sum(axis=0, keepdims=True), add_bias, (Xb, b3),
     {"wrt": 1}, "extra axis", "shape (1, 3) instead of (3,)"),
    ("bias-row-G", "vjp", lambda G_, X, b: G_, add_bias, (Xb, b13), {"wrt": 1},
     "broadcast axis not summed", "sum over axis 0 with keepdims=True"),
    ("bias-1-summed-wrong-axis", "vjp", lambda G_, X, b: G_.sum(axis=1), add_bias, (Xb, b1),
     {"wrt": 1}, "broadcast axis not summed", "must have the shape of b, (1,); sum over axis 0."),
    ("mse-global-N", G, lambda W, X, y: 2 / 100 * X.T @ (X @ W - y), mse, (W31, X53, y51), {},
     "proportional", "is a constant multiple of the right answer"),
    ("xxt-2GX", "vjp", lambda G_, X: 2 * G_ @ X, lambda X: X @ X.T, (X53,), {},
     "symmetric", "assumes G is symmetric: it is right when G = Gᵀ"),
    ("bias-mean", "vjp", lambda G_, X, b: G_.mean(axis=0), add_bias, (Xb, b3), {"wrt": 1},
     "factor", "is off by a factor 1/N: it is 1/N times the right answer (N = 5, the batch "
     "size: the number of rows of X)."),
    ("bias-axis1", "vjp", lambda G_, X, b: G_.sum(axis=1), add_bias, (Xb, b3), {"wrt": 1},
     "wrong shape", "has the wrong shape: you returned (5,), it must have the shape of b, (3,)."),
    ("layer-per-sample", G, lambda b, X, W: 1 - np.tanh(X @ W + b) ** 2, layer, (bl, Xl, Wl), {},
     "broadcast axis not summed", "sum over axis 0"),
    ("sum-scalar", G, lambda x: 1.0, total, (x4,), {}, "not broadcast", "broadcast it"),
    # softmax cross-entropy
    ("ce-noN", G, lambda Z, y: _softmax(Z) - Y(y), ce, (Z53, y5), {}, "factor",
     "∂ce/∂Z is off by a factor N: it is N times the right answer (N = 5, the batch size: "
     "the number of rows of Z)."),
    ("ce-sign", G, lambda Z, y: (Y(y) - _softmax(Z)) / len(Z), ce, (Z53, y5), {}, "sign",
     "has the wrong sign"),
    ("ce-T", G, lambda Z, y: ((_softmax(Z) - Y(y)) / len(Z)).T, ce, (Z53, y5), {}, "transpose",
     "is off by a transpose: you returned the (5, 3) matrix transposed"),
    ("ce-noY", G, lambda Z, y: _softmax(Z) / len(Z), ce, (Z53, y5), {}, "no match",
     "does not match the right answer"),
    # MSE
    ("mse-no2", G, lambda W, X, y: X.T @ (X @ W - y) / len(X), mse, (W31, X53, y51), {}, "factor",
     "is off by a factor ½:"),
    ("mse-noN", G, lambda W, X, y: 2 * X.T @ (X @ W - y), mse, (W31, X53, y51), {}, "factor",
     "∂mse/∂W is off by a factor N: it is N times the right answer (N = 5, the batch size"),
    ("mse-neither", G, lambda W, X, y: X.T @ (X @ W - y), mse, (W31, X53, y51), {}, "factor",
     "is off by a factor N/2:"),
    ("mse-T", G, lambda W, X, y: 2 / len(X) * (X @ W - y).T @ X, mse, (W31, X53, y51), {},
     "transpose", "is off by a transpose: you returned the (3, 1) matrix transposed"),
    ("mse-T-no2", G, lambda W, X, y: (X @ W - y).T @ X / len(X), mse, (W31, X53, y51), {},
     "wrong shape", "you returned (1, 3), it must have the shape of W, (3, 1); the transpose "
     "has the right shape, but even transposed the values do not match"),
    ("mse-sign", G, lambda W, X, y: 2 / len(X) * X.T @ (y - X @ W), mse, (W31, X53, y51), {},
     "sign", "has the wrong sign"),
    ("mse-int", G, mse_int, mse, (W31, X53, y51), {}, "integer array",
     "is an integer array (dtype int64)"),
    ("mse-mean-rows", G, lambda W, X, y: 2 * np.mean(X * (X @ W - y), axis=0), mse,
     (W31, X53, y51), {}, "extra axis", "has the right values but shape (3,) instead of (3, 1)"),
]

# check_value: (id, answer from the right one R, sizes, diagnosis, phrase)
VALUE_WRONG = [
    ("value-2", lambda R: 2 * R, None, "factor", "dW is off by a factor 2:"),
    ("value-T", lambda R: R.T, None, "transpose", "dW is off by a transpose"),
    ("value-N", lambda R: 5 * R, {"N": 5}, "factor", "dW is off by a factor N: it is N times "
                                                     "the right answer (N = 5)."),
    ("value-1/N", lambda R: R / 5, {"N": 5}, "factor", "dW is off by a factor 1/N"),
    ("value-none", lambda R: None, None, "no answer",
     "dW: no answer yet: replace raise NotImplementedError() with your code (dW is None)."),
    ("value-sign", lambda R: am.Tensor(-R), None, "sign", "dW has the wrong sign"),
    ("value-nan", lambda R: R * np.nan, None, "not finite", "dW contains NaN"),
    ("value-unsummed", lambda R: per_sample(R, 5), None, "broadcast axis not summed",
     "sum over axis 0."),
    ("value-func", lambda R: (lambda: R), None, "not an array", "did you forget to call it?"),
]

def per_sample(R, n):
    """n per-sample contributions that add up to R (what an un-summed bias gradient looks like)."""
    parts = np.random.default_rng(5).standard_normal((n,) + R.shape)
    return parts - parts.mean(axis=0) + R / n


# ---------------------------------------------------------------- correct answers, many styles


def loop_lin(x, a):
    g = np.zeros(len(x))
    for i in range(len(x)):
        g[i] = a[i]
    return g


def loop_bias(G_, X, b):
    db = np.zeros(G_.shape[1])
    for row in G_:
        db += row
    return db


RIGHT = [
    ("lin-loop", G, loop_lin, lin, (x4, x4), {}),
    ("lin-list", G, lambda x, a: list(a), lin, (x4, x4), {}),
    ("quad-two-products", G, lambda x, C: C @ x + C.T @ x, quad, (x4, C4), {}),
    ("quad-einsum", G, lambda x, C: np.einsum("ij,j->i", C, x) + np.einsum("ji,j->i", C, x),
     quad, (x4, C4), {}),
    ("Ax-loops", "jacobian", lambda x, A: np.array([[A[i, j] for j in range(A.shape[1])]
                                                   for i in range(A.shape[0])]), Ax, (b4, A34), {}),
    ("trAXB-transposed-product", G, lambda X, A, B: (B @ A).T, tr_AXB, (X34, A23, B42), {}),
    ("trAXB-dot", G, lambda X, A, B: np.dot(A.T, B.T), tr_AXB, (X34, A23, B42), {}),
    ("aXb-broadcast", G, lambda X, a, b: a[:, None] * b[None, :], aXb, (X34, a3, b4), {}),
    ("frob-sum", G, lambda X: X + X, frob, (X34,), {}),
    ("lsq-dot", G, lambda X, A, B: 2 * np.dot(A.T, np.dot(A, X) - B), lsq, (X32, A53, B52), {}),
    ("logdet-solve", G, lambda X: np.linalg.solve(X, np.eye(len(X))).T, logdet, (),
     {"sample": inv_only}),
    ("logdet-inv-of-T", G, lambda X: inv(X.T), logdet, (), {"sample": inv_only}),
    ("ainvb", G, lambda X, a, b: -np.outer(np.linalg.solve(X.T, a), np.linalg.solve(X, b)).T.T,
     a_inv_b, (), {"sample": inv_sample}),
    ("inv-vjp", "vjp", lambda G_, X: -inv(X).T @ G_ @ inv(X).T, inverse, (), {"sample": inv_only}),
    ("mm-dA-einsum", "vjp", lambda G_, A, B: np.einsum("ik,jk->ij", G_, B), matmul, (M34, M45), {}),
    ("mm-dB-transposed", "vjp", lambda G_, A, B: (G_.T @ A).T, matmul, (M34, M45), {"wrt": 1}),
    ("mm-vec", "vjp", lambda G_, a, B: np.outer(a, G_), matmul, (b4, M45), {"wrt": 1}),
    ("bias-loop", "vjp", loop_bias, add_bias, (Xb, b3), {"wrt": 1}),
    ("bias-ones", "vjp", lambda G_, X, b: np.ones(len(G_)) @ G_, add_bias, (Xb, b3), {"wrt": "b"}),
    ("bias-keepdims", "vjp", lambda G_, X, b: G_.sum(0, keepdims=True), add_bias, (Xb, b13),
     {"wrt": 1}),
    ("layer", G, lambda b, X, W: (1 - np.tanh(X @ W + b) ** 2).sum(axis=0), layer,
     (bl, Xl, Wl), {}),
    ("ce-numpy", G, lambda Z, y: (_softmax(Z) - Y(y)) / len(Z), ce, (Z53, y5), {}),
    ("ce-tensor", G, lambda Z, y: am.Tensor((am.softmax(Z) - am.one_hot(y, 3)) / Z.shape[0]),
     ce, (Z53, y5), {}),
    ("mse-matrix", G, lambda W, X, y: 2 * X.T @ (X @ W - y) / len(X), mse, (W31, X53, y51), {}),
    ("mse-float32", G, lambda W, X, y: (2 * X.T @ (X @ W - y) / len(X)).astype(np.float32), mse,
     (W31, X53, y51), {}),
    ("mse-am-ops", G, lambda W, X, y: 2 * am.Tensor(X).T @ (am.Tensor(X) @ W - y) / len(X), mse,
     (W31, X53, y51), {}),
    ("sum-ones", G, lambda x: np.ones_like(x), total, (x4,), {}),
]


# ---------------------------------------------------------------- helpers

def fail(kind, answer, f, args, kw, seed=0):
    """Run a check that must fail: the AssertionError, and every input the learner's code got."""
    calls = []

    def recording(*a):
        calls.append([x.copy() if isinstance(x, np.ndarray) else x for x in a])
        return answer(*a)

    with pytest.raises(AssertionError) as info:
        CHECKS[kind](recording, f, *args, seed=seed, **kw)
    return info.value, calls


def right_answers(kind, f, kw, calls):
    """The right answer at every input the learner's code was called with."""
    wrt = kw.get("wrt", 0)
    out = []
    for call in calls:
        if kind == "vjp":
            G_, args = call[0], call[1:]
            k = wrt if isinstance(wrt, int) else "AB".index(wrt) if f is matmul else 1
            _, pull = am.vjp(lambda x: f(*args[:k], x, *args[k + 1:]), args[k])
            out.append(pull(G_))
        else:
            k = wrt if isinstance(wrt, int) else 0
            out.append((am.grad if kind == G else am.jacobian)(f, k)(*call))
    return out


def assert_reveals_nothing(message, references):
    assert not re.search(r"\d\.\d", message), message          # no decimal number at all
    for ref in references:
        for v in np.ravel(ref):
            for text in (f"{v:.2f}", f"{v:.3g}", f"{v:.4g}", f"{v:.6g}", repr(float(v))):
                if len(text.lstrip("-")) >= 4:
                    assert text not in message, (text, message)


# ---------------------------------------------------------------- the tests

def test_corpus_size():
    derivatives = {entry[3] for entry in WRONG}
    assert len(WRONG) + len(VALUE_WRONG) >= 30 and len(derivatives) >= 10
    assert len(RIGHT) >= 10


@pytest.mark.parametrize("case", WRONG, ids=[c[0] for c in WRONG])
def test_planted_mistake_gets_its_diagnosis(case):
    _, kind, answer, f, args, kw, diagnosis, phrase = case
    err, calls = fail(kind, answer, f, args, kw)
    message = str(err)
    assert err.diagnosis == diagnosis, message
    assert phrase in message, message
    assert "\n" not in message                                  # one line
    assert err.__cause__ is None and err.__suppress_context__    # no chained traceback
    assert_reveals_nothing(message, right_answers(kind, f, kw, calls))


@pytest.mark.parametrize("case", VALUE_WRONG, ids=[c[0] for c in VALUE_WRONG])
def test_planted_value_mistake_gets_its_diagnosis(case):
    _, wrong, sizes, diagnosis, phrase = case
    R = np.random.default_rng(1).standard_normal((3, 4))
    with pytest.raises(AssertionError) as info:
        check_value(wrong(R), R, "dW", sizes=sizes)
    message = str(info.value)
    assert info.value.diagnosis == diagnosis, message
    assert phrase in message, message
    assert "\n" not in message
    assert_reveals_nothing(message, [R])


@pytest.mark.parametrize("case", RIGHT, ids=[c[0] for c in RIGHT])
def test_correct_answer_in_any_style_passes(case):
    _, kind, answer, f, args, kw = case
    assert CHECKS[kind](answer, f, *args, **kw) is None
    assert CHECKS[kind](answer, f, *args, seed=7, trials=5, **kw) is None


def test_correct_values_pass_check_value():
    R = np.random.default_rng(2).standard_normal((3, 4))
    assert check_value(R.copy(), R, "dW") is None
    assert check_value(am.Tensor(R), R, "dW") is None
    assert check_value(R.tolist(), am.Tensor(R), "dW") is None
    assert check_value(2.5, np.float64(2.5), "the slope") is None


def test_vjp_with_the_engines_signature():
    check_vjp(lambda G_, ans, A, B: G_ @ B.T, matmul, M34, M45, with_ans=True)
    check_vjp(lambda G_, ans, x: G_ * (1 - ans ** 2), am.tanh, x4, with_ans=True)
    with pytest.raises(AssertionError, match="off by a transpose"):
        check_vjp(lambda G_, ans, A, B: B @ G_.T, matmul, M34, M45, with_ans=True)


def test_no_false_pass_when_the_answer_agrees_at_the_example():
    # 2x³ equals 2x at 0 and ±1, the examples; random inputs expose it
    for example in (np.zeros(3), np.ones(3)):
        with pytest.raises(AssertionError, match="does not match"):
            check_gradient(lambda x: 2 * x ** 3, frob, example)
    # an answer memorised at the example point (here x = 1)
    with pytest.raises(AssertionError, match="does not match"):
        check_gradient(lambda x: 2 * np.ones(3), frob, np.ones(3), trials=1)
    # 2Cx is right for the (symmetric) example C = I
    with pytest.raises(AssertionError, match="assumes C is symmetric"):
        check_gradient(lambda x, C: 2 * C @ x, quad, np.zeros(4), np.eye(4))
    # |x| is right for positive examples
    with pytest.raises(AssertionError, match="does not match"):
        check_gradient(lambda x: 2 * np.abs(x), frob, np.ones(5))


def test_deterministic_for_a_seed():
    def run(seed):
        err, calls = fail(G, lambda X, A, B: A.T @ (A @ X - B) * 1.5, lsq, (X32, A53, B52), {},
                          seed=seed)
        return str(err), calls

    (m0, c0), (m1, c1), (m2, c2) = run(0), run(0), run(3)
    assert m0 == m1
    assert all(np.array_equal(p, q) for p, q in zip(c0[0], c1[0]))
    assert not np.array_equal(c0[0][0], c2[0][0])


def test_integer_labels_are_kept_and_floats_redrawn():
    seen = []

    def answer(Z, y):
        seen.append((Z.copy(), y.copy()))
        return (_softmax(Z) - Y(y)) / len(Z)

    check_gradient(answer, ce, Z53, y5, trials=3)
    assert len(seen) == 3
    assert all(np.array_equal(y, y5) and y.dtype.kind == "i" for _, y in seen)
    assert not np.array_equal(seen[0][0], seen[1][0]) and not np.array_equal(seen[0][0], Z53)


def test_learner_cannot_corrupt_the_reference_by_mutating_inputs():
    def answer(x, a):
        g = a.copy()
        a[:] = 0.0
        x[:] = 0.0
        return g
    check_gradient(answer, lin, x4, x4)


def test_nothing_is_printed_and_no_warning_escapes(capfd):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _, kind, answer, f, args, kw, _, _ in WRONG:
            with pytest.raises(AssertionError):
                CHECKS[kind](answer, f, *args, **kw)
        for _, kind, answer, f, args, kw in RIGHT:
            CHECKS[kind](answer, f, *args, **kw)

        def noisy(x, a):
            warnings.warn("a learner's warning")
            return a / 0.0 * 0.0 + np.log(-1.0) * 0
        with pytest.raises(AssertionError, match="contains NaN"):
            check_gradient(noisy, lin, x4, x4)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_bad_reference_points_to_sample():
    with pytest.raises(ValueError, match="sample="):
        check_gradient(lambda x: 1 / x, lambda x: am.sum(am.log(x)), np.ones(3))


def test_existing_numerical_tools_still_work():
    from autograd_mini.testing import (check_grads, numerical_grad, numerical_jacobian,
                                       relative_error)
    X = np.random.default_rng(0).standard_normal((3, 3))
    assert relative_error(numerical_grad(frob, X), 2 * X) < 1e-8
    assert numerical_jacobian(Ax, np.ones(4), np.ones((3, 4))).shape == (3, 4)
    check_grads(lsq, np.ones((3, 2)), np.ones((5, 3)), np.ones((5, 2)))


# ---------------------------------------------------------------- call_answer, named_mistake

def test_call_answer_turns_every_error_into_one_line_and_lets_a_checks_message_through():
    def stub(x):
        raise NotImplementedError()

    def broken(x):
        return x @ np.ones((3, 3))

    def stand_in_fails(x):
        raise AssertionError("the stand-in's own message")

    assert am.testing.call_answer(lambda x, scale=1.0: x * scale, 2.0, scale=3.0) == 6.0
    with pytest.raises(AssertionError, match=r"^stub: no answer yet: replace raise NotImplementedError\(\)"):
        am.testing.call_answer(stub, 1.0)
    with pytest.raises(AssertionError) as info:
        am.testing.call_answer(broken, np.ones((2, 2)))
    assert str(info.value).startswith("broken: your code raised ValueError: matmul:")
    assert "\n" not in str(info.value)
    with pytest.raises(AssertionError, match="^the stand-in's own message$"):
        am.testing.call_answer(stand_in_fails, 1.0)


def test_call_answer_switches_forbidden_functions_off_during_the_call_only():
    inv, jacobian = np.linalg.inv, am.jacobian

    def with_inverse(A, b):
        return np.linalg.inv(A) @ b

    def with_jacobian(x):
        return am.jacobian(lambda v: v * 2)(x)

    A, b = np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([1.0, 2.0])
    with pytest.raises(AssertionError, match="^with_inverse called np.linalg.inv: use np.linalg.solve$"):
        am.testing.call_answer(with_inverse, A, b, forbidden={"np.linalg.inv": "use np.linalg.solve"})
    with pytest.raises(AssertionError, match="^with_jacobian called am.jacobian: by hand"):
        am.testing.call_answer(with_jacobian, b, forbidden={"am.jacobian": "by hand, please"})
    assert np.linalg.inv is inv and am.jacobian is jacobian          # put back afterwards
    np.testing.assert_allclose(am.testing.call_answer(with_inverse, A, b), np.linalg.solve(A, b))
    with pytest.raises(ValueError, match="np.linalg.inverse does not exist"):
        am.testing.call_answer(with_inverse, A, b, forbidden={"np.linalg.inverse": "?"})


def test_named_mistake_names_only_a_wrong_answer_that_a_listed_mistake_gives():
    right = np.array([1.0, 2.0])
    mistakes = [(2 * right, "twice: did you keep the 2 of the square?"), (-right, "the sign")]
    with pytest.raises(AssertionError, match="^twice: did you keep the 2 of the square\\?$"):
        am.testing.named_mistake(2 * right, right, mistakes)
    with pytest.raises(AssertionError, match="^the sign$"):
        am.testing.named_mistake(am.Tensor(-right), right, mistakes)
    am.testing.named_mistake(right, right, mistakes)                 # the right answer passes
    am.testing.named_mistake(3 * right, right, mistakes)             # unlisted: the next check says
    am.testing.named_mistake("text", right, mistakes)
    am.testing.named_mistake(right, right, [(right, "a 'mistake' that is right is never named")])
