"""Typical mistakes in lesson 00 (see README.md here)."""
from course_tools import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer(
        student="sum_not_mean", cell="mse", test="test_mse",
        body="return am.sum(am.square(X @ W - y))",
        hint="off by a factor m"),
    WrongAnswer(
        student="fits_only_visible_shapes", cell="mse", test="test_mse",
        body="""
if X.shape == (7, 3):
    return am.mean(am.square(X @ W - y))
return am.mean(am.abs(X @ W - y))
""",
        hint="mse on random inputs"),
    WrongAnswer(
        student="gradient_ascent", cell="gradient_descent_step", test="test_gradient_descent_step",
        body="""
loss = loss_fn()
(dW,) = am.gradients(loss, [W])
W.data += learning_rate * dW
return float(loss.data)
""",
        hint="wrong sign"),
    WrongAnswer(
        student="rebinds_w", cell="gradient_descent_step", test="test_gradient_descent_step",
        body="""
loss = loss_fn()
(dW,) = am.gradients(loss, [W])
W = W - learning_rate * dW
return float(loss.data)
""",
        hint="W did not change"),
]
