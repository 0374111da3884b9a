"""Typical mistakes in lesson 04 (see README.md here)."""
from course_tools import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer(   # the sum of squares differentiated, not the mean
        student="sum_not_mean", cell="mse_gradient", test="test_mse_gradient",
        body="return 2 * X.T @ (X @ W - y)",
        hint="off by a factor N"),
    WrongAnswer(   # the 2 of the square dropped
        student="forgot_the_two", cell="mse_gradient", test="test_mse_gradient",
        body="return X.T @ (X @ W - y) / X.shape[0]",
        hint="off by a factor ½"),
    WrongAnswer(   # rᵀX: a row instead of a column
        student="row_gradient", cell="mse_gradient", test="test_mse_gradient",
        body="return 2 / X.shape[0] * (X @ W - y).T @ X",
        hint="off by a transpose"),
    WrongAnswer(   # the per-row contributions to the bias gradient returned without summing them
        student="bias_not_summed", cell="weight_and_bias_gradients", test="test_weight_and_bias_gradients",
        body="""
N = X.shape[0]
r = X @ w + b - y
return 2 / N * X.T @ r, 2 / N * r
""",
        hint="sum over axis 0"),
    WrongAnswer(   # y on the right-hand side instead of Xᵀy: the shapes do not fit
        student="solve_with_y", cell="normal_equations", test="test_normal_equations",
        body="return np.linalg.solve(X.T @ X, y)",
        hint="normal_equations: your code raised ValueError"),
    WrongAnswer(   # the loss kept as a (1, 1) array (keepdims) instead of a Python float
        student="losses_as_arrays", cell="gradient_descent", test="test_gradient_descent",
        body="""
W = np.zeros((X.shape[1], 1))
losses = []
for epoch in range(epochs):
    losses.append(np.mean((X @ W - y) ** 2, keepdims=True))
    if verbose and epoch % 100 == 0:
        print(f"epoch {epoch:4d}   MSE {losses[-1].item():.6f}")
    W = W - learning_rate * grad_fn(X, W, y)
return W, losses
""",
        hint="each loss should be a Python float"),
    WrongAnswer(   # the sum of squares recorded as the loss, not the mean
        student="loss_summed", cell="gradient_descent", test="test_gradient_descent",
        body="""
W = np.zeros((X.shape[1], 1))
losses = []
for epoch in range(epochs):
    losses.append(float(np.sum((X @ W - y) ** 2)))
    if verbose and epoch % 100 == 0:
        print(f"epoch {epoch:4d}   MSE {losses[-1]:.6f}")
    W = W - learning_rate * grad_fn(X, W, y)
return W, losses
""",
        hint="off by a factor N"),
    WrongAnswer(   # gradient ascent: the step goes uphill
        student="gradient_ascent", cell="gradient_descent", test="test_gradient_descent",
        body="""
W = np.zeros((X.shape[1], 1))
losses = []
for epoch in range(epochs):
    losses.append(float(np.mean((X @ W - y) ** 2)))
    if verbose and epoch % 100 == 0:
        print(f"epoch {epoch:4d}   MSE {losses[-1]:.6f}")
    W = W + learning_rate * grad_fn(X, W, y)
return W, losses
""",
        hint="wrong sign"),
    WrongAnswer(   # the Hessian taken as XᵀX, without its 2/N
        student="hessian_without_2_over_n", cell="max_stable_learning_rate",
        test="test_max_stable_learning_rate",
        body="return float(2 / np.linalg.eigvalsh(X.T @ X)[-1])",
        hint="off by a factor 2/N"),
    WrongAnswer(   # 1/λ_max, the rate that kills the top direction in one step, not the limit
        student="one_over_lambda", cell="max_stable_learning_rate", test="test_max_stable_learning_rate",
        body="return float(1 / np.linalg.eigvalsh(2 / X.shape[0] * X.T @ X)[-1])",
        hint="off by a factor ½"),
    WrongAnswer(   # eigvalsh sorts in ascending order: [0] is the smallest eigenvalue
        student="smallest_eigenvalue", cell="max_stable_learning_rate", test="test_max_stable_learning_rate",
        body="return float(2 / np.linalg.eigvalsh(2 / X.shape[0] * X.T @ X)[0])",
        hint="the smallest eigenvalue of H"),
]
