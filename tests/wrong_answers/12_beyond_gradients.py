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
        student="jvp_tanh_slope_from_z", cell="jvp_by_hand", test="test_jvp_by_hand",
        body="""
z = W1 @ x
return W2 @ ((1 - z ** 2) * (W1 @ v))
""",
        hint="used tanh′(z) = 1 − z²"),
    WrongAnswer(
        student="jacobian_by_am_jacobian", cell="jacobian_from_vjps", test="test_jacobian_from_vjps",
        body="""
return am.jacobian(f)(x)
""",
        hint="called am.jacobian"),
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
        student="hvp_gradient_outside", cell="hvp", test="test_hvp",
        body="""
g = am.grad(f)(x)
return am.grad(lambda x_: am.sum(g * v))(x)
""",
        hint="computed once, outside the function the outer am.grad differentiates"),
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
        student="hessian_sigma_not_its_slope", cell="logistic_hessian", test="test_logistic_hessian",
        body="""
p = 1 / (1 + np.exp(-(X @ w)))
return X.T @ (p[:, None] * X) / X.shape[0]
""",
        hint="σ(z) where its derivative σ′(z) belongs"),
    WrongAnswer(
        student="newton_goes_uphill", cell="newton_step", test="test_newton_step",
        body="""
return w + np.linalg.solve(am.hessian(f)(w), am.grad(f)(w))
""",
        hint="wrong sign"),
    WrongAnswer(
        student="newton_returns_the_step", cell="newton_step", test="test_newton_step",
        body="""
return -np.linalg.solve(am.hessian(f)(w), am.grad(f)(w))
""",
        hint="returned the step p itself"),
    WrongAnswer(
        student="newton_multiplies_by_hessian", cell="newton_step", test="test_newton_step",
        body="""
return w - am.hessian(f)(w) @ am.grad(f)(w)
""",
        hint="returned w − H ∇f(w)"),
    WrongAnswer(
        student="newton_inverts_hessian", cell="newton_step", test="test_newton_step",
        body="""
return w - np.linalg.inv(am.hessian(f)(w)) @ am.grad(f)(w)
""",
        hint="called np.linalg.inv"),
]
