"""Typical mistakes in lesson 07 (see README.md here)."""
from course_tools import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer(
        student="dA_transposed", cell="matmul_vjp", test="test_matmul_vjp",
        body="""
dA = B @ G.T
dB = A.T @ G
return dA, dB
""",
        hint="dA is off by a transpose"),
    WrongAnswer(
        student="column_not_1d", cell="matmul_vjp_general", test="test_matmul_vjp_general",
        body="""
A2 = A.reshape(1, -1) if A.ndim == 1 else A
B2 = B.reshape(-1, 1) if B.ndim == 1 else B
G2 = np.reshape(G, (A2.shape[0], B2.shape[1]))
return G2 @ B2.T, A2.T @ G2
""",
        hint="it differs only in axes of length 1"),
    WrongAnswer(
        student="mean_not_divided", cell="mean_vjp", test="test_mean_vjp",
        body="return sum_vjp(G, X, axis=axis, keepdims=keepdims)",
        hint="off by a factor n"),
    WrongAnswer(
        student="transpose_same_axes", cell="transpose_vjp", test="test_transpose_vjp",
        body="return np.transpose(G, axes)",
        hint="transpose_vjp(G, X, axes=(1, 2, 0)) has the wrong shape"),
    WrongAnswer(
        student="difference_without_2", cell="dot_product_test", test="test_dot_product_test",
        body="""
JV = (f(X + eps * V) - f(X - eps * V)) / eps
return float(np.sum(G * JV)), float(np.sum(f_vjp(G, X) * V))
""",
        hint="lhs = <G, J V> is off by a factor 2"),
    WrongAnswer(
        student="one_sided_difference", cell="dot_product_test", test="test_dot_product_test",
        body="""
JV = (f(X + eps * V) - f(X)) / eps
return float(np.sum(G * JV)), float(np.sum(f_vjp(G, X) * V))
""",
        hint="as with a one-sided difference"),
    WrongAnswer(
        student="residual_sign", cell="backprop_by_hand", test="test_backprop_by_hand",
        body="""
T = np.tanh(X @ W)
s_bar = y - T.sum(axis=1)
H_bar = sum_vjp(s_bar, T, axis=1) * (1 - T ** 2)
return matmul_vjp(H_bar, X, W)[1]
""",
        hint="dW has the wrong sign"),
]
