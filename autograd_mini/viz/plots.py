"""Static plots: finite-difference error against the step size, and Jacobian heat maps.

Each function returns a matplotlib Figure (leave it as the last line of a cell to see it)
or draws into the ``ax`` you give it.
"""
import numpy as np


def new_figure(**kwargs):
    """A figure that pyplot does not keep: it shows once, where it is returned."""
    import matplotlib.pyplot as plt
    fig = plt.figure(**kwargs)
    plt.close(fig)
    return fig


def _axes(ax, **kwargs):
    if ax is not None:
        return ax.figure, ax
    fig = new_figure(**kwargs)
    return fig, fig.add_subplot()


def _value(v):
    return np.asarray(getattr(v, "data", v))


def step_size_errors(f, x, df=None, hs=None, dtype=np.float64):
    """Errors of the forward and central differences of a scalar f at x, for each step h.

    Computed in ``dtype`` (try np.float32); ``df`` is the exact derivative at x (default:
    ``am.grad(f)`` in float64).  Returns {"h", "forward", "central", "exact"}.
    """
    hs = np.logspace(-16, 0, 65) if hs is None else np.asarray(hs, dtype=float)
    if df is None:
        from ..functional import grad
        df = grad(f)(np.float64(x))
    exact = float(_value(df))
    xd = dtype(x)
    forward, central = [], []
    with np.errstate(all="ignore"):
        fx = _value(f(xd)).astype(dtype)
        for h in hs:
            h = dtype(h)
            fp, fm = _value(f(xd + h)).astype(dtype), _value(f(xd - h)).astype(dtype)
            forward.append(float((fp - fx) / h))
            central.append(float((fp - fm) / (dtype(2) * h)))
    err = lambda d: np.abs(np.array(d) - exact)
    return {"h": hs, "forward": err(forward), "central": err(central), "exact": exact}


def step_size_plot(f, x, df=None, hs=None, dtypes=(np.float64,), ax=None, title=None):
    """Log-log plot of the finite-difference error against the step h, forward and central.

    Large h: truncation error (slope 1 forward, slope 2 central).  Small h: rounding error
    grows like ε/h.  The best h of each curve is marked.  ``dtypes=(np.float64, np.float32)``
    compares precisions.
    """
    fig, ax = _axes(ax, figsize=(7, 4.6))
    styles = {"forward": "-", "central": "--"}
    colors = ["#1c7ed6", "#e8590c", "#2f9e44", "#ae3ec9"]
    for k, dtype in enumerate(dtypes):
        r = step_size_errors(f, x, df, hs, dtype)
        for kind, ls in styles.items():
            e = np.where(r[kind] > 0, r[kind], np.nan)      # exact hits cannot go on a log axis
            color = colors[(2 * k + (kind == "central")) % len(colors)]
            ax.loglog(r["h"], e, ls, color=color, lw=1.6,
                      label=f"{kind} difference, {np.dtype(dtype).name}")
            if np.any(np.isfinite(e)):
                best = np.nanargmin(e)
                ax.plot(r["h"][best], e[best], "o", color=color, ms=6)
                ax.annotate(f"h ≈ {r['h'][best]:.0e}", (r["h"][best], e[best]),
                            textcoords="offset points", xytext=(4, -12), fontsize=8, color=color)
    ax.set_xlabel("step size h")
    ax.set_ylabel("absolute error |finite difference − f′(x)|")
    ax.set_title(title or f"Finite-difference error of f′(x) at x = {x:g}")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def jacobian_heatmap(J, x=None, ax=None, title=None, annotate=None):
    """A Jacobian as a colour map: row i = output f_i, column j = input x_j (numerator layout).

    ``J`` is an array, or a function f, in which case it shows ``am.jacobian(f)(x)``.
    Arrays with more axes are flattened to (outputs, inputs).  Values are written in the
    cells when there are at most 12 × 12 (``annotate`` to force).
    """
    if callable(J):
        from ..functional import jacobian
        x = np.asarray(x, dtype=float)
        J = jacobian(J)(x)
    J = np.asarray(_value(J), dtype=float)
    shape = J.shape
    if J.ndim != 2:
        n_in = int(np.prod(x.shape)) if x is not None else J.shape[-1]
        J = J.reshape(-1, n_in)
    fig, ax = _axes(ax, figsize=(1.6 + 0.45 * min(J.shape[1], 20), 1.4 + 0.4 * min(J.shape[0], 20)))
    fig.set_size_inches(max(fig.get_size_inches()[0], 4.2), max(fig.get_size_inches()[1], 3.2))
    vmax = np.max(np.abs(J)) or 1.0
    im = ax.imshow(J, cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto")
    fig.colorbar(im, ax=ax, label="∂f_i / ∂x_j")
    if annotate or (annotate is None and J.shape[0] <= 12 and J.shape[1] <= 12):
        for (i, j), v in np.ndenumerate(J):
            ax.text(j, i, f"{v:.2g}", ha="center", va="center", fontsize=8,
                    color="white" if abs(v) > 0.6 * vmax else "black")
    ax.set_xticks(range(J.shape[1]) if J.shape[1] <= 20 else ax.get_xticks()[1:-1])
    ax.set_yticks(range(J.shape[0]) if J.shape[0] <= 20 else ax.get_yticks()[1:-1])
    ax.set_xlabel("input index j")
    ax.set_ylabel("output index i")
    flat = "" if J.shape == shape else f", flattened from {shape}"
    ax.set_title(title or f"Jacobian, shape {J.shape}{flat}")
    fig.tight_layout()
    return fig
