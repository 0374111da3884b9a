"""The blog post's loop, the optimizers and the tiny nn library, trained for real."""
import numpy as np
import pytest

import autograd_mini as am


def regression_data(seed=0, n=200, d=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = X @ np.array([[2.0], [-1.0], [0.5]]) + 0.3 + 0.1 * rng.standard_normal((n, 1))
    X1 = np.hstack([X, np.ones((n, 1))])                    # bias as a column of ones
    return X, y, np.linalg.lstsq(X1, y, rcond=None)[0]


def test_blog_post_loop_with_gradients_and_a_manual_update():
    X, y, w_star = regression_data()
    W, b = am.Variable(np.zeros((3, 1))), am.Variable(np.zeros(1))
    lr, history = 0.1, []
    for epoch in range(1000):
        loss = am.mean((X @ W + b - y) ** 2)
        dW, db = am.gradients(loss, [W, b])                   # tf.gradients(loss, [W, b])
        W.data -= lr * dW
        b.data -= lr * db
        if epoch % 100 == 0:
            history.append(float(loss.data))
    np.testing.assert_allclose(np.vstack([W.data, b.data]), w_star, atol=1e-8)
    assert all(h1 >= h2 for h1, h2 in zip(history, history[1:]))


def test_blog_post_loop_with_gradient_descent_optimizer_minimize():
    X, y, w_star = regression_data(1)
    W, b = am.Variable(np.zeros((3, 1))), am.Variable(np.zeros(1))
    opt = am.optim.GradientDescentOptimizer(learning_rate=0.1)
    losses = [opt.minimize(lambda: am.mean((X @ W + b - y) ** 2), var_list=[W, b]) for _ in range(1000)]
    assert isinstance(losses[0], float) and losses[-1] < losses[0]
    np.testing.assert_allclose(np.vstack([W.data, b.data]), w_star, atol=1e-8)
    assert W.grad is None                                     # minimize does not touch .grad
    V = am.Variable(np.zeros((3, 1)))                          # var_list defaults to the loss's variables
    for _ in range(500):
        opt.minimize(lambda: am.mean((X @ V - y) ** 2))
    np.testing.assert_allclose(V.data, np.linalg.lstsq(X, y, rcond=None)[0], atol=1e-8)


def test_gradient_descent_diverges_past_two_over_lambda_max():
    X, y, _ = regression_data(2)
    lam_max = np.linalg.eigvalsh(2 / len(X) * X.T @ X).max()   # Hessian of the MSE
    for lr, diverges in [(1.9 / lam_max, False), (2.1 / lam_max, True)]:
        W = am.Variable(np.zeros((3, 1)))
        opt = am.optim.GradientDescentOptimizer(lr)
        losses = [opt.minimize(lambda: am.mean((X @ W - y) ** 2), [W]) for _ in range(300)]
        assert (losses[-1] > losses[0]) == diverges


@pytest.mark.parametrize("make_optimizer, steps", [
    (lambda ps: am.optim.SGD(ps, lr=0.1), 800),
    (lambda ps: am.optim.SGD(ps, lr=0.05, momentum=0.9), 400),
    (lambda ps: am.optim.Adam(ps, lr=0.05), 1500),
])
def test_optimizers_reach_the_ridge_solution(make_optimizer, steps):
    X, y, _ = regression_data(3)
    lam = 0.5
    w_ridge = np.linalg.solve(X.T @ X / len(X) + lam * np.eye(3), X.T @ y / len(X))
    W = am.Variable(np.zeros((3, 1)))
    opt = make_optimizer([W])
    for _ in range(steps):
        opt.zero_grad()
        loss = 0.5 * am.mean((X @ W - y) ** 2) + 0.5 * lam * am.sum(W ** 2)
        loss.backward()
        opt.step()
    # minimiser of ½ mean(r²) + ½ λ‖W‖²: (XᵀX/N + λI) W = Xᵀy/N
    np.testing.assert_allclose(W.data, w_ridge, atol=1e-5)


def test_adam_first_step_has_the_size_of_the_learning_rate():
    W = am.Variable(np.array([1.0, -2.0]))
    opt = am.optim.Adam([W], lr=0.1)
    am.sum(W * np.array([3.0, -0.01])).backward()
    opt.step()
    np.testing.assert_allclose(W.data, [0.9, -1.9], atol=1e-6)


def test_mlp_learns_xor_and_exposes_its_parameters():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    labels = np.array([0, 1, 1, 0])
    net = am.nn.MLP([2, 8, 2], "tanh", rng=0)
    params = net.parameters()
    assert [p.shape for p in params] == [(2, 8), (8,), (8, 2), (2,)]
    opt = am.optim.Adam(params, lr=0.05)
    for _ in range(300):
        opt.zero_grad()
        loss = am.cross_entropy(net(X), labels)
        loss.backward()
        opt.step()
    assert float(loss.data) < 0.05
    assert np.array_equal(np.argmax(net(X).data, axis=1), labels)


def test_optimizer_errors_are_clear():
    with pytest.raises(TypeError, match="requires_grad=True"):
        am.optim.SGD([am.Tensor([1.0])], lr=0.1)
    with pytest.raises(ValueError, match="learning rate must be positive"):
        am.optim.Adam([am.Variable([1.0])], lr=-1)
    opt = am.optim.SGD([am.Variable([1.0])], lr=0.1)
    with pytest.raises(RuntimeError, match="call loss.backward"):
        opt.step()
    with pytest.raises(TypeError, match="pass a function"):
        am.optim.GradientDescentOptimizer(0.1).minimize(am.Variable(1.0) * 2)
    with pytest.raises(ValueError, match="unknown activation"):
        am.nn.MLP([2, 1], "swish")
