"""Typical mistakes in lesson 08 (see README.md here)."""
from course_tools import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer(
        student="bias_not_summed", cell="linear_vjp", test="test_linear_vjp",
        body="return G @ W.T, X.T @ G, G",
        hint="db (b of shape (4,)) has a broadcast axis that was not summed"),
    WrongAnswer(
        student="bias_averaged", cell="linear_vjp", test="test_linear_vjp",
        body="return G @ W.T, X.T @ G, G.mean(axis=0).reshape(b.shape)",
        hint="off by a factor 1/N"),
    WrongAnswer(
        student="outer_without_keepdims", cell="outer_vjp", test="test_outer_vjp",
        body="return (G * v).sum(axis=1), (G * u).sum(axis=0)",
        hint="keepdims=True?"),
    WrongAnswer(
        student="scalar_not_summed", cell="scale_shift_vjp", test="test_scale_shift_vjp",
        body="return a * G, G * X, np.sum(G)",
        hint="sum over axes (0, 1)"),
    WrongAnswer(
        student="scale_forgotten", cell="scale_shift_vjp", test="test_scale_shift_vjp",
        body="return G, np.sum(G * X), np.sum(G)",
        hint="did you forget the factor a?"),
    WrongAnswer(
        student="dy_not_unbroadcast", cell="broadcast_multiply_vjp", test="test_broadcast_multiply_vjp",
        body="return unbroadcast(G * y, np.shape(x)), G * x",
        hint="dy for x (4, 3) * y (3,) has a broadcast axis that was not summed"),
]
