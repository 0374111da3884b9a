"""A tiny neural-network library: Module, Linear, MLP.  Rows are samples: y = x W + b."""
import numpy as np

from .core import Tensor, Variable
from . import ops


class Module:
    """Something with parameters.  ``parameters()`` finds every Variable in the attributes,
    in sub-modules and in lists of them, in the order they were assigned."""

    def parameters(self):
        found, seen = [], set()

        def visit(value):
            if isinstance(value, Tensor):
                if value.requires_grad and id(value) not in seen:
                    seen.add(id(value))
                    found.append(value)
            elif isinstance(value, Module):
                for v in vars(value).values():
                    visit(v)
            elif isinstance(value, (list, tuple)):
                for v in value:
                    visit(v)
        visit(self)
        return found

    def zero_grad(self):
        for p in self.parameters():
            p.grad = None

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward(...)")


class Linear(Module):
    """x ↦ x W + b with W of shape (in_features, out_features), b of shape (out_features,).

    Weights start uniform in ±1/√in_features (PyTorch's default), biases at zero.
    """

    def __init__(self, in_features, out_features, bias=True, rng=None):
        rng = np.random.default_rng(rng)
        bound = 1.0 / np.sqrt(in_features)
        self.W = Variable(rng.uniform(-bound, bound, size=(in_features, out_features)))
        self.b = Variable(np.zeros(out_features)) if bias else None

    def forward(self, x):
        out = ops.matmul(x, self.W)
        return out + self.b if self.b is not None else out

    def __repr__(self):
        return f"Linear({self.W.shape[0]}, {self.W.shape[1]}, bias={self.b is not None})"


_ACTIVATIONS = {"tanh": ops.tanh, "relu": ops.relu, "sigmoid": ops.sigmoid}


class MLP(Module):
    """Linear layers with an activation between them (none after the last):
    ``MLP([2, 16, 16, 1], "tanh")``."""

    def __init__(self, sizes, activation="tanh", rng=None):
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs at least an input and an output size, got {sizes}")
        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise ValueError(f"MLP: unknown activation {activation!r}; "
                                 f"use one of {sorted(_ACTIVATIONS)} or a function")
            activation = _ACTIVATIONS[activation]
        rng = np.random.default_rng(rng)
        self.layers = [Linear(m, n, rng=rng) for m, n in zip(sizes[:-1], sizes[1:])]
        self.activation = activation

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        return self.layers[-1](x)

    def __repr__(self):
        sizes = [self.layers[0].W.shape[0]] + [layer.W.shape[1] for layer in self.layers]
        return f"MLP({sizes}, {getattr(self.activation, '__name__', self.activation)})"
