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
        student="linear_dx_without_transpose", cell="linear_backward", test="test_linear_backward",
        body="""
dX = G @ W
dW = X.T @ G
db = G.sum(axis=0)
return dX, dW, db
""",
        hint="linear_backward: your code raised ValueError"),
    WrongAnswer(
        student="tanh_without_upstream", cell="tanh_backward", test="test_tanh_backward",
        body="return 1.0 - A ** 2",
        hint="returned the slope of tanh alone"),
    WrongAnswer(
        student="relu_passes_at_zero", cell="relu_backward", test="test_relu_backward",
        body="return G * (Z >= 0)",
        hint="where Z = 0 exactly, gradient passed"),
    WrongAnswer(
        student="log_softmax_global_max", cell="log_softmax", test="test_log_softmax",
        body="""
m = np.max(Z)
return Z - (m + np.log(np.sum(np.exp(Z - m), axis=1, keepdims=True)))
""",
        hint="rows on very different scales"),
    WrongAnswer(
        student="log_of_softmax", cell="log_softmax", test="test_log_softmax",
        body="return np.log(am.softmax(Z, axis=1))",
        hint="1800 apart within a row"),
    WrongAnswer(
        student="classes_from_labels", cell="cross_entropy_grad", test="test_cross_entropy_grad",
        body="return (am.softmax(Z, axis=1) - am.one_hot(y, y.max() + 1)) / Z.shape[0]",
        hint="C is the number of columns of Z"),
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
