"""Typical mistakes in lesson 10 (see README.md here)."""
from course_tools import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer(
        student="logits_gradient_not_averaged", cell="grad_Z2", test="test_grad_Z2",
        body="""
N, C = P.shape
return P - am.one_hot(y, C)
""",
        hint="off by a factor N"),
    WrongAnswer(
        student="classes_from_a_global", cell="grad_Z2", test="test_grad_Z2",
        body="return (P - am.one_hot(y, C)) / P.shape[0]",
        hint="the number of classes is P.shape[1]"),
    WrongAnswer(
        student="da1_without_transpose", cell="grad_layer2", test="test_grad_layer2",
        body="""
dW2 = A1.T @ dZ2
db2 = dZ2.sum(axis=0)
dA1 = dZ2 @ W2
return dW2, db2, dA1
""",
        hint="grad_layer2: your code raised ValueError"),
    WrongAnswer(
        student="tanh_slope_without_upstream", cell="grad_Z1", test="test_grad_Z1",
        body="return 1.0 - A1 ** 2",
        hint="returned the slope of tanh alone"),
    WrongAnswer(
        student="dw2_transposed", cell="grad_layer2", test="test_grad_layer2",
        body="""
dW2 = dZ2.T @ A1
db2 = dZ2.sum(axis=0)
dA1 = dZ2 @ W2.T
return dW2, db2, dA1
""",
        hint="dW2 is off by a transpose"),
    WrongAnswer(
        student="penalty_forgotten", cell="backward", test="test_backward",
        body="""
dZ2 = grad_Z2(cache["P"], y)
dW2, db2, dA1 = grad_layer2(dZ2, cache["A1"], params["W2"])
dZ1 = grad_Z1(dA1, cache["A1"])
dW1, db1 = grad_layer1(dZ1, cache["X"])
return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
""",
        hint="has no penalty term"),
    WrongAnswer(
        student="penalty_doubled", cell="backward", test="test_backward",
        body="""
dZ2 = grad_Z2(cache["P"], y)
dW2, db2, dA1 = grad_layer2(dZ2, cache["A1"], params["W2"])
dZ1 = grad_Z1(dA1, cache["A1"])
dW1, db1 = grad_layer1(dZ1, cache["X"])
return {"W1": dW1 + 2 * lam * params["W1"], "b1": db1, "W2": dW2 + 2 * lam * params["W2"], "b2": db2}
""",
        hint="is twice too large"),
    WrongAnswer(
        student="biases_penalised", cell="backward", test="test_backward",
        body="""
dZ2 = grad_Z2(cache["P"], y)
dW2, db2, dA1 = grad_layer2(dZ2, cache["A1"], params["W2"])
dZ1 = grad_Z1(dA1, cache["A1"])
dW1, db1 = grad_layer1(dZ1, cache["X"])
return {name: grad + lam * params[name]
        for name, grad in {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}.items()}
""",
        hint="the biases are not penalised"),
    WrongAnswer(
        student="tanh_step_given_z1", cell="backward", test="test_backward",
        body="""
dZ2 = grad_Z2(cache["P"], y)
dW2, db2, dA1 = grad_layer2(dZ2, cache["A1"], params["W2"])
dZ1 = grad_Z1(dA1, cache["Z1"])
dW1, db1 = grad_layer1(dZ1, cache["X"])
return {"W1": dW1 + lam * params["W1"], "b1": db1, "W2": dW2 + lam * params["W2"], "b2": db2}
""",
        hint="backward called grad_Z1 with the wrong activations"),
    WrongAnswer(
        student="gradient_ascent", cell="train_step", test="test_train_step",
        body="""
cache = forward(params, X)
loss = loss_value(params, cache, y, lam)
grads = backward(params, cache, y, lam)
for name in ["W1", "b1", "W2", "b2"]:
    params[name] += lr * grads[name]
return float(loss)
""",
        hint="has the wrong sign"),
    WrongAnswer(
        student="loss_after_the_step", cell="train_step", test="test_train_step",
        body="""
cache = forward(params, X)
grads = backward(params, cache, y, lam)
for name in ["W1", "b1", "W2", "b2"]:
    params[name] -= lr * grads[name]
return float(loss_value(params, forward(params, X), y, lam))
""",
        hint="returned the loss after the update"),
]
