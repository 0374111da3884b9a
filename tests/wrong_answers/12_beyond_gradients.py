"""Typical mistakes in lesson 12 (see README.md here)."""
from course_tools import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer(
        student="jvp_without_last_layer", cell="jvp_by_hand", test="test_jvp_by_hand",
        body="""
h = np.tanh(W1 @ x)
return (1 - h ** 2) * (W1 @ v)
""",
        hint="has the wrong shape"),
    WrongAnswer(
        student="jacobian_vjps_as_columns", cell="jacobian_from_vjps", test="test_jacobian_from_vjps",
        body="""
value, vjp_fn = am.vjp(f, x)
m = np.size(value)
return np.column_stack([vjp_fn(np.eye(m)[i]) for i in range(m)])
""",
        hint="other layout convention"),
    WrongAnswer(
        student="hvp_leaves_the_graph", cell="hvp", test="test_hvp",
        body="""
return am.grad(lambda x_: np.dot(am.grad(f)(x_), v))(x)
""",
        hint="left autograd_mini"),
    WrongAnswer(
        student="hessian_sum_not_mean", cell="logistic_hessian", test="test_logistic_hessian",
        body="""
p = 1 / (1 + np.exp(-(X @ w)))
return X.T @ np.diag(p * (1 - p)) @ X
""",
        hint="off by a factor N"),
    WrongAnswer(
        student="hessian_outer_product", cell="logistic_hessian", test="test_logistic_hessian",
        body="""
p = 1 / (1 + np.exp(-(X @ w)))
s = p * (1 - p)
return (s[:, None] * X) @ X.T / len(X)
""",
        hint="has the wrong shape"),
    WrongAnswer(
        student="newton_goes_uphill", cell="newton_step", test="test_newton_step",
        body="""
return w + np.linalg.solve(am.hessian(f)(w), am.grad(f)(w))
""",
        hint="wrong sign"),
]
