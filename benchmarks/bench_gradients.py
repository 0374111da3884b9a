"""Time gradients with autograd_mini against hand-written numpy (and HIPS autograd, torch).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_gradients.py [--json out.json]

One process, BLAS pinned to one thread.  For every workload the gradients of every
implementation are first checked equal (np.allclose) to the hand-written numpy ones; then
each implementation is timed: warm-up, enough inner calls per repeat that a repeat lasts
about ``--min-time`` seconds, median over ``--repeats`` (>= 7) repeats, repeats of the
different implementations interleaved so that machine noise hits them alike.

What is timed is one full gradient evaluation from ndarrays: forward pass, loss value and
backward pass, returning the gradient arrays.  See benchmarks/README.md.
"""
import os

# Pin every BLAS to one thread before numpy (or torch) is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse      # noqa: E402
import gc            # noqa: E402
import json          # noqa: E402
import platform      # noqa: E402
import re            # noqa: E402
import statistics    # noqa: E402
import subprocess    # noqa: E402
import sys           # noqa: E402
import time          # noqa: E402

try:
    import resource  # noqa: E402
except ImportError:  # not on Windows
    resource = None

import numpy as np   # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Benchmark this checkout (installed or not), or with --am-path DIR a copy of the package
# in DIR/autograd_mini (to try an engine change out of tree).
for _i, _a in enumerate(sys.argv):
    if _a == "--am-path" and _i + 1 < len(sys.argv):
        ROOT = os.path.abspath(sys.argv[_i + 1])
    elif _a.startswith("--am-path="):
        ROOT = os.path.abspath(_a.split("=", 1)[1])
sys.path.insert(0, ROOT)

import autograd_mini as am        # noqa: E402

try:
    import autograd as hips
    import autograd.numpy as anp
    from autograd.scipy.special import logsumexp as hips_logsumexp
except ImportError:
    hips = None

try:
    import torch
    torch.set_num_threads(1)
except ImportError:
    torch = None

try:
    import threadpoolctl
except ImportError:
    threadpoolctl = None


TARGETS = {"W1": 3.0, "W2": 1.15, "W3": 3.0, "W4": 2.0, "W5": 4.0}
IMPORT_TARGET_MS = 30.0
FORBIDDEN_AT_IMPORT = ("autograd_mini.viz", "matplotlib", "ipywidgets")


# =============================================================================== workloads
# Each workload: make(rng) -> data dict; then one function per implementation taking the
# data and returning (loss, [gradients]).  torch functions get torch tensors made once.

class Workload:
    def __init__(self, key, title, make, numpy, am, hips=None, torch=None):
        self.key, self.title, self.make = key, title, make
        self.impls = {"numpy": numpy, "am": am, "autograd": hips, "torch": torch}


# ---------------------------------------------------------------- W1 linear regression

def w1_make(rng):
    X = rng.standard_normal((1000, 20))
    W = rng.standard_normal((20, 1))
    y = X @ rng.standard_normal((20, 1)) + 0.1 * rng.standard_normal((1000, 1))
    return {"X": X, "W": W, "y": y}


def w1_numpy(X, W, y):
    r = X @ W - y
    loss = np.mean(r * r)
    dW = X.T @ r * (2.0 / r.size)
    return loss, [dW]


def w1_am(X, W, y):
    W = am.Variable(W)
    loss = am.mean((X @ W - y) ** 2)
    return loss.data, am.gradients(loss, [W])


def w1_hips_f(W, X, y):
    return anp.mean((anp.dot(X, W) - y) ** 2)


def _hips_vg(f):
    """HIPS autograd's value_and_grad of f, made once (a user would keep it too)."""
    if f not in _HIPS_VG:
        _HIPS_VG[f] = hips.value_and_grad(f)
    return _HIPS_VG[f]


_HIPS_VG = {}


def w1_hips(X, W, y):
    loss, dW = _hips_vg(w1_hips_f)(W, X, y)
    return loss, [dW]


def w1_torch(X, W, y):
    W = W.detach().requires_grad_()
    loss = torch.mean((X @ W - y) ** 2)
    return loss, list(torch.autograd.grad(loss, [W]))


# ---------------------------------------------------------------- W2 MLP 784-128-10

def w2_make(rng):
    n, d, h, c = 256, 784, 128, 10
    return {"X": rng.standard_normal((n, d)),
            "labels": rng.integers(0, c, size=n),
            "W1": rng.standard_normal((d, h)) * np.sqrt(1.0 / d),
            "b1": 0.1 * rng.standard_normal(h),
            "W2": rng.standard_normal((h, c)) * np.sqrt(1.0 / h),
            "b2": 0.1 * rng.standard_normal(c)}


def w2_numpy(X, labels, W1, b1, W2, b2):
    n = X.shape[0]
    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = np.mean(np.log(s[:, 0]) - z[rows, labels])
    dz = e / s                              # softmax
    dz[rows, labels] -= 1.0
    dz /= n                                 # d loss / d logits = (P - Y) / N
    dW2 = h.T @ dz
    db2 = dz.sum(axis=0)
    da = (dz @ W2.T) * (1.0 - h * h)
    dW1 = X.T @ da
    db1 = da.sum(axis=0)
    return loss, [dW1, db1, dW2, db2]


def w2_am(X, labels, W1, b1, W2, b2):
    params = [am.Variable(p) for p in (W1, b1, W2, b2)]
    W1, b1, W2, b2 = params
    h = am.tanh(X @ W1 + b1)
    loss = am.cross_entropy(h @ W2 + b2, labels)
    return loss.data, am.gradients(loss, params)


def w2_hips_f(params, X, labels):
    W1, b1, W2, b2 = params
    h = anp.tanh(anp.dot(X, W1) + b1)
    z = anp.dot(h, W2) + b2
    logp = z - hips_logsumexp(z, axis=1, keepdims=True)
    return -anp.mean(logp[np.arange(X.shape[0]), labels])


def w2_hips(X, labels, W1, b1, W2, b2):
    loss, grads = _hips_vg(w2_hips_f)((W1, b1, W2, b2), X, labels)
    return loss, list(grads)


def w2_torch(X, labels, W1, b1, W2, b2):
    params = [p.detach().requires_grad_() for p in (W1, b1, W2, b2)]
    W1, b1, W2, b2 = params
    h = torch.tanh(X @ W1 + b1)
    loss = torch.nn.functional.cross_entropy(h @ W2 + b2, labels)
    return loss, list(torch.autograd.grad(loss, params))


# ---------------------------------------------------------------- W3 200 elementwise ops
# 50 times x = exp(tanh(x * C + 0.1)): multiply (by a 10x10 array), add (a scalar),
# tanh, exp -- 200 ops on 10x10 -- then sum.  Values stay in (e^-1, e).

W3_STEPS = 50


def w3_make(rng):
    return {"x": rng.standard_normal((10, 10)), "C": rng.uniform(0.3, 0.6, (10, 10))}


def w3_numpy(x, C):
    ts, es = [], []
    for _ in range(W3_STEPS):
        t = np.tanh(x * C + 0.1)
        x = np.exp(t)
        ts.append(t)
        es.append(x)
    loss = x.sum()
    g = np.ones_like(x)
    for t, e in zip(reversed(ts), reversed(es)):
        g = g * e                           # exp'     = exp
        g = g * (1.0 - t * t)               # tanh'    = 1 - tanh²
        g = g * C                           # (x C)'   = C   (the + 0.1 passes g through)
    return loss, [g]


def w3_am(x, C):
    x0 = x = am.Variable(x)
    for _ in range(W3_STEPS):
        x = am.exp(am.tanh(x * C + 0.1))
    loss = am.sum(x)
    return loss.data, am.gradients(loss, [x0])


def w3_hips_f(x, C):
    for _ in range(W3_STEPS):
        x = anp.exp(anp.tanh(x * C + 0.1))
    return anp.sum(x)


def w3_hips(x, C):
    loss, g = _hips_vg(w3_hips_f)(x, C)
    return loss, [g]


def w3_torch(x, C):
    x0 = x = x.detach().requires_grad_()
    for _ in range(W3_STEPS):
        x = torch.exp(torch.tanh(x * C + 0.1))
    loss = x.sum()
    return loss, list(torch.autograd.grad(loss, [x0]))


# ---------------------------------------------------------------- W4 tr(A X B Xᵀ) + log|det(XᵀX + I)|

def w4_make(rng):
    n = 50
    return {"X": rng.standard_normal((n, n)) / np.sqrt(n), "A": rng.standard_normal((n, n)),
            "B": rng.standard_normal((n, n)), "I": np.eye(n)}


def w4_numpy(X, A, B, I):
    AX = A @ X
    AXB = AX @ B
    M = X.T @ X + I                          # symmetric positive definite
    _, logdet = np.linalg.slogdet(M)
    loss = np.vdot(AXB, X) + logdet          # tr(A X B Xᵀ) = <A X B, X>
    # d tr(AXBXᵀ) = <AXB + AᵀXBᵀ, dX>;  d log det M = tr(M⁻¹ dM) = <2 X M⁻¹, dX>
    dX = AXB + (A.T @ X) @ B.T + 2.0 * X @ np.linalg.inv(M)
    return loss, [dX]


def w4_am(X, A, B, I):
    X = am.Variable(X)
    loss = am.trace(A @ X @ B @ X.T) + am.logabsdet(X.T @ X + I)
    return loss.data, am.gradients(loss, [X])


def w4_hips_f(X, A, B, I):
    return anp.trace(anp.dot(anp.dot(anp.dot(A, X), B), X.T)) + \
        anp.linalg.slogdet(anp.dot(X.T, X) + I)[1]


def w4_hips(X, A, B, I):
    loss, g = _hips_vg(w4_hips_f)(X, A, B, I)
    return loss, [g]


def w4_torch(X, A, B, I):
    X = X.detach().requires_grad_()
    loss = torch.trace(A @ X @ B @ X.T) + torch.linalg.slogdet(X.T @ X + I)[1]
    return loss, list(torch.autograd.grad(loss, [X]))


# ---------------------------------------------------------------- W5 MLP 2-16-16-1, MSE

def w5_make(rng):
    X = rng.uniform(-1, 1, (100, 2))
    y = np.sin(3 * X[:, :1]) * X[:, 1:]
    d = {"X": X, "y": y}
    for i, (a, b) in enumerate([(2, 16), (16, 16), (16, 1)], 1):
        d[f"W{i}"] = rng.standard_normal((a, b)) / np.sqrt(a)
        d[f"b{i}"] = 0.1 * rng.standard_normal(b)
    return d


def w5_numpy(X, y, W1, b1, W2, b2, W3, b3):
    h1 = np.tanh(X @ W1 + b1)
    h2 = np.tanh(h1 @ W2 + b2)
    r = h2 @ W3 + b3 - y
    loss = np.mean(r * r)
    d3 = r * (2.0 / r.size)
    dW3 = h2.T @ d3
    db3 = d3.sum(axis=0)
    d2 = (d3 @ W3.T) * (1.0 - h2 * h2)
    dW2 = h1.T @ d2
    db2 = d2.sum(axis=0)
    d1 = (d2 @ W2.T) * (1.0 - h1 * h1)
    dW1 = X.T @ d1
    db1 = d1.sum(axis=0)
    return loss, [dW1, db1, dW2, db2, dW3, db3]


def w5_am(X, y, W1, b1, W2, b2, W3, b3):
    params = [am.Variable(p) for p in (W1, b1, W2, b2, W3, b3)]
    W1, b1, W2, b2, W3, b3 = params
    h1 = am.tanh(X @ W1 + b1)
    h2 = am.tanh(h1 @ W2 + b2)
    loss = am.mean((h2 @ W3 + b3 - y) ** 2)
    return loss.data, am.gradients(loss, params)


def w5_hips_f(params, X, y):
    W1, b1, W2, b2, W3, b3 = params
    h1 = anp.tanh(anp.dot(X, W1) + b1)
    h2 = anp.tanh(anp.dot(h1, W2) + b2)
    return anp.mean((anp.dot(h2, W3) + b3 - y) ** 2)


def w5_hips(X, y, W1, b1, W2, b2, W3, b3):
    loss, grads = _hips_vg(w5_hips_f)((W1, b1, W2, b2, W3, b3), X, y)
    return loss, list(grads)


def w5_torch(X, y, W1, b1, W2, b2, W3, b3):
    params = [p.detach().requires_grad_() for p in (W1, b1, W2, b2, W3, b3)]
    W1, b1, W2, b2, W3, b3 = params
    h1 = torch.tanh(X @ W1 + b1)
    h2 = torch.tanh(h1 @ W2 + b2)
    loss = torch.mean((h2 @ W3 + b3 - y) ** 2)
    return loss, list(torch.autograd.grad(loss, params))


WORKLOADS = [
    Workload("W1", "linear regression 1000×20", w1_make, w1_numpy, w1_am, w1_hips, w1_torch),
    Workload("W2", "MLP 784→128→10, batch 256", w2_make, w2_numpy, w2_am, w2_hips, w2_torch),
    Workload("W3", "200 elementwise ops, 10×10", w3_make, w3_numpy, w3_am, w3_hips, w3_torch),
    Workload("W4", "tr(AXBXᵀ)+log det(XᵀX+I), 50×50", w4_make, w4_numpy, w4_am, w4_hips,
             w4_torch),
    Workload("W5", "MLP 2→16→16→1, 100 points", w5_make, w5_numpy, w5_am, w5_hips, w5_torch),
]


# =============================================================================== the value_and_grad API
# The same workloads through am.value_and_grad; the benchmark times both user-level APIs
# and reports the faster one in the main table (both are in the JSON).

def _am_vg_w1():
    vg = am.value_and_grad(lambda W, X, y: am.mean((X @ W - y) ** 2), argnums=0)

    def run(X, W, y):
        loss, dW = vg(W, X, y)
        return loss, [dW]
    return run


def _am_vg_w2():
    def f(W1, b1, W2, b2, X, labels):
        return am.cross_entropy(am.tanh(X @ W1 + b1) @ W2 + b2, labels)
    vg = am.value_and_grad(f, argnums=(0, 1, 2, 3))

    def run(X, labels, W1, b1, W2, b2):
        loss, grads = vg(W1, b1, W2, b2, X, labels)
        return loss, list(grads)
    return run


def _am_vg_w3():
    def f(x, C):
        for _ in range(W3_STEPS):
            x = am.exp(am.tanh(x * C + 0.1))
        return am.sum(x)
    vg = am.value_and_grad(f, argnums=0)

    def run(x, C):
        loss, g = vg(x, C)
        return loss, [g]
    return run


def _am_vg_w4():
    vg = am.value_and_grad(
        lambda X, A, B, I: am.trace(A @ X @ B @ X.T) + am.logabsdet(X.T @ X + I), argnums=0)

    def run(X, A, B, I):
        loss, g = vg(X, A, B, I)
        return loss, [g]
    return run


def _am_vg_w5():
    def f(W1, b1, W2, b2, W3, b3, X, y):
        h1 = am.tanh(X @ W1 + b1)
        h2 = am.tanh(h1 @ W2 + b2)
        return am.mean((h2 @ W3 + b3 - y) ** 2)
    vg = am.value_and_grad(f, argnums=(0, 1, 2, 3, 4, 5))

    def run(X, y, W1, b1, W2, b2, W3, b3):
        loss, grads = vg(W1, b1, W2, b2, W3, b3, X, y)
        return loss, list(grads)
    return run


AM_VALUE_AND_GRAD = {"W1": _am_vg_w1, "W2": _am_vg_w2, "W3": _am_vg_w3, "W4": _am_vg_w4,
                     "W5": _am_vg_w5}


# =============================================================================== timing

def _to_numpy(x):
    if torch is not None and isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x)


def check_equal(name, key, got, want, rtol=1e-7, atol=1e-10):
    """Loss and every gradient of ``got`` allclose to the numpy reference ``want``."""
    (lg, gg), (lw, gw) = got, want
    problems = []
    if not np.allclose(_to_numpy(lg), lw, rtol=rtol, atol=atol):
        problems.append(f"loss {float(_to_numpy(lg))!r} != {float(lw)!r}")
    if len(gg) != len(gw):
        problems.append(f"{len(gg)} gradients, expected {len(gw)}")
    for i, (a, b) in enumerate(zip(gg, gw)):
        a = _to_numpy(a)
        if a.shape != b.shape:
            problems.append(f"gradient {i}: shape {a.shape}, expected {b.shape}")
        elif not np.allclose(a, b, rtol=rtol, atol=atol):
            err = np.max(np.abs(a - b)) / (np.max(np.abs(b)) + 1e-300)
            problems.append(f"gradient {i}: max relative error {err:.2e}")
    if problems:
        raise AssertionError(f"{key} {name}: does not match hand-written numpy: "
                             + "; ".join(problems))


CLOCK = time.perf_counter      # --clock cpu: time.thread_time (CPU time of this thread only)


def calibrate(call, min_time):
    """Inner loop count so that one repeat lasts at least ``min_time`` seconds."""
    number = 1
    while True:
        t0 = CLOCK()
        for _ in range(number):
            call()
        dt = CLOCK() - t0
        if dt >= min_time:
            return number
        number = max(number * 2, int(number * 1.2 * min_time / max(dt, 1e-9)))


def time_interleaved(calls, repeats, min_time, warmup=0.05):
    """{name: [seconds per call for each repeat]}, the implementations' repeats interleaved."""
    numbers = {}
    for name, call in calls.items():
        t_end = time.perf_counter() + warmup           # warm-up: caches, lazy imports, allocator
        while time.perf_counter() < t_end:
            call()
        numbers[name] = calibrate(call, min_time)
    samples = {name: [] for name in calls}
    faults = {name: 0 for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            n = numbers[name]
            f0 = _minor_faults()
            t0 = CLOCK()
            for _ in range(n):
                call()
            samples[name].append((CLOCK() - t0) / n)
            faults[name] += (_minor_faults() - f0) / n
    return samples, numbers, {name: f / repeats for name, f in faults.items()}


def _minor_faults():
    """Minor page faults so far: fresh memory from the OS costs ~0.5-2 µs per 4 KiB page."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt if resource else 0


def run_workload(w, repeats, min_time, seed):
    rng = np.random.default_rng(seed)
    data = w.make(rng)
    calls, results = {}, {}
    reference = w.impls["numpy"](**data)
    tdata = None
    if torch is not None:
        tdata = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in data.items()}
    impls = dict(w.impls)
    impls["am_vg"] = AM_VALUE_AND_GRAD[w.key]()
    for name, fn in impls.items():
        if fn is None or (name == "autograd" and hips is None) or (name == "torch" and torch is None):
            continue
        args = tdata if name == "torch" else data
        if name != "numpy":
            check_equal(name, w.key, fn(**args), reference)      # correctness first
        calls[name] = (lambda fn=fn, args=args: fn(**args))
    samples, numbers, faults = time_interleaved(calls, repeats, min_time)
    for name, s in samples.items():
        results[name] = {"median_ms": 1e3 * statistics.median(s), "min_ms": 1e3 * min(s),
                         "inner_loops": numbers[name], "repeats": len(s),
                         "page_faults_per_call": faults[name]}
    return results


# =============================================================================== environment

def blas_info():
    if threadpoolctl is None:
        return [{"note": "threadpoolctl not installed: thread count not verified "
                         "(pip install threadpoolctl)"}]
    keep = ("user_api", "internal_api", "prefix", "version", "num_threads", "architecture",
            "threading_layer", "filepath")
    out = []
    for d in threadpoolctl.threadpool_info():
        e = {k: d.get(k) for k in keep if k in d}
        path = d.get("filepath", "")
        e["loaded_by"] = next((pkg for pkg in ("numpy", "scipy", "torch")
                               if f"/{pkg}.libs/" in path or f"/{pkg}/lib/" in path), "?")
        out.append(e)
    return out


def import_time(runs=15, clock="wall"):
    """What ``import autograd_mini`` adds after ``import numpy``, in fresh interpreters.

    Two cases, each the median over ``runs`` interpreters:
    - "cached": bytecode already compiled (as after ``pip install``, or any second run when
      Python may write ``__pycache__``); the caches go to a temporary PYTHONPYCACHEPREFIX,
      nothing is written into the repository.
    - "uncached": every module compiled from source, which is what happens on every run when
      PYTHONDONTWRITEBYTECODE=1 is set (it is on this machine and its CI).
    With clock="cpu" the interpreter's CPU time (time.process_time) is measured instead of
    time.perf_counter.  Plus the modules it brings in (none may come from viz, matplotlib or ipywidgets) and
    ``python -X importtime``'s largest self times after numpy, for attribution.
    """
    import tempfile
    timer = "time.process_time" if clock == "cpu" else "time.perf_counter"
    code = ("import time, sys, numpy\n"
            "before = set(sys.modules)\n"
            f"t = {timer}(); import autograd_mini; t = {timer}() - t\n"
            "new = sorted(set(sys.modules) - before)\n"
            "print(t); print(' '.join(new))\n")
    result = {"runs": runs, "target_ms": IMPORT_TARGET_MS}
    with tempfile.TemporaryDirectory() as cached_dir, tempfile.TemporaryDirectory() as empty_dir:
        base = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        base.pop("PYTHONDONTWRITEBYTECODE", None)
        envs = {"cached": dict(base, PYTHONPYCACHEPREFIX=cached_dir),
                "uncached": dict(base, PYTHONPYCACHEPREFIX=empty_dir, PYTHONDONTWRITEBYTECODE="1")}
        run = lambda args, env: subprocess.run([sys.executable, *args], env=env, cwd=ROOT,
                                               capture_output=True, text=True, check=True)
        run(["-c", "import numpy, autograd_mini"], envs["cached"])         # compile once
        for mode, env in envs.items():
            times, new_modules = [], []
            for _ in range(runs):
                out = run(["-c", code], env).stdout.split("\n")
                times.append(float(out[0]))
                new_modules = out[1].split()
            err = run(["-X", "importtime", "-c", "import numpy; import autograd_mini"], env).stderr
            entries = []
            for line in err.splitlines():
                if line.startswith("import time:") and "cumulative" not in line:
                    self_us, cum_us, name = [p.strip() for p in line[len("import time:"):].split("|", 2)]
                    entries.append((name, int(self_us), int(cum_us)))
            after = entries[max(i for i, e in enumerate(entries) if e[0] == "numpy") + 1:]
            result[mode] = {
                "median_ms": 1e3 * statistics.median(times), "min_ms": 1e3 * min(times),
                "importtime_top_self_us": [{"module": n, "self_us": su, "cumulative_us": cu}
                                           for n, su, cu in sorted(after, key=lambda e: -e[1])[:8]]}
        result["modules_added"] = new_modules
        result["forbidden_imported"] = [m for m in new_modules if m.startswith(FORBIDDEN_AT_IMPORT)]
    return result


def environment():
    warn = [v for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if v in os.environ]
    return {"python": platform.python_version(), "numpy": np.__version__,
            "autograd": _version("autograd") if hips else None,
            "torch": torch.__version__ if torch is not None else None,
            "torch_threads": torch.get_num_threads() if torch is not None else None,
            "torch_blas": _torch_blas(),
            "machine": platform.machine(), "processor": _cpu_name(),
            "cpus": os.cpu_count(), "load_average": _loadavg(),
            "blas": blas_info(),
            "openblas_overrides_set": {v: os.environ[v] for v in warn}}


def _loadavg():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def _version(dist):
    try:
        from importlib.metadata import version
        return version(dist)
    except Exception:  # noqa: BLE001  (not installed, or metadata missing)
        return None


def _torch_blas():
    """torch's CPU wheels link MKL statically: threadpoolctl cannot see it, torch's config can."""
    if torch is None:
        return None
    cfg = torch.__config__.show()
    info = re.findall(r"BLAS_INFO=(\w+)", cfg)
    mkl = [line.strip(" -") for line in cfg.splitlines() if "Math Kernel Library" in line]
    return {"blas_info": info[0] if info else None, "mkl": mkl[0] if mkl else None,
            "threads": torch.get_num_threads()}


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


# =============================================================================== report

def table(results):
    def ms(r, name):
        return f"{r[name]['median_ms']:.3f}" if name in r else "—"
    lines = ["| workload | numpy ms | autograd_mini ms | ratio | target | autograd ms | torch ms | pass/fail |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for key, title, r in results:
        t_np, t_am = r["numpy"]["median_ms"], r["am"]["median_ms"]
        ratio = t_am / t_np
        fails = []
        if ratio > TARGETS[key]:
            fails.append(f"ratio > {TARGETS[key]}×")
        for other in ("autograd", "torch"):
            if other in r and t_am >= r[other]["median_ms"]:
                fails.append(f"not faster than {other}")
        verdict = "pass" if not fails else "FAIL: " + ", ".join(fails)
        lines.append(f"| {key} {title} | {t_np:.3f} | {t_am:.3f} | {ratio:.2f}× | "
                     f"≤ {TARGETS[key]}× | {ms(r, 'autograd')} | {ms(r, 'torch')} | {verdict} |")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=11, help="timed repeats per implementation (>= 7)")
    p.add_argument("--min-time", type=float, default=0.05,
                   help="seconds each repeat should last (sets the inner loop count)")
    p.add_argument("--only", nargs="*", help="workload keys to run, e.g. W2 W4")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-import", action="store_true", help="skip the import-time measurement")
    p.add_argument("--json", metavar="PATH", help="also write every number to this JSON file")
    p.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                   help="wall: time.perf_counter (default); cpu: time.thread_time, which leaves "
                        "out the time other processes hold the CPU (for a busy machine)")
    p.add_argument("--am-path", metavar="DIR",
                   help="benchmark the autograd_mini package found in DIR instead of this checkout")
    args = p.parse_args(argv)
    if args.repeats < 7:
        p.error("--repeats must be at least 7")
    global CLOCK
    CLOCK = time.thread_time if args.clock == "cpu" else time.perf_counter

    env = environment()
    print(f"autograd_mini from {os.path.dirname(am.__file__)}; clock: {args.clock}")
    print(f"python {env['python']}, numpy {env['numpy']}, autograd {env['autograd']}, "
          f"torch {env['torch']} (threads {env['torch_threads']}), {env['processor']}")
    for b in env["blas"]:
        print("threadpool:", ", ".join(f"{k}={v}" for k, v in b.items() if k != "filepath"))
        if b.get("num_threads") not in (None, 1):
            print(f"WARNING: {b.get('internal_api')} runs {b['num_threads']} threads, not 1")
    load = env["load_average"]
    if load and load[0] > 0.5 * (env["cpus"] or 1):
        print(f"WARNING: load average {load} on {env['cpus']} CPUs: other processes compete, "
              "times are inflated and noisy (ratios less so: the repeats are interleaved)")
    if env["torch_blas"]:
        print("torch BLAS (static, invisible to threadpoolctl):", env["torch_blas"])
    if env["openblas_overrides_set"]:
        print("WARNING: set in the environment (they slow current numpy; see README):",
              env["openblas_overrides_set"])
    print()

    results = []
    for w in WORKLOADS:
        if args.only and w.key not in args.only:
            continue
        gc.collect()
        r = run_workload(w, args.repeats, args.min_time, args.seed)
        results.append((w.key, w.title, r))
        print(f"{w.key}: " + ", ".join(
            f"{n} {v['median_ms']:.3f} ms (min {v['min_ms']:.3f}, {v['page_faults_per_call']:.0f} faults)"
            for n, v in r.items()), flush=True)
    print()
    print(table(results))
    print("\nautograd_mini = Variables + am.gradients(loss, params).  The same through "
          "am.value_and_grad(f, argnums=...): " + ", ".join(
              f"{k} {r['am_vg']['median_ms']:.3f} ms ({r['am_vg']['median_ms'] / r['numpy']['median_ms']:.2f}×)"
              for k, _, r in results))

    imp = None
    if not args.no_import:
        imp = import_time(clock=args.clock)
        for mode in ("cached", "uncached"):
            m = imp[mode]
            ok = m["median_ms"] <= IMPORT_TARGET_MS and not imp["forbidden_imported"]
            print(f"\nimport autograd_mini after numpy, {mode} bytecode ({args.clock} clock): "
                  f"median {m['median_ms']:.1f} ms "
                  f"(min {m['min_ms']:.1f}, {imp['runs']} fresh interpreters; target ≤ "
                  f"{IMPORT_TARGET_MS:.0f} ms) — {'pass' if ok else 'FAIL'}")
            print("  -X importtime, largest self times: " + ", ".join(
                f"{e['module']} {e['self_us'] / 1e3:.1f} ms" for e in m["importtime_top_self_us"][:5]))
        print(f"viz/matplotlib/ipywidgets imported: {imp['forbidden_imported'] or 'none'}; "
              f"modules added: {' '.join(imp['modules_added'])}")

    if args.json:
        env["load_average_after"] = _loadavg()
        out = {"environment": env, "targets": TARGETS, "clock": args.clock,
               "repeats": args.repeats, "min_time_s": args.min_time,
               "workloads": {k: {"title": t, **r} for k, t, r in results}, "import": imp}
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
