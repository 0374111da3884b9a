"""Operators and methods of Tensor, each one a primitive from ``ops``.

``x + y``, ``x @ W``, ``2 * x``, ``x[:, 0]``, ``x.sum(axis=0)``, ``x.T`` ... all record the graph.
"""
import numpy as np

from .core import Tensor
from . import ops


def _index(index):
    """Tensors used as indices become integer arrays (indices are not differentiable)."""
    if isinstance(index, Tensor):
        return index.data.astype(np.int64)
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    return index


def _shape_args(shape):
    """Allow both x.reshape(2, 3) and x.reshape((2, 3))."""
    return shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape


Tensor.__add__      = ops.add                       # x + y is add(x, y)
Tensor.__radd__     = lambda self, other: ops.add(other, self)
Tensor.__sub__      = ops.subtract
Tensor.__rsub__     = lambda self, other: ops.subtract(other, self)
Tensor.__mul__      = ops.multiply
Tensor.__rmul__     = lambda self, other: ops.multiply(other, self)
Tensor.__truediv__  = ops.divide
Tensor.__rtruediv__ = lambda self, other: ops.divide(other, self)
Tensor.__pow__      = ops.power
Tensor.__rpow__     = lambda self, other: ops.power(other, self)
Tensor.__matmul__   = ops.matmul
Tensor.__rmatmul__  = lambda self, other: ops.matmul(other, self)
Tensor.__neg__      = ops.negative
Tensor.__pos__      = lambda self: self
Tensor.__abs__      = lambda self: ops.abs(self)
Tensor.__getitem__  = lambda self, index: ops.getitem(self, _index(index))

Tensor.T         = property(lambda self: ops.transpose(self))
def _reduction(op):
    """x.sum(axis, keepdims); also what np.sum(x) / np.mean(x) / np.max(x) call on a Tensor,
    so those record the graph too (numpy's dtype and out must stay unset)."""
    def method(self, axis=None, dtype=None, out=None, keepdims=False, **unused):
        if dtype is not None or out is not None:
            raise TypeError(f"Tensor.{op.__name__}: dtype= and out= are not supported; "
                            f"use am.{op.__name__}(x, axis=..., keepdims=...)")
        return op(self, axis=axis, keepdims=keepdims)
    method.__name__ = op.__name__
    return method


Tensor.sum       = _reduction(ops.sum)
Tensor.mean      = _reduction(ops.mean)
Tensor.max       = _reduction(ops.max)
Tensor.exp       = lambda self: ops.exp(self)
Tensor.log       = lambda self: ops.log(self)
Tensor.tanh      = lambda self: ops.tanh(self)
Tensor.relu      = lambda self: ops.relu(self)
Tensor.sigmoid   = lambda self: ops.sigmoid(self)
Tensor.sqrt      = lambda self: ops.sqrt(self)
Tensor.reshape   = lambda self, *shape: ops.reshape(self, _shape_args(shape))
Tensor.transpose = lambda self, *axes: ops.transpose(self, _shape_args(axes) if axes else None)
