"""Where autograd_mini spends a workload's time: forward vs backward, per-VJP time, cProfile.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/profile_gradients.py W3
    python benchmarks/profile_gradients.py W2 --cprofile 30       # top 30 functions by own time
    python benchmarks/profile_gradients.py W1 --am-path /tmp/amfast   # a patched copy

Uses the workloads of bench_gradients.py.  Numbers here are for finding hot spots, not for
the table: the per-VJP wrappers and cProfile add their own overhead.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_gradients as B  # noqa: E402  (pins BLAS threads, honours --am-path)

import argparse  # noqa: E402
import collections  # noqa: E402
import cProfile  # noqa: E402
import pstats  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

am = B.am


def forward_only(w, data):
    """The workload's forward pass alone: patch am.gradients out for one call."""
    real = am.gradients
    am.gradients = lambda loss, params: None
    try:
        return w.impls["am"](**data)
    finally:
        am.gradients = real


def med_us(f, number, repeats=9):
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            f()
        ts.append((time.perf_counter() - t0) / number)
    return 1e6 * statistics.median(ts), 1e6 * min(ts)


def per_vjp(w, data, number):
    """Wrap every VJP with a timer; returns {primitive[arg]: (µs per workload call, calls)}."""
    from autograd_mini import core
    acc, cnt = collections.defaultdict(float), collections.Counter()
    saved = {}
    for name, fun in core.PRIMITIVES.items():
        saved[name] = dict(fun.vjps)
        for i, v in list(fun.vjps.items()):
            def timed(*a, _v=v, _k=f"{name}[{i}]", **k):
                t0 = time.perf_counter()
                r = _v(*a, **k)
                acc[_k] += time.perf_counter() - t0
                cnt[_k] += 1
                return r
            fun.vjps[i] = timed
    try:
        for _ in range(5):
            w.impls["am"](**data)
        acc.clear()
        cnt.clear()
        for _ in range(number):
            w.impls["am"](**data)
    finally:
        for name, fun in core.PRIMITIVES.items():
            fun.vjps.clear()
            fun.vjps.update(saved[name])
    return {k: (1e6 * v / number, cnt[k] // number) for k, v in acc.items()}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("workload", choices=[w.key for w in B.WORKLOADS])
    p.add_argument("--cprofile", type=int, metavar="N", help="also print cProfile's top N")
    p.add_argument("--am-path", metavar="DIR")
    args = p.parse_args()
    w = {x.key: x for x in B.WORKLOADS}[args.workload]
    data = w.make(np.random.default_rng(0))
    B.check_equal("am", w.key, w.impls["am"](**data), w.impls["numpy"](**data))
    t_np, _ = med_us(lambda: w.impls["numpy"](**data), 3)
    number = max(3, int(20000 / max(t_np, 1)))
    t_np, t_np_min = med_us(lambda: w.impls["numpy"](**data), number)
    t_am, t_am_min = med_us(lambda: w.impls["am"](**data), number)
    t_fw, _ = med_us(lambda: forward_only(w, data), number)
    f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(number):
        w.impls["am"](**data)
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0) / number
    print(f"autograd_mini from {os.path.dirname(am.__file__)}")
    print(f"{w.key} {w.title}: numpy {t_np:.1f} µs (min {t_np_min:.1f}), autograd_mini {t_am:.1f} µs "
          f"(min {t_am_min:.1f}), ratio {t_am / t_np:.2f}× (min-based {t_am_min / t_np_min:.2f}×)")
    print(f"  forward {t_fw:.1f} µs, gradients() {t_am - t_fw:.1f} µs, "
          f"{faults:.0f} minor page faults per call")
    print("  time inside each VJP (µs per workload call, calls):")
    for k, (us, n) in sorted(per_vjp(w, data, number).items(), key=lambda kv: -kv[1][0]):
        print(f"    {k:22s} {us:8.1f}  x{n}")
    if args.cprofile:
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(number):
            w.impls["am"](**data)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.cprofile)


if __name__ == "__main__":
    main()
