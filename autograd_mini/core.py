"""The engine: Tensor, the primitive mechanism, and the backward pass.

A *primitive* is a numpy function plus one vector-Jacobian product (VJP) per
differentiable argument.  Called on plain arrays it is just the numpy function
(fast path, returns an ndarray).  Called with a Tensor that requires a gradient
it also records a Node: which primitive ran, on which arguments.  The backward
pass walks those nodes in reverse topological order and asks each VJP for the
gradient of its inputs.

VJPs are written with autograd_mini's own primitives and operators, so when the
backward pass is fed Tensors (``create_graph=True``) it records a graph of its
own: that is all grad-of-grad and ``hessian`` need.
"""
import contextlib
import inspect
import heapq
import itertools
import operator

import numpy as np

__all__ = ["Tensor", "Variable", "primitive", "defvjp", "no_grad", "is_grad_enabled",
           "unbroadcast", "backward_pass", "PRIMITIVES"]

PRIMITIVES = {}          # name -> primitive, every differentiable op of the package
_creation_counter = itertools.count()
_next_order = _creation_counter.__next__
_grad_enabled = True        # False inside no_grad()


# --------------------------------------------------------------------------- Tensor

def _as_array(data, who="Tensor"):
    """Float ndarray from array-like data, with a learner-friendly error for anything else."""
    try:
        arr = np.asarray(data)
    except ValueError as e:  # ragged nested lists
        raise ValueError(f"{who}: could not make an array from this data ({e}); "
                         "are all rows the same length?") from None
    kind = arr.dtype.kind
    if kind == "f":
        return arr
    if kind in "biu":
        return arr.astype(np.float64)
    if kind == "c":
        raise TypeError(f"{who}: expected real numbers, got complex data ({arr.dtype}); "
                        "autograd_mini differentiates real-valued functions only")
    if kind in "US":
        raise TypeError(f"{who}: expected numbers, got text {arr.ravel()[:3].tolist()}; "
                        "convert with float(...) first")
    raise TypeError(f"{who}: expected numbers, got {type(data).__name__} "
                    f"(numpy dtype {arr.dtype})")


class Tensor:
    """An ndarray (``.data``) that remembers how it was made, so gradients can flow back.

    ``.grad`` is filled by ``.backward()`` and accumulates (``+=``) like PyTorch.
    """
    __slots__ = ("data", "grad", "requires_grad", "_node", "_order", "__weakref__")
    __array_ufunc__ = None      # ndarray (op) Tensor -> Tensor's reflected operator
    __array_priority__ = 1000

    def __init__(self, data, requires_grad=False):
        if isinstance(data, Tensor):
            data = data.data
        self.data = _as_array(data)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._node = None        # the Node that produced this tensor (None for a leaf)
        self._order = _next_order()     # tensors are numbered as they are made

    # -- facts about the array
    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)
    size = property(lambda self: self.data.size)
    dtype = property(lambda self: self.data.dtype)
    is_leaf = property(lambda self: self._node is None)

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        if self._node is not None:
            return f"Tensor({body}, op={self._node.op_name})"
        return f"Tensor({body}{', requires_grad=True' if self.requires_grad else ''})"

    def __float__(self):
        return float(self.data)

    def __int__(self):
        return int(self.data)

    def __bool__(self):
        return bool(self.data)

    __hash__ = object.__hash__   # identity: tensors can live in sets and dicts

    def __array__(self, dtype=None, copy=None):
        """np.asarray(t), matplotlib and np.testing see the values (not the graph)."""
        return self.data if dtype is None else self.data.astype(dtype)

    def item(self):
        return self.data.item()

    def numpy(self):
        return self.data

    def detach(self):
        """The same values, cut off from the graph."""
        return Tensor(self.data)

    def zero_grad(self):
        self.grad = None

    def backward(self, gradient=None, retain_graph=True):
        """Accumulate d(self)/d(t) into ``t.grad`` for every tensor t in the graph that requires it.

        ``gradient`` is the upstream gradient (needed when self is not a scalar).
        ``retain_graph=False`` releases the saved values afterwards, as PyTorch does by default.
        """
        if gradient is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward: the output has shape {self.shape}; backward() without an argument "
                    f"needs a scalar. Reduce it first (y.sum().backward()) or pass the upstream "
                    f"gradient: y.backward(np.ones({self.shape}))")
            gradient = np.ones_like(self.data)
        else:
            gradient = _as_array(gradient.data if isinstance(gradient, Tensor) else gradient,
                                 "backward")
            if gradient.shape != self.shape:
                raise ValueError(f"backward: the upstream gradient has shape {gradient.shape} "
                                 f"but the output has shape {self.shape}; they must match")
        grads = backward_pass([self], [gradient])
        for t, g in grads.values():
            t.grad = g if t.grad is None else t.grad + g
        if not retain_graph:
            for t, _ in grads.values():
                if t._node is not None:
                    t._node = t._node.released()

    # -- comparisons are not differentiable: they return boolean ndarrays
    def __eq__(self, other): return self.data == _raw(other)
    def __ne__(self, other): return self.data != _raw(other)
    def __lt__(self, other): return self.data < _raw(other)
    def __le__(self, other): return self.data <= _raw(other)
    def __gt__(self, other): return self.data > _raw(other)
    def __ge__(self, other): return self.data >= _raw(other)

    def __setitem__(self, index, value):
        raise TypeError("Tensor does not support item assignment (x[i] = v): it would rewrite "
                        "history the gradient depends on. Build a new tensor, or change x.data "
                        "outside of any computation you differentiate")


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


_new_tensor = Tensor.__new__    # a Tensor without __init__: primitives set its fields directly


def Variable(data):
    """A leaf tensor that requires a gradient (the counterpart of ``tf.Variable``)."""
    return Tensor(data, requires_grad=True)


# --------------------------------------------------------------------------- recording

@contextlib.contextmanager
def no_grad():
    """Inside this block, operations are computed but not recorded for backward."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


def is_grad_enabled():
    return _grad_enabled


class Node(tuple):
    """How a tensor was made: the primitive, its arguments, and which of them need gradients.

    A tuple ``(fun, args, raw_args, kwargs, parents)``, because one is made for every recorded
    operation and a tuple is the cheapest object to make; the backward pass unpacks it.
    """
    __slots__ = ()

    fun = property(operator.itemgetter(0))        # the primitive (its .vjps: one rule per argument)
    args = property(operator.itemgetter(1))       # arguments as given (Tensors stay Tensors)
    raw_args = property(operator.itemgetter(2))   # the same with every Tensor replaced by its ndarray
    kwargs = property(operator.itemgetter(3))
    parents = property(operator.itemgetter(4))    # positions of the arguments that require a gradient
    op_name = property(lambda self: self[0].__name__)

    def released(self):
        """The same node without its saved arguments (backward(retain_graph=False))."""
        return Node((self.fun, None, None, self.kwargs, self.parents))


def primitive(forward, name=None, explain=None):
    """Make a differentiable function from ``forward``, which works on ndarrays.

    Attach its derivative with ``defvjp``.  Errors that numpy raises inside ``forward``
    are re-raised as one line naming the operation; ``explain(error, *args)`` may
    return a better line for them.
    """
    name = name or forward.__name__
    vjps = {}                           # filled by defvjp

    def fun(*args, **kwargs):
        raw, parents = list(args), None
        for i, a in enumerate(args):
            if type(a) is Tensor:
                raw[i] = a.data
                if parents is None:
                    parents = []
                if a.requires_grad and i in vjps:
                    parents.append(i)
        try:
            ans = forward(*raw, **kwargs) if kwargs else forward(*raw)
        except _NUMPY_ERRORS as e:
            raise _one_line(e, name, explain, raw) from None
        if parents is None:             # plain arrays in, plain array out: nothing recorded
            return ans
        out = _new_tensor(Tensor)
        out.data = ans if type(ans) is np.ndarray else np.asarray(ans)
        out.grad = None
        out._order = _next_order()
        if parents and _grad_enabled:
            out.requires_grad = True
            out._node = Node((fun, args, raw, kwargs, parents))
        else:
            out.requires_grad = False
            out._node = None
        return out

    fun.__name__ = fun.__qualname__ = name
    fun.__doc__ = forward.__doc__
    fun.__signature__ = _signature(forward)
    fun.forward = forward
    fun.vjps = vjps
    PRIMITIVES[name] = fun
    return fun


def _signature(forward):
    """The forward's parameter names (x, y, axis, ...), so help() and error messages can use them."""
    if isinstance(forward, np.ufunc):
        names = ["x", "y", "z"][:forward.nin]
        return inspect.Signature([inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                                  for n in names])
    try:
        return inspect.signature(forward)
    except (TypeError, ValueError):
        return None


_NUMPY_ERRORS = (ValueError, TypeError, IndexError, np.linalg.LinAlgError)


def _one_line(error, name, explain, args):
    """The error numpy raised, as one line that names the operation."""
    message = (explain and explain(error, *args)) or str(error)
    if not message.startswith(name + ":"):
        message = f"{name}: {message}"
    return type(error)(message.splitlines()[0])


def defvjp(fun, *vjps):
    """Attach one VJP per argument: ``vjp(g, ans, *args, **kwargs) -> gradient for that argument``.

    ``None`` marks an argument that is not differentiable (labels, shapes).
    """
    fun.vjps.clear()
    fun.vjps.update((i, v) for i, v in enumerate(vjps) if v is not None)


# --------------------------------------------------------------------------- broadcasting

def unbroadcast(g, shape):
    """Sum ``g`` over the axes that broadcasting added or stretched, so it has ``shape``.

    The one place where broadcasting is undone: every VJP returns a gradient of the
    *output's* shape and the engine calls this.
    """
    if g.shape == shape:
        return g
    lead = len(g.shape) - len(shape)
    if lead < 0:
        raise _shape_error(g.shape, shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and g.shape[lead + i] != 1)
    if type(g) is np.ndarray:       # plain arrays (the usual backward pass): numpy directly
        return np.add.reduce(g, axis=axes).reshape(shape) if axes else g.reshape(shape)
    from .ops import sum as _sum, reshape as _reshape
    if axes:
        g = _sum(g, axis=axes)
    return _reshape(g, shape)


def _reduces_to(gshape, shape):
    """Could broadcasting have turned ``shape`` into ``gshape``?"""
    return len(gshape) >= len(shape) and all(
        n == 1 or n == m for n, m in zip(reversed(shape), reversed(gshape)))


def _shape_error(got, want, op="?"):
    return RuntimeError(f"backward: the VJP of {op} returned a gradient of shape {got} for an "
                        f"input of shape {want}; a VJP must return the input's shape (or the "
                        f"output's, when broadcasting stretched the input)")


# A tensor is always created after the tensors it was computed from, so the creation
# counter ``_order`` is a topological order for free: visiting tensors from the newest
# to the oldest reaches every consumer of a value before the value itself.  A heap
# keyed on it gives the backward pass its order in one iterative sweep: no recursion,
# no separate sort, and only the tensors that actually receive a gradient are visited,
# and a chain of single-parent operations (most of a graph) walks past the heap.

_RELEASED = ("backward: this graph was released by an earlier backward(retain_graph=False); "
             "recompute the forward pass, or call backward(retain_graph=True) the first time")


def toposort(roots):
    """Every tensor reachable from ``roots`` through tensors that require a gradient,
    each listed after all of its parents (oldest first)."""
    found = {id(r): r for r in roots if isinstance(r, Tensor)}
    stack = list(found.values())
    while stack:
        node = stack.pop()._node
        if node is not None:
            if node.args is None:
                raise RuntimeError(_RELEASED)
            for i in node.parents:
                p = node.args[i]
                if id(p) not in found:
                    found[id(p)] = p
                    stack.append(p)
    return sorted(found.values(), key=lambda t: t._order)


def backward_pass(roots, root_grads, create_graph=False, keep=None):
    """Reverse-mode sweep.  Returns ``{id(t): (t, gradient)}`` for every tensor reached,
    or only for the tensors whose id is in ``keep`` when it is given: every other gradient
    is then freed as soon as it has been passed on (less memory held during the sweep).

    With ``create_graph`` the VJPs
    are fed Tensors, so the gradients are Tensors with a graph of their own (for higher
    derivatives); otherwise ndarrays, the fast path.
    """
    grads, heap = {}, []
    for r, g in zip(roots, root_grads):
        if isinstance(r, Tensor) and r.requires_grad:
            if not create_graph and isinstance(g, Tensor):
                g = g.data
            if id(r) in grads:
                grads[id(r)] = grads[id(r)] + g
            else:
                grads[id(r)] = g
                heap.append((-r._order, r))
    heapq.heapify(heap)
    pop, push, done = heapq.heappop, heapq.heappush, {}
    while heap:
        t = pop(heap)[1]                            # the newest tensor still waiting:
        g = grads.pop(id(t))                        # all its consumers have contributed
        while t is not None:
            if keep is None or id(t) in keep:
                done[id(t)] = (t, g)
            if t._node is None:
                break
            fun, tensor_args, raw_args, kwargs, parents = t._node
            if tensor_args is None:
                raise RuntimeError(_RELEASED)
            args, ans = (tensor_args, t) if create_graph else (raw_args, t.data)
            vjps = fun.vjps
            t = None                                # unless a chain goes straight on (below)
            for i in parents:
                parent = tensor_args[i]
                gi = vjps[i](g, ans, *args, **kwargs) if kwargs else vjps[i](g, ans, *args)
                shape = parent.data.shape
                if gi.shape != shape:               # broadcasting happened: sum it back
                    if not _reduces_to(gi.shape, shape):
                        raise _shape_error(gi.shape, shape, fun.__name__)
                    gi = unbroadcast(gi, shape)
                if len(parents) == 1 and (not heap or parent._order > -heap[0][0]):
                    t, g = parent, gi               # a chain: the only parent is newer than all
                    continue                        # that wait, so it is next: skip the heap
                key = id(parent)
                previous = grads.get(key)
                if previous is None:
                    grads[key] = gi
                    push(heap, (-parent._order, parent))
                else:                               # a value used twice: its gradients add up
                    grads[key] = previous + gi
    return done
