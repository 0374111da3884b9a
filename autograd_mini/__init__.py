"""autograd_mini: a small, readable reverse-mode automatic differentiation on numpy.

    import autograd_mini as am
    W = am.Variable(np.zeros((3, 1)))
    loss = am.mean((X @ W - y) ** 2)
    dW, = am.gradients(loss, [W])

Modules: ``core`` (Tensor, the backward pass), ``ops`` (every primitive with its VJP),
``functional`` (grad, jacobian, hessian, ...), ``optim``, ``nn``, ``testing``;
``autograd_mini.viz`` (pictures and widgets) is imported only when you ask for it.
"""
from .core import Tensor, Variable, no_grad, is_grad_enabled, unbroadcast, primitive, defvjp
from .ops import (add, subtract, multiply, divide, power, negative, matmul, square, sqrt,
                  exp, log, tanh, sigmoid, relu, maximum, abs, sin, cos, sum, mean, max,
                  reshape, transpose, broadcast_to, where, trace, inv, det, logabsdet, solve,
                  softmax, log_softmax, logsumexp, cross_entropy, one_hot)
from .functional import grad, value_and_grad, gradients, vjp, jacobian, hessian
from . import tensor_methods as _tensor_methods  # noqa: F401  (operators and methods on Tensor)
from . import optim, nn

__version__ = "0.1.0"

__all__ = ["Tensor", "Variable", "no_grad", "is_grad_enabled", "unbroadcast", "primitive",
           "defvjp", "add", "subtract", "multiply", "divide", "power", "negative", "matmul",
           "square", "sqrt", "exp", "log", "tanh", "sigmoid", "relu", "maximum", "abs", "sin",
           "cos", "sum", "mean", "max", "reshape", "transpose", "broadcast_to", "where",
           "trace", "inv", "det", "logabsdet", "solve", "softmax", "log_softmax", "logsumexp",
           "cross_entropy", "one_hot", "grad", "value_and_grad", "gradients", "vjp", "jacobian",
           "hessian", "optim", "nn", "testing"]


def __getattr__(name):
    if name in ("viz", "testing"):   # lazy: viz loads matplotlib and ipywidgets, testing is
        import importlib            # large; both are imported on first use (am.testing.check_grads)
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'autograd_mini' has no attribute {name!r}")
