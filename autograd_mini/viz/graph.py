"""The computational graph that produced a tensor, drawn as SVG in pure Python.

One box per operation and per input; an arrow per argument, labelled with the argument's
name in the VJP rule (x, y / a, b), so a value used twice gets two arrows.  Layers follow
the topological depth: inputs at the top, the result at the bottom.  No graphviz needed:
the SVG shows in JupyterLab, in nbgrader's feedback HTML and in any browser.
"""
import html
import numbers
import sys
from dataclasses import dataclass, field

import numpy as np

from ..core import Tensor
from .rules import vjp_rule

SMALL = 4                        # arrays with at most this many numbers show their values

# drawing constants (pixels)
FONT, CHAR_W, LINE_H = 12, 7.3, 15
PAD_X, PAD_Y, GAP_X, GAP_Y, MARGIN, LEGEND_H = 9, 6, 22, 46, 14, 26
MAX_BENDS, LANE_W = 6, 9

STYLE = {   # kind -> (fill, stroke)
    "op": ("#e8f0fb", "#3b6ea8"),
    "variable": ("#fde8c6", "#c27c0e"),
    "input": ("#ececec", "#7d7d7d"),
    "const": ("#f8f8f8", "#a5a5a5"),
}
HIGHLIGHT = ("#fff3a3", "#d6336c")
GRAD_COLOR = "#a61e4d"


@dataclass
class GraphNode:
    id: str                      # "n0" (the result), "n1", ...
    kind: str                    # "op", "variable" (requires grad), "input" (a Tensor), "const"
    title: str                   # op name with its parameters, or the input's name
    label: list                  # the lines of text in the box (title, shape/value, gradient)
    ref: object = field(default=None, repr=False)      # the Tensor or constant it stands for
    layer: int = 0
    x: float = 0.0               # centre
    y: float = 0.0               # top
    w: float = 0.0
    h: float = 0.0


@dataclass
class GraphEdge:
    src: str                     # the node whose value is used ...
    dst: str                     # ... as argument ``arg`` of this op
    label: str                   # the argument's name (x, y, a, b, ...)
    arg: int
    via: list = field(default_factory=list, repr=False)   # bends, one per layer it crosses
    lane: int = None             # or: the lane left of the picture that a long arrow runs down


# --------------------------------------------------------------------------- text

def _fmt_array(a):
    """Numbers with 4 significant digits, nested like the array: [[1.5], [-0.25]]."""
    a = np.asarray(a)
    if a.ndim == 0:
        return f"{a.item():.4g}" if a.dtype.kind in "fc" else str(a.item())
    return "[" + ", ".join(_fmt_array(row) for row in a) + "]"


def describe(a):
    """'scalar 0.25', '(2,) [1, 2]' for small arrays, '(100, 3)' otherwise."""
    a = np.asarray(a)
    shape = "scalar" if a.ndim == 0 else str(a.shape)
    return f"{shape} {_fmt_array(a)}" if a.size <= SMALL else shape


def _fmt_param(v):
    """A non-array argument (an index, a shape) as short text."""
    if isinstance(v, tuple):
        return ", ".join(_fmt_param(x) for x in v)
    if isinstance(v, slice):
        s = "" if v.start is None else str(v.start)
        s += ":" + ("" if v.stop is None else str(v.stop))
        return s + ("" if v.step is None else f":{v.step}")
    if v is Ellipsis:
        return "..."
    text = repr(v)
    return text if len(text) <= 24 else text[:21] + "..."


def _is_constant(node, i, a):
    """Is argument i (not a Tensor) a constant with a box of its own?  Arrays always are, and
    numbers where the op could differentiate (x ** 2); indices and shapes are not."""
    if isinstance(a, np.ndarray):
        return True
    return isinstance(a, numbers.Number) and not isinstance(a, bool) and i in node.fun.vjps


# --------------------------------------------------------------------------- structure

def _names_from(namespace):
    """{id(obj): name} for the Tensors and arrays of a namespace (skipping _private names),
    and for the parameters inside its modules: ``model.layers[0].W``."""
    from ..nn import Module
    out = {}

    def visit(name, obj, depth):
        if isinstance(obj, (Tensor, np.ndarray)):
            out.setdefault(id(obj), name)
        elif depth < 4 and isinstance(obj, Module):
            for k, v in vars(obj).items():
                visit(f"{name}.{k}", v, depth + 1)
        elif depth and isinstance(obj, (list, tuple)):
            for k, v in enumerate(obj):
                visit(f"{name}[{k}]", v, depth + 1)

    for name, obj in (namespace or {}).items():
        if not name.startswith("_"):
            visit(name, obj, 0)
    return out


def caller_names(depth=2):
    """Names the caller's caller can see (its globals, then its locals)."""
    frame = sys._getframe(depth)
    return {**frame.f_globals, **frame.f_locals}


def _build(root, names):
    """Walk from ``root`` through every argument of every op: (nodes, edges, root's node)."""
    nodes, edges, by_obj = [], [], {}

    def add(obj, kind, title, share=True):
        if share and id(obj) in by_obj:
            return by_obj[id(obj)], False
        n = GraphNode(f"n{len(nodes)}", kind, title, [], ref=obj)
        nodes.append(n)
        if share:
            by_obj[id(obj)] = n
        return n, True

    def tensor_node(t):
        name = names.get(id(t))
        if t._node is None:
            kind = "variable" if t.requires_grad else "input"
            return add(t, kind, name or ("Variable" if t.requires_grad else "input"))
        if t._node.args is None:
            raise RuntimeError("graph: this graph was released by backward(retain_graph=False); "
                               "recompute the forward pass to draw it")
        return add(t, "op", (f"{name} = " if name else "") + _op_title(t._node))

    root_node, _ = tensor_node(root)
    stack = [root]
    while stack:
        t = stack.pop()
        node = t._node
        if node is None:
            continue
        dst = by_obj[id(t)]
        rule = vjp_rule(node.fun)
        for i, a in enumerate(node.args):
            if isinstance(a, Tensor):
                src, new = tensor_node(a)
                if new:
                    stack.append(a)
            elif _is_constant(node, i, a):
                # arrays are shared (the same X used twice is one box); numbers get a box per use
                title = names.get(id(a)) or (_fmt_array(a) if np.size(a) <= SMALL else "const")
                src, _ = add(a, "const", title, share=isinstance(a, np.ndarray))
            else:
                continue            # an index or a shape: shown in the op's title
            edges.append(GraphEdge(src.id, dst.id, rule.name(i), i))
    return nodes, edges, root_node


def _op_title(node):
    name = node.op_name
    params = []
    for i, a in enumerate(node.args):
        if not isinstance(a, Tensor) and not _is_constant(node, i, a):
            params.append(f"[{_fmt_param(a)}]" if name == "getitem" else _fmt_param(a))
    params += [f"{k}={_fmt_param(v)}" for k, v in node.kwargs.items()
               if v is not None and v is not False]
    return " ".join([name] + params)


def _lines(n, grads=None, partial=()):
    """The text of a box: title, shape (and value), gradient (and value) when known."""
    lines = [n.title]
    if n.kind == "const":
        if np.size(n.ref) > SMALL or n.title != _fmt_array(n.ref):
            lines.append(describe(n.ref) if np.size(n.ref) > SMALL else _fmt_array(n.ref))
        return lines
    lines.append(describe(n.ref.data))
    g = n.ref.grad if grads is None else grads.get(id(n.ref))
    if g is not None:
        g = g.data if isinstance(g, Tensor) else g
        lines.append(("grad so far " if id(n.ref) in partial else "grad ") + describe(g))
    return lines


# --------------------------------------------------------------------------- layout

def _box_size(lines):
    return (max(len(s) for s in lines) * CHAR_W + 2 * PAD_X,
            len(lines) * LINE_H + 2 * PAD_Y)


def _layout(nodes, edges, root):
    """Layers by topological depth (each input just above its first use), then x positions
    pulled towards the neighbours' mean, a few sweeps, without overlaps."""
    by_id = {n.id: n for n in nodes}
    preds = {n.id: [] for n in nodes}
    succs = {n.id: [] for n in nodes}
    for e in edges:
        preds[e.dst].append(e.src)
        succs[e.src].append(e.dst)

    # post-order from the root (iterative): inputs before their ops, first argument first
    order, seen, stack = [], set(), [(root.id, False)]
    while stack:
        nid, done = stack.pop()
        if done:
            order.append(nid)
            continue
        if nid in seen:
            continue
        seen.add(nid)
        stack.append((nid, True))
        stack.extend((p, False) for p in reversed(preds[nid]) if p not in seen)
    rank = {nid: k for k, nid in enumerate(order)}

    for nid in order:                                   # longest path from an input
        by_id[nid].layer = 1 + max((by_id[p].layer for p in preds[nid]), default=-1)
    for nid in reversed(order):                         # inputs sit right above their first use
        n = by_id[nid]
        if not preds[nid] and succs[nid]:
            n.layer = min(by_id[s].layer for s in succs[nid]) - 1
    # an arrow that skips a few layers gets a bend point in each, laid out like a thin box;
    # longer ones run down a lane left of everything (one lane per source), so big graphs
    # stay fast and no arrow crosses a box
    bends, lanes = [], {}
    for e in edges:
        e.via, e.lane = [], None
        first, last = by_id[e.src].layer + 1, by_id[e.dst].layer
        if last - first > MAX_BENDS:
            e.lane = lanes.setdefault(e.src, len(lanes))
            continue
        for k in range(first, last):
            b = GraphNode(f"bend{len(bends)}", "bend", "", [], layer=k, w=4)
            rank[b.id] = rank[e.src] + 0.5
            preds[b.id], succs[b.id] = [(e.via or [by_id[e.src]])[-1].id], []
            succs[preds[b.id][0]].append(b.id)
            by_id[b.id] = b
            e.via.append(b)
            bends.append(b)
        if e.via:
            succs[e.via[-1].id].append(e.dst)
            preds[e.dst].append(e.via[-1].id)
    everything = nodes + bends
    depth = max(n.layer for n in nodes)
    layers = [sorted((n for n in everything if n.layer == k), key=lambda n: rank[n.id])
              for k in range(depth + 1)]

    y = MARGIN + LEGEND_H
    for layer in layers:
        layer_h = max(n.h for n in layer)
        for n in layer:
            n.y = y
            if n.kind == "bend":
                n.h = layer_h
        y += layer_h + GAP_Y
    height = y - GAP_Y + MARGIN

    def place(layer, want):
        """Positions as close to ``want`` as possible, in this order, GAP_X apart."""
        xs = []
        for n in layer:
            x = want[n.id]
            if xs:
                prev = layer[len(xs) - 1]
                x = max(x, xs[-1] + (prev.w + n.w) / 2 + GAP_X)
            xs.append(x)
        shift = np.mean([want[n.id] for n in layer]) - np.mean(xs)
        for n, x in zip(layer, xs):
            n.x = x + shift

    for layer in layers:
        place(layer, {n.id: 0.0 for n in layer})
    for sweep in range(8):
        for layer in (layers if sweep % 2 == 0 else layers[::-1]):
            want = {}
            for n in layer:
                nb = preds[n.id] + succs[n.id]
                want[n.id] = np.mean([by_id[m].x for m in nb]) if nb else n.x
            layer.sort(key=lambda n: (want[n.id], rank[n.id]))
            place(layer, want)

    left = min(n.x - n.w / 2 for n in everything) - LANE_W * len(lanes)
    for n in everything:
        n.x += MARGIN - left
    width = max(n.x + n.w / 2 for n in everything) + MARGIN
    return width, height


# --------------------------------------------------------------------------- drawing

def _esc(s):
    return html.escape(str(s), quote=True)


class Graph:
    """The graph behind a tensor.  ``.nodes`` and ``.edges`` hold the structure; it displays
    itself as SVG in Jupyter; ``.save("graph.svg")`` writes the file."""

    def __init__(self, tensor, names=None, grads=None, room_for_partial=False):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"graph: expected an autograd_mini Tensor, got {type(tensor).__name__}; "
                            "compute it from am.Variable(...) so there is a graph to draw")
        self.tensor = tensor
        self.nodes, self.edges, self.root = _build(tensor, _names_from(names))
        every = {id(n.ref) for n in self.nodes} if room_for_partial else ()
        for n in self.nodes:
            n.label = _lines(n, grads)
            n.w, n.h = _box_size(_lines(n, grads, every))   # wide enough for "grad so far"
        self.width, self.height = _layout(self.nodes, self.edges, self.root)
        self.width = max(self.width, 2 * MARGIN + 590)        # room for the legend
        self._by_obj = {id(n.ref): n for n in self.nodes}

    def node_of(self, obj):
        """The box that stands for this Tensor (or array)."""
        return self._by_obj[id(obj)]

    def render(self, highlight=(), grads=None, partial=()):
        """SVG text.  ``highlight``: tensors to mark (their incoming arrows too);
        ``grads``: {id(tensor): gradient} to show instead of ``.grad``; ``partial``: ids of
        tensors whose gradient is still being accumulated."""
        if isinstance(highlight, Tensor):
            highlight = [highlight]
        lit = {self.node_of(t).id for t in highlight if id(t) in self._by_obj}
        by_id = {n.id: n for n in self.nodes}
        out = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:.0f}" '
                f'height="{self.height:.0f}" viewBox="0 0 {self.width:.0f} {self.height:.0f}" '
                f'font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="{FONT}">'),
               '<rect width="100%" height="100%" fill="white"/>']
        out += self._legend(bool(lit))
        out += self._edges_svg(by_id, lit)
        for n in self.nodes:
            lines = n.label if grads is None and not partial else _lines(n, grads, partial)
            out.append(self._node_svg(n, lines, n.id in lit))
        out.append("</svg>")
        return "\n".join(out)

    def _legend(self, with_current):
        items = [("op", "op"), ("variable", "Variable (requires grad)"),
                 ("input", "input"), ("const", "constant")]
        x, out = MARGIN, []
        for kind, text in items + ([("current", "current step")] if with_current else []):
            fill, stroke = HIGHLIGHT if kind == "current" else STYLE[kind]
            out.append(f'<rect x="{x}" y="{MARGIN - 4}" width="12" height="12" rx="2" '
                       f'fill="{fill}" stroke="{stroke}"/>'
                       f'<text x="{x + 17}" y="{MARGIN + 6}" fill="#555">{_esc(text)}</text>')
            x += 17 + len(text) * CHAR_W + 16
        return out

    def _edges_svg(self, by_id, lit):
        def spread(k, count, n):
            step = min(26.0, n.w / (count + 1))
            return n.x + (k - (count - 1) / 2) * step

        ins, outs = {}, {}
        for e in self.edges:
            ins.setdefault(e.dst, []).append(e)
            outs.setdefault(e.src, []).append(e)
        # arrows leave and arrive side by side, ordered by where they come from / go to
        def comes_from(e):
            return -e.lane if e.lane is not None else (e.via or [by_id[e.src]])[-1].x

        end_x, left_side = {}, {}
        for dst, es in ins.items():
            es.sort(key=lambda e: (comes_from(e), e.arg))
            for k, e in enumerate(es):
                end_x[id(e)] = spread(k, len(es), by_id[dst])
                left_side[id(e)] = k < len(es) // 2          # its label goes left of the arrow
        start_x = {}
        for src, es in outs.items():
            es.sort(key=lambda e: (-e.lane if e.lane is not None else
                                   e.via[0].x if e.via else end_x[id(e)], e.arg))
            for k, e in enumerate(es):
                start_x[id(e)] = spread(k, len(es), by_id[src])

        out = []
        for e in self.edges:
            s, d = by_id[e.src], by_id[e.dst]
            x1, y1, x2, y2 = start_x[id(e)], s.y + s.h, end_x[id(e)], d.y - 7
            path = f"M{x1:.1f},{y1:.1f}"
            if e.lane is not None:             # out to the lane, down, and in again
                lx, ya, yb = MARGIN + LANE_W * e.lane, y1 + GAP_Y / 2, y2 - GAP_Y / 2 + 7
                path += (f" C{x1:.1f},{ya:.1f} {x1:.1f},{ya:.1f} {lx:.1f},{ya:.1f}"
                         f" L{lx:.1f},{yb:.1f} C{x2:.1f},{yb:.1f} {x2:.1f},{yb:.1f} {x2:.1f},{y2:.1f}")
            for b in (e.via + [None]) if e.lane is None else []:           # S-curves between layers, straight through them
                bx, by = (x2, y2) if b is None else (b.x, b.y)
                dy = (by - y1) / 2
                path += f" C{x1:.1f},{y1 + dy:.1f} {bx:.1f},{by - dy:.1f} {bx:.1f},{by:.1f}"
                if b is not None:
                    x1, y1 = b.x, b.y + b.h
                    path += f" L{x1:.1f},{y1:.1f}"
            hot = e.dst in lit
            color, width = (HIGHLIGHT[1], 2.2) if hot else ("#707070", 1.2)
            out.append(
                f'<g class="edge" data-src="{e.src}" data-dst="{e.dst}" data-label="{_esc(e.label)}">'
                f'<path d="{path}" fill="none" stroke="{color}" stroke-width="{width}"/>'
                f'<polygon points="{x2 - 4:.1f},{y2:.1f} {x2 + 4:.1f},{y2:.1f} {x2:.1f},{y2 + 7:.1f}" '
                f'fill="{color}"/>'
                f'<text x="{x2 + (-4 if left_side[id(e)] else 4):.1f}" y="{y2 - 2:.1f}" '
                f'text-anchor="{"end" if left_side[id(e)] else "start"}" font-size="10" '
                f'fill="{color}">{_esc(e.label)}</text></g>')
        return out

    def _node_svg(self, n, lines, lit):
        fill, stroke = HIGHLIGHT if lit else STYLE[n.kind]
        w = max(n.w, _box_size(lines)[0])
        sw = 3 if lit else (2.4 if n is self.root else 1.2)
        dash = ' stroke-dasharray="4 3"' if n.kind == "const" else ""
        rx = 10 if n.kind == "op" else 3
        parts = [f'<g class="node" id="{n.id}" data-kind="{n.kind}">',
                 f'<title>{_esc(" | ".join(lines))}</title>',
                 (f'<rect x="{n.x - w / 2:.1f}" y="{n.y:.1f}" width="{w:.1f}" height="{n.h:.1f}" '
                  f'rx="{rx}" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"{dash}/>')]
        for k, line in enumerate(lines):
            y = n.y + PAD_Y + (k + 0.78) * LINE_H
            style = ' font-weight="bold"' if k == 0 else (
                f' fill="{GRAD_COLOR}"' if line.startswith("grad") else ' fill="#333"')
            parts.append(f'<text x="{n.x:.1f}" y="{y:.1f}" text-anchor="middle"{style}>'
                         f'{_esc(line)}</text>')
        parts.append("</g>")
        return "".join(parts)

    # -- display
    @property
    def svg(self):
        return self.render()

    def _repr_svg_(self):
        return self.render()

    def save(self, path):
        """Write the picture as an SVG file (open it in any browser)."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.render())
        return path

    def __repr__(self):
        return f"<Graph of {self.root.title}: {len(self.nodes)} nodes, {len(self.edges)} edges>"


def graph(tensor, names=None):
    """The computational graph that produced ``tensor``, as a picture.

    One box per op (its name, output shape, and after ``backward()`` its gradient) and per
    input; arrows go from each value to the ops that use it, labelled with the argument
    name.  Arrays with at most 4 numbers show their values.

    ``names``: a dict {name: object} used to label boxes (W, X, pred, ...); by default the
    variables of the calling code (your notebook's), ``names={}`` to turn it off.
    """
    return Graph(tensor, caller_names() if names is None else names)
