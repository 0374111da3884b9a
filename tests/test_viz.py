"""autograd_mini.viz: the graph view, the backprop stepper, the descent explorer, the plots.

Everything here runs headless: the computations are plain functions, figures render with
Agg, widgets are built but never shown, and the static fallbacks are checked directly.
"""
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini.core import backward_pass

pytest.importorskip("matplotlib")
import matplotlib

matplotlib.use("Agg")
from autograd_mini import viz

SVG = "{http://www.w3.org/2000/svg}"


def test_import_autograd_mini_loads_no_pictures():
    code = ("import sys, autograd_mini as am; am.Tensor([1.0]);"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'ipywidgets')"
            "       or m.startswith('autograd_mini.viz')]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    # even the viz package itself loads matplotlib and ipywidgets only when drawing
    code = ("import sys; from autograd_mini import viz;"
            "print([m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'ipywidgets')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- graph

def small_expression():
    """z = sum(tanh(x*x + b) * x): x is used three times, twice by the same multiply."""
    x = am.Variable(np.array([1.0, 2.0]))
    b = am.Variable(0.5)
    z = am.sum(am.tanh(x * x + b) * x)
    return x, b, z


def edge_triples(g):
    title = {n.id: n.title for n in g.nodes}
    return Counter((title[e.src], title[e.dst], e.label) for e in g.edges)


def test_graph_nodes_edges_and_a_value_used_twice():
    x, b, z = small_expression()
    g = viz.graph(z, names={"x": x, "b": b, "z": z})
    assert Counter(n.title for n in g.nodes) == Counter(
        ["z = sum", "multiply", "multiply", "tanh", "add", "x", "b"])
    assert Counter(n.kind for n in g.nodes) == Counter(op=5, variable=2)
    assert edge_triples(g) == Counter([
        ("x", "multiply", "x"), ("x", "multiply", "y"),      # x * x: two arrows, one box
        ("multiply", "add", "x"), ("b", "add", "y"),
        ("add", "tanh", "x"),
        ("tanh", "multiply", "x"), ("x", "multiply", "y"),   # ... * x
        ("multiply", "z = sum", "x")])
    square = next(n for n in g.nodes if n.title == "multiply"
                  and all(by.title == "x" for by in g.nodes
                          if any(e.src == by.id and e.dst == n.id for e in g.edges)))
    assert sum(e.src == g.node_of(x).id and e.dst == square.id for e in g.edges) == 2
    assert g.root is g.node_of(z)
    assert not any("grad" in line for n in g.nodes for line in n.label)   # no backward yet


def test_graph_labels_show_shapes_values_and_gradients_after_backward():
    x, b, z = small_expression()
    z.backward()
    g = viz.graph(z, names={"x": x, "b": b, "z": z})
    lx = g.node_of(x).label
    assert lx[0] == "x" and lx[1] == "(2,) [1, 2]"
    assert lx[2].startswith("grad (2,) [")
    gx = np.array([float(v) for v in lx[2].split("[")[1].rstrip("]").split(",")])
    np.testing.assert_allclose(gx, x.grad, atol=1e-3)
    assert g.node_of(b).label[2].startswith("grad scalar")
    assert g.node_of(z).label[1:] == [f"scalar {float(z.data):.4g}", "grad scalar 1"]
    big = am.Variable(np.ones((5, 3)))
    loss = am.sum(big * 2.0)
    loss.backward()
    lb = viz.graph(loss, names={}).node_of(big).label
    assert lb[1:] == ["(5, 3)", "grad (5, 3)"]                 # big arrays: shapes only


def test_graph_svg_is_valid_and_carries_the_structure(tmp_path):
    x, b, z = small_expression()
    z.backward()
    g = viz.graph(z, names={"x": x, "b": b, "z": z})
    svg = g._repr_svg_()
    root = ET.fromstring(svg)                                  # well-formed XML
    nodes = root.findall(f".//{SVG}g[@class='node']")
    edges = root.findall(f".//{SVG}g[@class='edge']")
    assert len(nodes) == len(g.nodes) == 7 and len(edges) == len(g.edges) == 8
    texts = {n.get("id"): [t.text for t in n.findall(f"{SVG}text")] for n in nodes}
    assert texts[g.node_of(x).id][0] == "x" and texts[g.root.id][0] == "z = sum"
    pairs = Counter((e.get("data-src"), e.get("data-dst")) for e in edges)
    assert 2 in pairs.values()                                # x -> x*x, drawn twice
    path = g.save(tmp_path / "graph.svg")
    assert ET.parse(path).getroot().tag == f"{SVG}svg"
    assert "7 nodes, 8 edges" in repr(g)


def test_graph_constants_parameters_and_names():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=(20, 1))
    W = am.Variable(np.zeros((3, 1)))
    pred = X @ W
    loss = am.mean((pred - y) ** 2) + am.sum(W[:, 0] * X[0]) + am.sum(W, axis=0)[0]
    g = viz.graph(loss)                                       # names from this function
    titles = Counter(n.title for n in g.nodes)
    assert titles["W"] == titles["X"] == titles["y"] == titles["pred = matmul"] == 1
    assert titles["2"] == 1 and titles["getitem [:, 0]"] == 1 and titles["sum axis=0"] == 1
    assert titles["getitem [0]"] == 1
    assert g.node_of(X).kind == "const" and g.node_of(W).kind == "variable"
    # the same array X feeds two ops from one box; the index is not a box of its own
    assert sum(e.src == g.node_of(X).id for e in g.edges) == 1        # X[0] is computed by numpy
    assert ("X", "pred = matmul", "a") in edge_triples(g)
    assert g.node_of(y).label == ["y", "(20, 1)"]
    # a Tensor that needs no gradient is an "input"; numbers used twice get a box each
    c = am.Tensor([1.0, 2.0])
    v = am.Variable([3.0, 4.0])
    out = am.sum(c * v * 3.0 + 3.0)
    g = viz.graph(out, names={"c": c})
    assert g.node_of(c).kind == "input"
    assert Counter(n.title for n in g.nodes if n.kind == "const") == Counter({"3": 2})


def test_graph_of_a_leaf_and_of_non_tensors():
    v = am.Variable(2.0)
    g = viz.graph(v, names={})
    assert [n.title for n in g.nodes] == ["Variable"] and g.edges == []
    ET.fromstring(g.svg)
    with pytest.raises(TypeError, match="Tensor"):
        viz.graph(np.ones(3))


def test_vjp_rules_come_from_ops_source():
    rule = viz.vjp_rule("multiply")
    assert rule.math == "d(xy) = y dx + x dy"
    assert rule.code == {0: "g * y", 1: "g * x"} and rule.arg_names == ("x", "y")
    assert viz.vjp_rule(am.matmul).arg_names == ("a", "b")
    assert "dA = G Bᵀ" in viz.vjp_rule("matmul").math
    from autograd_mini import ops
    from autograd_mini.core import PRIMITIVES
    for name, fun in PRIMITIVES.items():                      # every primitive of ops.py
        if getattr(ops, name, None) is fun or name == "where":
            assert set(viz.vjp_rule(fun).code) == set(fun.vjps), name
    with pytest.raises(KeyError):
        viz.vjp_rule("no_such_op")


def test_vjp_rule_of_a_primitive_defined_elsewhere():
    from autograd_mini.core import PRIMITIVES
    cube = am.primitive(lambda x: x ** 3, "viz_test_cube")
    try:
        am.defvjp(cube, lambda g, ans, x: 3 * g * x ** 2)      # d x³ = 3x² dx
        rule = viz.vjp_rule(cube)
        assert rule.math == "d x³ = 3x² dx" and rule.code == {0: "3 * g * x ** 2"}
        x = am.Variable([1.0, 2.0])
        steps = viz.backprop_steps(am.sum(cube(x)))
        np.testing.assert_allclose(steps[-1].upstream, [3.0, 12.0])
        assert "d x³ = 3x² dx" in viz.backprop_stepper(am.sum(cube(x)), interactive=False).text()
    finally:
        PRIMITIVES.pop("viz_test_cube", None)


# --------------------------------------------------------------------------- stepper

def stepper_cases():
    _, _, z = small_expression()
    yield z
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6, 3))
    W, c = am.Variable(rng.normal(size=(3, 2))), am.Variable(np.zeros(2))
    h = am.tanh(X @ W + c)                                    # c is broadcast over the rows
    yield am.mean(h * h) + am.sum(W ** 2) * 0.1


@pytest.mark.parametrize("case", range(2))
def test_stepper_follows_the_engine(case):
    loss = list(stepper_cases())[case]
    steps = viz.backprop_steps(loss)
    done = backward_pass([loss], [np.ones_like(loss.data)])
    assert [id(s.tensor) for s in steps] == list(done)        # the engine's order
    for s in steps:
        np.testing.assert_allclose(s.upstream, done[id(s.tensor)][1])
        assert (s.op is None) == (s.tensor._node is None)
        if s.op is not None:
            assert s.op == s.tensor._node.op_name
            assert [c.arg for c in s.contributions] == list(s.tensor._node.parents)
    # what an input receives, summed over the steps, is its full gradient
    received = {}
    for s in steps:
        for c in s.contributions:
            assert c.grad.shape == c.tensor.shape
            received[id(c.tensor)] = received.get(id(c.tensor), 0) + c.grad
    for s in steps[1:]:
        np.testing.assert_allclose(received[id(s.tensor)], s.upstream)
    # and the leaves end with what backward() stores in .grad
    loss.backward()
    for s in steps:
        if s.op is None:
            np.testing.assert_allclose(s.upstream, s.tensor.grad)
    assert set(steps[-1].complete) == set(done) and not steps[-1].partial


def test_stepper_shows_rule_and_broadcasting():
    loss = list(stepper_cases())[1]
    steps = viz.backprop_steps(loss)
    static = viz.backprop_stepper(loss, interactive=False)
    text = static.text()
    assert "d(xy) = y dx + x dy" in text and "g * y" in text
    assert "summed over the broadcast axes of (6, 2)" in text   # the bias c
    assert f"Step {len(steps)} of {len(steps)}" in text
    html = static._repr_html_()
    assert html.count("<svg") == 1 and "Backward pass" in html
    with pytest.raises(ValueError, match="Variable"):
        viz.backprop_steps(am.Tensor(1.0) * 2)


def test_stepper_widget_and_its_fallbacks(monkeypatch):
    pytest.importorskip("ipywidgets")
    _, _, z = small_expression()
    w = viz.backprop_stepper(z)
    (back, slider, forward), view = w.children[0].children, w.children[1]
    steps = viz.backprop_steps(z)
    graph = viz.graph(z, names={})
    lit = re.compile(r'<g class="node" id="(n\d+)"[^>]*><title>[^<]*</title><rect[^>]*#fff3a3')
    assert "Step 1 of 7" in view.value and "<svg" in view.value
    assert lit.findall(view.value) == [graph.root.id]
    forward.click()
    assert slider.value == 1 and "Step 2 of 7" in view.value
    assert lit.findall(view.value) == [graph.node_of(steps[1].tensor).id]
    slider.value = slider.max
    forward.click()
    assert slider.value == slider.max
    back.click()
    assert slider.value == slider.max - 1
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert isinstance(viz.backprop_stepper(z), viz.stepper.StaticSteps)
    monkeypatch.delenv("NBGRADER_EXECUTION")
    monkeypatch.setitem(sys.modules, "ipywidgets", None)      # not installed
    assert isinstance(viz.backprop_stepper(z), viz.stepper.StaticSteps)


# --------------------------------------------------------------------------- descent

A = np.diag([1.0, 10.0])
B = np.array([1.0, -2.0])


def quadratic(p):
    return 0.5 * am.sum(p * am.matmul(A, p)) - am.sum(B * p)


def plain_descent(p, lr, steps):
    points = [np.array(p, dtype=float)]
    for _ in range(steps):
        points.append(points[-1] - lr * (A @ points[-1] - B))
    return np.array(points)


@pytest.mark.parametrize("lr", [0.01, 0.1, 0.19])
def test_descent_path_is_plain_gradient_descent(lr):
    path = viz.descent_path(quadratic, (2.0, 1.5), lr, 40)
    np.testing.assert_allclose(path.points, plain_descent((2.0, 1.5), lr, 40), rtol=1e-12)
    np.testing.assert_allclose(path.losses, [float(quadratic(p)) for p in path.points])
    assert not path.diverged and path.steps == 40 and path.losses[-1] < path.losses[0]


def test_descent_path_reports_divergence_past_the_stable_step():
    # largest curvature 10: gradient descent is stable for lr < 2/10
    path = viz.descent_path(quadratic, (2.0, 1.5), 0.21, 40)
    assert path.diverged and path.steps == 40
    np.testing.assert_allclose(path.points, plain_descent((2.0, 1.5), 0.21, 40), rtol=1e-12)
    huge = viz.descent_path(quadratic, (2.0, 1.5), 50.0, 500)  # blows up: stops early, no warning
    assert huge.diverged and huge.steps < 500
    np.testing.assert_allclose(huge.points, plain_descent((2.0, 1.5), 50.0, huge.steps))
    own = viz.descent_path(quadratic, (2.0, 1.5), 0.1, 5, grad_fn=lambda p: A @ p - B)
    np.testing.assert_allclose(own.points, plain_descent((2.0, 1.5), 0.1, 5))


def main_axes(fig):
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def assert_labelled_png(fig, path):
    for ax in main_axes(fig):
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_descent_explorer_static_and_widget(tmp_path, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    fig = viz.descent_explorer(quadratic, start=(2.0, 1.5), lr=0.25, steps=30,
                               xlim=(-3, 3), ylim=(-3, 3))
    assert "DIVERGED" in main_axes(fig)[0].get_title()
    assert_labelled_png(fig, tmp_path / "diverged.png")
    fig = viz.descent_explorer(quadratic, start=(2.0, 1.5), lr=0.1, steps=30, labels=("w", "b"))
    assert "DIVERGED" not in main_axes(fig)[0].get_title()
    assert main_axes(fig)[0].get_xlabel() == "w"
    monkeypatch.delenv("NBGRADER_EXECUTION")
    pytest.importorskip("ipywidgets")
    w = viz.descent_explorer(quadratic, start=(2.0, 1.5), lr=0.1, steps=10, lr_range=(1e-3, 1.0))
    image = w.children[-1]
    sliders = [s for box in w.children[:-1] for s in box.children]
    assert [s.description for s in sliders] == ["lr", "steps", "start p[0]", "start p[1]"]
    before = image.value
    assert before[:8] == b"\x89PNG\r\n\x1a\n"
    sliders[0].value = 0.5
    assert image.value != before and image.value[:4] == b"\x89PNG"[:4]


# --------------------------------------------------------------------------- plots

def test_step_size_plot(tmp_path):
    f = lambda x: am.exp(am.sin(x))
    r = viz.step_size_errors(f, 1.0)
    assert np.isclose(r["exact"], np.cos(1.0) * np.exp(np.sin(1.0)))
    best_fwd, best_ctr = r["h"][np.argmin(r["forward"])], r["h"][np.argmin(r["central"])]
    assert 1e-10 <= best_fwd <= 1e-6 and 1e-7 <= best_ctr <= 1e-3 and best_ctr > best_fwd
    assert r["central"].min() < r["forward"].min() < 1e-6
    r32 = viz.step_size_errors(f, 1.0, dtype=np.float32)
    assert r32["central"].min() > 100 * r["central"].min()
    fig = viz.step_size_plot(f, 1.0, dtypes=(np.float64, np.float32))
    ax, = main_axes(fig)
    assert ax.get_xscale() == ax.get_yscale() == "log" and len(ax.get_legend().texts) == 4
    assert_labelled_png(fig, tmp_path / "steps.png")


def test_jacobian_heatmap(tmp_path):
    M = np.arange(12.0).reshape(3, 4) / 5 - 1
    x = np.array([0.5, -1.0, 2.0, 0.1])
    fig = viz.jacobian_heatmap(lambda v: am.tanh(am.matmul(M, v)), x)
    ax, = main_axes(fig)
    np.testing.assert_allclose(ax.images[0].get_array(), am.jacobian(lambda v: am.tanh(M @ v))(x))
    assert "(3, 4)" in ax.get_title() and len(ax.texts) == 12
    assert_labelled_png(fig, tmp_path / "jac.png")
    J = np.ones((2, 3, 4))                                     # flattened to (outputs, inputs)
    ax, = main_axes(viz.jacobian_heatmap(J, np.ones((3, 4))))
    assert ax.images[0].get_array().shape == (2, 12) and "flattened" in ax.get_title()
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    assert viz.jacobian_heatmap(np.eye(2), ax=ax) is fig       # draws into your axes
    plt.close(fig)


# --------------------------------------------------------------------------- in a kernel

NOTEBOOK_CELLS = [
    "import numpy as np, autograd_mini as am\nfrom autograd_mini import viz",
    ("W = am.Variable(np.zeros((3, 1)))\nX = np.ones((4, 3))\ny = np.ones((4, 1))\n"
     "loss = am.mean((X @ W - y) ** 2)\nloss.backward()\nviz.graph(loss)"),
    "viz.backprop_stepper(loss)",
    "viz.descent_explorer(lambda p: am.sum(p ** 2), start=(1.0, 1.0), lr=1.1, steps=5)",
    "viz.step_size_plot(lambda x: am.exp(x), 0.5)",
]


@pytest.mark.slow
@pytest.mark.parametrize("nbgrader", [False, True])
def test_widgets_in_a_headless_kernel(nbgrader, tmp_path):
    """Plain nbclient execution (no browser) and nbgrader's: no error, no stderr, pictures."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in NOTEBOOK_CELLS])
    env = {"NBGRADER_EXECUTION": "autograde"} if nbgrader else {}
    old = {k: os.environ.get(k) for k in ("NBGRADER_EXECUTION", "PYTHONPATH", "MPLBACKEND")}
    os.environ.pop("NBGRADER_EXECUTION", None)
    os.environ.pop("MPLBACKEND", None)
    os.environ.update(env)
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.environ["PYTHONPATH"] = repo + os.pathsep + (old["PYTHONPATH"] or "")
    try:
        nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    outputs = [cell.outputs for cell in nb.cells]
    for out in outputs:
        assert not [o for o in out if o.output_type == "error" or o.get("name") == "stderr"], out
    mimes = [set().union(*(o.get("data", {}).keys() for o in out)) if out else set()
             for out in outputs]
    assert "image/svg+xml" in mimes[1]
    widget = "application/vnd.jupyter.widget-view+json"
    if nbgrader:
        assert "text/html" in mimes[2] and widget not in mimes[2]
        assert "image/png" in mimes[3] and widget not in mimes[3]
    else:
        assert widget in mimes[2] and widget in mimes[3]
    pngs = [o for o in outputs[4] if "image/png" in o.get("data", {})]
    assert len(pngs) == 1                                      # the figure shows exactly once


def test_graph_of_a_long_chain_is_quick_and_uses_lanes():
    x = am.Variable(1.01)
    y = x
    for _ in range(300):                                       # x is used 300 times
        y = am.tanh(y * x)
    g = viz.graph(y, names={})
    assert len(g.nodes) == 601 and len(g.edges) == 900
    assert any(e.lane is not None for e in g.edges)            # long arrows go round the boxes
    assert sum(len(e.via) for e in g.edges) < 100
    ET.fromstring(g.svg)


def test_graph_of_a_released_graph_says_so():
    v = am.Variable([1.0, 2.0])
    loss = am.sum(v * v)
    loss.backward(retain_graph=False)
    with pytest.raises(RuntimeError, match="released"):
        viz.graph(loss)
