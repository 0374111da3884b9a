"""Typical mistakes in lesson 09 (see README.md here)."""
from course_tools import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer(
        student="dw_transposed", cell="linear_backward", test="test_linear_backward",
        body="""
dX = G @ W.T
dW = G.T @ X
db = G.sum(axis=0)
return dX, dW, db
""",
        hint="dW is off by a transpose"),
    WrongAnswer(
        student="bias_not_summed", cell="linear_backward", test="test_linear_backward",
        body="""
dX = G @ W.T
dW = X.T @ G
db = G
return dX, dW, db
""",
        hint="sum over axis 0"),
    WrongAnswer(
        student="naive_log_softmax", cell="log_softmax", test="test_log_softmax",
        body="return np.log(np.exp(Z) / np.sum(np.exp(Z), axis=1, keepdims=True))",
        hint="contains NaN"),
    WrongAnswer(
        student="cross_entropy_without_mean", cell="cross_entropy_grad", test="test_cross_entropy_grad",
        body="""
N, C = Z.shape
return am.softmax(Z, axis=1) - am.one_hot(y, C)
""",
        hint="off by a factor N"),
    WrongAnswer(
        student="logistic_target_minus_prediction", cell="logistic_loss_grad", test="test_logistic_loss_grad",
        body="return X.T @ (t - am.sigmoid(X @ w))",
        hint="has the wrong sign"),
]
