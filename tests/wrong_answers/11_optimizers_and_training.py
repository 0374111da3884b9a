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
        student="stable_lr_one_over_lambda", cell="largest_stable_learning_rate",
        test="test_largest_stable_learning_rate",
        body="""
N, d = X.shape
return float(1.0 / np.linalg.eigvalsh(X.T @ X / N + lam * np.eye(d))[-1])
""",
        hint="off by a factor ½"),
    WrongAnswer(
        student="minimize_ascends", cell="my_gradient_descent_optimizer",
        test="test_my_gradient_descent_optimizer",
        body="""
loss = loss_fn()
for v, g in zip(var_list, am.gradients(loss, var_list)):
    v.data += self.learning_rate * g
return float(loss.data)
""",
        hint="wrong sign"),
    WrongAnswer(
        student="momentum_old_velocity", cell="momentum_step", test="test_momentum_step",
        body="""
w_new = w - lr * v
v_new = beta * v + g
return w_new, v_new
""",
        hint="w did not move on the first step"),
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
        hint="square root of a negative number"),
]
