"""The public API pinned in the design: lessons, tests and outside checks rely on these names."""
import numpy as np

import autograd_mini as am

PINNED_FUNCTIONS = """add subtract multiply divide power negative matmul square sqrt exp log tanh sigmoid
relu maximum abs sum mean max reshape transpose trace inv det logabsdet solve softmax log_softmax
logsumexp cross_entropy grad value_and_grad gradients vjp jacobian hessian no_grad Variable
Tensor""".split()
TENSOR_MEMBERS = """data grad shape ndim T backward sum mean exp log tanh relu sigmoid reshape transpose
__add__ __radd__ __sub__ __rsub__ __mul__ __rmul__ __truediv__ __rtruediv__ __pow__ __rpow__
__matmul__ __rmatmul__ __neg__ __getitem__""".split()


def test_every_pinned_name_exists():
    missing = [name for name in PINNED_FUNCTIONS if not callable(getattr(am, name, None))]
    assert not missing
    t = am.Variable(np.ones((2, 2)))
    assert t.requires_grad and [m for m in TENSOR_MEMBERS if not hasattr(t, m)] == []
    for name in ("SGD", "Adam", "GradientDescentOptimizer"):
        assert callable(getattr(am.optim, name))
    for name in ("Module", "Linear", "MLP"):
        assert callable(getattr(am.nn, name))
    for name in ("numerical_grad", "check_grads"):
        assert callable(getattr(am.testing, name))


def test_functions_accept_array_likes_and_tensors():
    assert np.allclose(am.exp([0.0, 1.0]), [1.0, np.e])
    assert np.allclose(am.matmul([[1.0, 0.0]], [[2.0], [3.0]]), [[2.0]])
    out = am.add(am.Tensor([1.0]), 2.0)
    assert isinstance(out, am.Tensor) and out.data[0] == 3.0

