"""Walk the backward pass one node at a time.

``backprop_steps(loss)`` is the computation: the engine's own backward pass gives the
order and each node's upstream gradient; for every op we call its VJP rules once more to
show what each input receives.  ``backprop_stepper(loss)`` draws it: the graph with the
current node highlighted, its upstream gradient, its local VJP rule and the results.
"""
import html
from dataclasses import dataclass, field

import numpy as np

from ..core import Tensor, backward_pass, unbroadcast
from ._frontend import use_widgets
from .graph import Graph, caller_names, describe
from .rules import VJPRule, vjp_rule


@dataclass
class Contribution:
    arg: int                  # which argument of the op
    name: str                 # its name in the VJP rule (x, y, a, b, ...)
    code: str                 # the rule's expression, e.g. "g * y"
    tensor: Tensor = field(repr=False)    # the input that receives it
    grad: np.ndarray = field(repr=False)  # this op's share of d(loss)/d(input), input-shaped
    broadcast_shape: tuple = None         # the rule's output shape when it had to be summed back


@dataclass
class Step:
    index: int
    tensor: Tensor = field(repr=False)    # the value whose gradient is now complete
    op: str                   # the op that made it, or None for an input (a leaf)
    upstream: np.ndarray = field(repr=False)   # d(loss)/d(tensor): g, fed to the VJP rules
    rule: VJPRule = None
    contributions: list = field(default_factory=list)
    complete: dict = field(default_factory=dict, repr=False)  # {id: grad} final after this step
    partial: dict = field(default_factory=dict, repr=False)   # {id: grad} still accumulating


def backprop_steps(loss, gradient=None):
    """The backward pass from ``loss`` as a list of ``Step``s, in the engine's order.

    Step k: the tensor whose gradient ``upstream`` is complete, the op that made it, the
    rule of that op, and what each of its inputs receives (``contributions``).
    """
    if not isinstance(loss, Tensor) or not loss.requires_grad:
        raise ValueError("backprop_steps: this value does not depend on any Variable, so there "
                         "is no backward pass to show; build it from am.Variable(...)")
    if gradient is None:
        if loss.size != 1:
            raise ValueError(f"backprop_steps: the output has shape {loss.shape}; pass the upstream "
                             f"gradient (e.g. np.ones({loss.shape})) or reduce it to a scalar")
        gradient = np.ones_like(loss.data)
    done = backward_pass([loss], [np.asarray(gradient, dtype=loss.data.dtype)])

    steps, complete, partial = [], {}, {}
    for k, (t, g) in enumerate(done.values()):
        partial.pop(id(t), None)
        complete[id(t)] = g
        step = Step(k, t, None, g)
        node = t._node
        if node is not None:
            step.op, step.rule = node.op_name, vjp_rule(node.fun)
            for i in node.parents:
                parent = node.args[i]
                gi = np.asarray(node.fun.vjps[i](g, t.data, *node.raw_args, **node.kwargs))
                wide = gi.shape if gi.shape != parent.shape else None
                if wide:                              # broadcasting: summed back, as the engine does
                    gi = unbroadcast(gi, parent.shape)
                step.contributions.append(Contribution(
                    i, step.rule.name(i), step.rule.code.get(i, "?"), parent, gi, wide))
                partial[id(parent)] = partial[id(parent)] + gi if id(parent) in partial else gi
        step.complete, step.partial = dict(complete), dict(partial)
        steps.append(step)
    return steps


# --------------------------------------------------------------------------- text

def step_text(step, total, title_of):
    """What happens at one step, in a few lines."""
    who = title_of(step.tensor)
    if step.op is None:
        return [f"Step {step.index + 1} of {total}: {who} is an input.",
                f"Every use of it has sent its gradient back, so d loss/d {who} is final:",
                f"    {describe(step.upstream)}   (what .backward() stores in .grad)"]
    lines = [f"Step {step.index + 1} of {total}: {who}",
             f"upstream gradient  g = d loss/d out : {describe(step.upstream)}"]
    if step.rule.math:
        lines.append(f"local rule ({step.op})  {step.rule.math}")
    for c in step.contributions:
        summed = (f"  (summed over the broadcast axes of {c.broadcast_shape})"
                  if c.broadcast_shape else "")
        lines.append(f"  input {c.name} = {title_of(c.tensor)}:  {c.code}  ->  "
                     f"{describe(c.grad)}{summed}")
    return lines


def _step_html(graph, steps, k):
    step = steps[k]
    text = "\n".join(step_text(step, len(steps), lambda t: graph.node_of(t).title))
    svg = graph.render(highlight=[step.tensor], grads=step.complete | step.partial,
                       partial=set(step.partial))
    return (f'<pre style="font-size:12px;line-height:1.4;margin:4px 0">{html.escape(text)}</pre>'
            f'<div style="overflow:auto">{svg}</div>')


class StaticSteps:
    """The stepper without a browser: the finished graph and every step as text."""

    def __init__(self, graph, steps):
        self.graph, self.steps = graph, steps

    def text(self):
        title = lambda t: self.graph.node_of(t).title
        return "\n\n".join("\n".join(step_text(s, len(self.steps), title)) for s in self.steps)

    def _repr_html_(self):
        final = self.steps[-1].complete
        return (f"<div><b>Backward pass, {len(self.steps)} steps</b> (static view: run the "
                f"notebook in JupyterLab to step through it)"
                f'<div style="overflow:auto">{self.graph.render(grads=final)}</div>'
                f'<pre style="font-size:12px;line-height:1.4">{html.escape(self.text())}</pre></div>')

    def __repr__(self):
        return self.text()


def backprop_stepper(loss, names=None, interactive=None):
    """A widget that walks the backward pass from ``loss`` node by node.

    Each step highlights one node of the graph and shows the gradient arriving from
    above (g), the op's VJP rule as written in ``autograd_mini/ops.py``, and what each input
    receives.  Gradients still being summed (a value used twice) are marked "so far".
    Without a browser (nbgrader, no ipywidgets, ``interactive=False``) it shows all steps
    at once.  ``names`` as in ``viz.graph``.
    """
    steps = backprop_steps(loss)
    graph = Graph(loss, caller_names() if names is None else names, grads=steps[-1].complete,
                  room_for_partial=True)
    if not use_widgets(interactive):
        return StaticSteps(graph, steps)

    import ipywidgets as w
    slider = w.IntSlider(value=0, min=0, max=len(steps) - 1, description="step",
                         continuous_update=True)
    back = w.Button(description="◀ back", layout=w.Layout(width="90px"))
    forward = w.Button(description="next ▶", layout=w.Layout(width="90px"))
    view = w.HTML(_step_html(graph, steps, 0))

    def show(change):
        view.value = _step_html(graph, steps, change["new"])

    slider.observe(show, names="value")
    back.on_click(lambda _: setattr(slider, "value", max(slider.value - 1, 0)))
    forward.on_click(lambda _: setattr(slider, "value", min(slider.value + 1, slider.max)))
    return w.VBox([w.HBox([back, slider, forward]), view])
