"""Pictures and widgets for autograd_mini.  Imported only on request (``am.viz`` or
``from autograd_mini import viz``); matplotlib and ipywidgets load inside the functions
that need them.

    viz.graph(loss)                      the computational graph, shapes and gradients (SVG)
    viz.backprop_stepper(loss)           walk the backward pass node by node (widget)
    viz.backprop_steps(loss)             ... the same walk as a plain list of steps
    viz.descent_explorer(loss_fn, ...)   gradient descent on a 2-D loss, with sliders (widget)
    viz.descent_path(loss_fn, ...)       ... the trajectory as plain arrays
    viz.step_size_plot(f, x)             finite-difference error against the step h, log-log
    viz.jacobian_heatmap(f, x)           a Jacobian as a colour map
    viz.vjp_rule("multiply")             the VJP rule of a primitive, read from ops.py

Every widget falls back to a static picture when no browser can drive it: under
``nbgrader`` (NBGRADER_EXECUTION set), without ipywidgets, or with ``interactive=False``.
"""
from .explorer import descent_explorer, descent_path
from .graph import Graph, graph
from .plots import jacobian_heatmap, step_size_errors, step_size_plot
from .rules import VJPRule, vjp_rule
from .stepper import backprop_stepper, backprop_steps

__all__ = ["Graph", "VJPRule", "backprop_stepper", "backprop_steps", "descent_explorer",
           "descent_path", "graph", "jacobian_heatmap", "step_size_errors", "step_size_plot",
           "vjp_rule"]
