"""Typical mistakes in lesson 11 (see README.md here)."""
from course_tools import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer(
        student="ridge_sum_not_mean", cell="ridge_gradient", test="test_ridge_gradient",
        body="return X.T @ (X @ w - y) + lam * w",
        hint="off by a factor N"),
    WrongAnswer(
        student="ridge_transposed", cell="ridge_gradient", test="test_ridge_gradient",
        body="""
N = X.shape[0]
return (X @ w - y).T @ X / N + lam * w.T
""",
        hint="off by a transpose"),
    WrongAnswer(
        student="ridge_row_plus_column", cell="ridge_gradient", test="test_ridge_gradient",
        body="""
N = X.shape[0]
return (X @ w - y).T @ X / N + lam * w
""",
        hint="which NumPy broadcasts to (d, d)"),
    WrongAnswer(
        student="stable_lr_one_over_lambda", cell="largest_stable_learning_rate",
        test="test_largest_stable_learning_rate",
        body="""
N, d = X.shape
return float(1.0 / np.linalg.eigvalsh(X.T @ X / N + lam * np.eye(d))[-1])
""",
        hint="off by a factor ½"),
    WrongAnswer(
        student="stable_lr_no_penalty", cell="largest_stable_learning_rate",
        test="test_largest_stable_learning_rate",
        body="""
N, d = X.shape
return float(2.0 / np.linalg.eigvalsh(X.T @ X / N)[-1])
""",
        hint="the penalty adds λI to the Hessian"),
    WrongAnswer(
        student="stable_lr_smallest_eigenvalue", cell="largest_stable_learning_rate",
        test="test_largest_stable_learning_rate",
        body="""
N, d = X.shape
return float(2.0 / np.linalg.eigvalsh(X.T @ X / N + lam * np.eye(d))[0])
""",
        hint="the one with the largest curvature"),
    WrongAnswer(
        student="contraction_global_hessian", cell="contraction_factor", test="test_contraction_factor",
        body="return float(np.max(np.abs(1.0 - lr * np.linalg.eigvalsh(H))))",
        hint="not of the X and lam passed in"),
    WrongAnswer(
        student="minimize_ascends", cell="my_gradient_descent_optimizer",
        test="test_my_gradient_descent_optimizer",
        body="""
loss = loss_fn()
for var, g in zip(var_list, am.gradients(loss, var_list)):
    var.data += self.learning_rate * g
return float(loss.data)
""",
        hint="wrong sign"),
    WrongAnswer(
        student="minimize_no_zero_grad", cell="my_gradient_descent_optimizer",
        test="test_my_gradient_descent_optimizer",
        body="""
loss = loss_fn()
loss.backward()
for var in var_list:
    var.data -= self.learning_rate * var.grad
return float(loss.data)
""",
        hint="a forgotten zero_grad"),
    WrongAnswer(
        student="minimize_loss_after_step", cell="my_gradient_descent_optimizer",
        test="test_my_gradient_descent_optimizer",
        body="""
grads = am.gradients(loss_fn(), var_list)
for var, g in zip(var_list, grads):
    var.data -= self.learning_rate * g
return float(loss_fn().data)
""",
        hint="minimize returned the loss after the step"),
    WrongAnswer(
        student="momentum_old_velocity", cell="momentum_step", test="test_momentum_step",
        body="""
w_new = w - lr * v
v_new = beta * v + g
return w_new, v_new
""",
        hint="w did not move on the first step"),
    WrongAnswer(
        student="momentum_lr_in_velocity", cell="momentum_step", test="test_momentum_step",
        body="""
v_new = beta * v + lr * g
return w - v_new, v_new
""",
        hint="lr folded into the velocity"),
    WrongAnswer(
        student="momentum_swapped_pair", cell="momentum_step", test="test_momentum_step",
        body="""
v_new = beta * v + g
return v_new, w - lr * v_new
""",
        hint="you returned (v_new, w_new)"),
    WrongAnswer(
        student="adam_no_bias_correction", cell="adam_step", test="test_adam_step",
        body="""
m_new = beta1 * m + (1 - beta1) * g
v_new = beta2 * v + (1 - beta2) * g * g
return w - lr * m_new / (np.sqrt(v_new) + eps), m_new, v_new
""",
        hint="check the bias corrections"),
    WrongAnswer(
        student="adam_g_not_squared", cell="adam_step", test="test_adam_step",
        body="""
m_new = beta1 * m + (1 - beta1) * g
v_new = beta2 * v + (1 - beta2) * g
m_hat = m_new / (1 - beta1 ** t)
v_hat = v_new / (1 - beta2 ** t)
return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new
""",
        hint="built from g, not from g²"),
    WrongAnswer(
        student="adam_returns_corrected", cell="adam_step", test="test_adam_step",
        body="""
m_hat = (beta1 * m + (1 - beta1) * g) / (1 - beta1 ** t)
v_hat = (beta2 * v + (1 - beta2) * g * g) / (1 - beta2 ** t)
return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat
""",
        hint="you returned the bias-corrected m̂"),
    WrongAnswer(
        student="adam_old_m", cell="adam_step", test="test_adam_step",
        body="""
m_hat = m / (1 - beta1 ** t)
m_new = beta1 * m + (1 - beta1) * g
v_new = beta2 * v + (1 - beta2) * g * g
v_hat = v_new / (1 - beta2 ** t)
return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new
""",
        hint="you stepped with the old m"),
    WrongAnswer(
        student="adam_no_square_root", cell="adam_step", test="test_adam_step",
        body="""
m_new = beta1 * m + (1 - beta1) * g
v_new = beta2 * v + (1 - beta2) * g * g
m_hat = m_new / (1 - beta1 ** t)
v_hat = v_new / (1 - beta2 ** t)
return w - lr * m_hat / (v_hat + eps), m_new, v_new
""",
        hint="instead of its square root"),
]
