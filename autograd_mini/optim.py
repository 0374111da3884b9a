"""Optimizers: they read ``p.grad`` (or compute gradients) and update ``p.data`` in place."""
import numpy as np

from .core import Tensor, toposort
from .functional import gradients


def _check_params(params, who):
    params = list(params)
    if not params:
        raise ValueError(f"{who}: got an empty list of parameters")
    for p in params:
        if not isinstance(p, Tensor) or not p.requires_grad:
            raise TypeError(f"{who}: every parameter must be a Tensor with requires_grad=True "
                            f"(am.Variable), got {type(p).__name__}")
    return params


class Optimizer:
    """Base class: holds the parameters, clears their gradients."""

    def __init__(self, params, lr):
        self.params = _check_params(params, type(self).__name__)
        if not lr > 0:
            raise ValueError(f"{type(self).__name__}: the learning rate must be positive, got {lr}")
        self.lr = lr

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def _grads(self):
        for p in self.params:
            if p.grad is None:
                raise RuntimeError(f"{type(self).__name__}.step: a parameter of shape {p.shape} has "
                                   "no gradient; call loss.backward() before step()")
            yield p, p.grad


class SGD(Optimizer):
    """p ← p − lr·v,  v ← momentum·v + ∇p  (plain gradient descent when momentum = 0)."""

    def __init__(self, params, lr, momentum=0.0):
        super().__init__(params, lr)
        self.momentum = momentum
        self.velocity = [np.zeros_like(p.data) for p in self.params]

    def step(self):
        for (p, g), v in zip(self._grads(), self.velocity):
            if self.momentum:
                v *= self.momentum
                v += g
                g = v
            p.data -= self.lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): per-coordinate steps from running means of g and g², bias-corrected."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr)
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.t = 0
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]

    def step(self):
        self.t += 1
        c1 = 1.0 - self.beta1 ** self.t
        c2 = 1.0 - self.beta2 ** self.t
        for (p, g), m, v in zip(self._grads(), self.m, self.v):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * (g * g)
            p.data -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


class GradientDescentOptimizer:
    """TensorFlow 1's ``tf.train.GradientDescentOptimizer``, eager:

        opt = GradientDescentOptimizer(0.01)
        loss = opt.minimize(lambda: am.mean((X @ W - y) ** 2), var_list=[W])

    ``minimize`` evaluates ``loss_fn()``, takes one step W ← W − lr·∇W on every variable,
    and returns the loss (before the step) as a float.
    """

    def __init__(self, learning_rate):
        if not learning_rate > 0:
            raise ValueError(f"GradientDescentOptimizer: the learning rate must be positive, "
                             f"got {learning_rate}")
        self.learning_rate = learning_rate

    def compute_gradients(self, loss_fn, var_list=None):
        """[(gradient, variable), ...] like TF1 (no update)."""
        if not callable(loss_fn):
            raise TypeError("minimize: pass a function that computes the loss (lambda: ...), "
                            "so it can be evaluated again at every step")
        loss = loss_fn()
        if not isinstance(loss, Tensor) or loss.size != 1:
            raise ValueError("minimize: loss_fn() must return a scalar Tensor computed from "
                             "the variables")
        if var_list is None:   # TF's default: every trainable variable the loss depends on
            var_list = [t for t in toposort([loss]) if t.is_leaf and t.requires_grad]
        var_list = _check_params(var_list, "minimize")
        return loss, list(zip(gradients(loss, var_list), var_list))

    def apply_gradients(self, grads_and_vars):
        for g, v in grads_and_vars:
            v.data -= self.learning_rate * g

    def minimize(self, loss_fn, var_list=None):
        loss, grads_and_vars = self.compute_gradients(loss_fn, var_list)
        self.apply_gradients(grads_and_vars)
        return float(loss.data)
