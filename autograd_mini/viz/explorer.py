"""Gradient descent on a loss of two numbers: the path over the contour plot, with sliders.

``descent_path`` is the computation (plain gradient descent, stopped when it blows up);
``descent_explorer`` draws it and lets you move the learning rate, the number of steps and
the start point.  Past the stable step size the path zigzags outwards: "diverged".
"""
from dataclasses import dataclass

import numpy as np

from ._frontend import png_bytes, use_widgets

BLOW_UP = 1e6      # |p| this many times larger than the start (plus one): stop, it diverged


@dataclass
class DescentPath:
    points: np.ndarray      # (k + 1, 2): the start, then one row per step taken
    losses: np.ndarray      # (k + 1,): the loss at each point
    lr: float
    diverged: bool          # blew up, or ended with a larger loss than it started with

    @property
    def steps(self):
        return len(self.points) - 1


def _value(v):
    return float(np.asarray(getattr(v, "data", v)))


def descent_path(loss_fn, start, lr, steps, grad_fn=None):
    """Plain gradient descent ``p ← p − lr · ∇loss(p)`` from ``start``, ``steps`` times.

    ``loss_fn(p)`` takes an array of 2 numbers and returns a scalar; its gradient comes from
    ``am.grad(loss_fn)`` unless you pass ``grad_fn``.  Stops early when the point or the
    loss stops being finite or grows past ``BLOW_UP`` times the start.  ``diverged`` is True
    then, or when the final loss is larger than the first.
    """
    if grad_fn is None:
        from ..functional import grad
        grad_fn = grad(loss_fn)
    p = np.array(start, dtype=float)
    limit = BLOW_UP * (1.0 + np.max(np.abs(p)))
    points, losses, blew_up = [p], [_value(loss_fn(p))], False
    with np.errstate(all="ignore"):
        for _ in range(int(steps)):
            p = p - lr * np.asarray(grad_fn(p), dtype=float)
            loss = _value(loss_fn(p))
            points.append(p)
            losses.append(loss)
            if not (np.all(np.isfinite(p)) and np.isfinite(loss)) or np.max(np.abs(p)) > limit:
                blew_up = True
                break
    losses = np.array(losses)
    return DescentPath(np.array(points), losses, float(lr), blew_up or losses[-1] > losses[0])


def loss_grid(loss_fn, xlim, ylim, n=61):
    """The loss on an n × n grid: (xs, ys, Z) with Z[i, j] = loss([xs[j], ys[i]])."""
    xs, ys = np.linspace(*xlim, n), np.linspace(*ylim, n)
    with np.errstate(all="ignore"):
        Z = np.array([[_value(loss_fn(np.array([x, y]))) for x in xs] for y in ys])
    return xs, ys, Z


def descent_figure(loss_fn, path, xlim, ylim, grid=None, labels=("p[0]", "p[1]")):
    """Contour plot with the path, and the loss per step (a matplotlib Figure)."""
    from .plots import new_figure
    xs, ys, Z = grid if grid is not None else loss_grid(loss_fn, xlim, ylim)
    fig = new_figure(figsize=(10.5, 4.4))
    ax, ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})

    finite = Z[np.isfinite(Z)]
    levels = np.unique(np.quantile(finite, np.linspace(0, 1, 24))) if finite.size else 10
    cs = ax.contourf(xs, ys, Z, levels=levels, cmap="viridis", alpha=0.85)
    ax.contour(xs, ys, Z, levels=levels, colors="white", linewidths=0.4, alpha=0.6)
    fig.colorbar(cs, ax=ax, label="loss", format="%.3g")
    pts = path.points
    ax.plot(pts[:, 0], pts[:, 1], "-o", color="#ff6b6b", ms=3.5, lw=1.4, label="gradient descent")
    ax.plot(*pts[0], "o", ms=9, mfc="white", mec="black", label="start")
    ax.plot(*pts[-1], "X", ms=10, color="#c92a2a", mec="white", label="end")
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
    if path.diverged:
        ax.set_title(f"lr = {path.lr:.3g}: DIVERGED after {path.steps} steps", color="#c92a2a")
    else:
        ax.set_title(f"lr = {path.lr:.3g}, {path.steps} steps: loss {path.losses[-1]:.3g}")

    losses = np.where(np.isfinite(path.losses), path.losses, np.nan)
    ax_loss.plot(np.arange(len(losses)), losses, "-o", ms=3, color="#1c7ed6")
    if np.nanmin(losses) > 0:
        ax_loss.set_yscale("log")
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss")
    ax_loss.set_title("loss per step" + (" (growing: diverged)" if path.diverged else ""),
                      color="#c92a2a" if path.diverged else "black")
    ax_loss.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig


def descent_explorer(loss_fn, start=(0.0, 0.0), lr=0.1, steps=30, xlim=(-3, 3), ylim=(-3, 3),
                     lr_range=(1e-3, 1.0), max_steps=200, labels=("p[0]", "p[1]"),
                     grad_fn=None, interactive=None):
    """Gradient descent on ``loss_fn(p)``, p an array of 2 numbers, drawn over its contours.

    Sliders: the learning rate (log scale over ``lr_range``), the number of steps and the
    start point (within ``xlim`` × ``ylim``).  Try a learning rate past the stable one: the
    path zigzags outwards and the title says DIVERGED.  Without a browser (nbgrader, no
    ipywidgets, ``interactive=False``) it returns the figure for the given values.
    """
    grid = loss_grid(loss_fn, xlim, ylim)
    if grad_fn is None:
        from ..functional import grad
        grad_fn = grad(loss_fn)

    def figure(lr, steps, x0, y0):
        path = descent_path(loss_fn, (x0, y0), lr, steps, grad_fn)
        return descent_figure(loss_fn, path, xlim, ylim, grid, labels)

    if not use_widgets(interactive):
        return figure(lr, steps, *start)

    import ipywidgets as w
    lo, hi = np.log10(lr_range[0]), np.log10(lr_range[1])
    common = {"continuous_update": False, "style": {"description_width": "70px"},
              "layout": w.Layout(width="360px")}
    sliders = {
        "lr": w.FloatLogSlider(value=lr, base=10, min=lo, max=hi, step=(hi - lo) / 100,
                               description="lr", readout_format=".3g", **common),
        "steps": w.IntSlider(value=steps, min=1, max=max_steps, description="steps", **common),
        "x0": w.FloatSlider(value=start[0], min=xlim[0], max=xlim[1], step=(xlim[1] - xlim[0]) / 200,
                            description=f"start {labels[0]}", **common),
        "y0": w.FloatSlider(value=start[1], min=ylim[0], max=ylim[1], step=(ylim[1] - ylim[0]) / 200,
                            description=f"start {labels[1]}", **common),
    }
    image = w.Image(format="png", layout=w.Layout(max_width="100%"))

    def redraw(_=None):
        image.value = png_bytes(figure(**{k: s.value for k, s in sliders.items()}))

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([sliders["lr"], sliders["steps"]]),
                   w.HBox([sliders["x0"], sliders["y0"]]), image])
