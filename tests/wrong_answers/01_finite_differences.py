"""Typical mistakes in lesson 01 (see README.md here)."""
from course_tools import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer(
        student="divides_by_h", cell="central_difference", test="test_central_difference",
        body="return (f(x + h) - f(x - h)) / h",
        hint="is off by a factor 2: it is twice the right answer"),
    WrongAnswer(
        student="subtracts_backwards", cell="central_difference", test="test_central_difference",
        body="return (f(x - h) - f(x + h)) / (2 * h)",
        hint="has the wrong sign"),
    WrongAnswer(
        student="forward_not_central", cell="central_difference", test="test_central_difference",
        body="return (f(x + h) - f(x)) / h",
        hint="first-order formula like the forward difference"),
    WrongAnswer(
        student="asymmetric_relative_error", cell="relative_error", test="test_relative_error",
        body="return float(np.linalg.norm(np.asarray(a) - np.asarray(b)) / np.linalg.norm(b))",
        hint="divide by the larger of the two norms"),
    WrongAnswer(
        student="max_abs_norm", cell="relative_error", test="test_relative_error",
        body="""
a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0))
return 0.0 if scale == 0 else float(np.max(np.abs(a - b)) / scale)
""",
        hint="use the Euclidean norm ‖·‖₂ over all entries"),
    WrongAnswer(
        student="flat_gradient", cell="numerical_gradient", test="test_numerical_gradient",
        body="""
X = np.asarray(X, dtype=np.float64)
G = []
for k in range(X.size):
    step = np.zeros(X.size)
    step[k] = h
    step = step.reshape(X.shape)
    G.append((f(X + step) - f(X - step)) / (2 * h))
return np.array(G)
""",
        hint="has the right values in the wrong shape"),
    WrongAnswer(
        student="integer_copy", cell="numerical_gradient", test="test_numerical_gradient",
        body="""
G = np.zeros_like(X)
for idx in np.ndindex(X.shape):
    X_plus, X_minus = X.copy(), X.copy()
    X_plus[idx] += h
    X_minus[idx] -= h
    G[idx] = (f(X_plus) - f(X_minus)) / (2 * h)
return G
""",
        hint="evaluated f at an integer array, where X + h is rounded back to an integer"),
    WrongAnswer(
        student="integer_gradient", cell="numerical_gradient", test="test_numerical_gradient",
        body="""
G = np.zeros_like(X)
X = np.array(X, dtype=np.float64)
for idx in np.ndindex(X.shape):
    X_plus, X_minus = X.copy(), X.copy()
    X_plus[idx] += h
    X_minus[idx] -= h
    G[idx] = (f(X_plus) - f(X_minus)) / (2 * h)
return G
""",
        hint="is an integer array"),
    WrongAnswer(
        student="entries_not_put_back", cell="numerical_gradient", test="test_numerical_gradient",
        body="""
X = np.array(X, dtype=np.float64)
G = np.zeros(X.shape)
for idx in np.ndindex(X.shape):
    X[idx] += h
    f_plus = f(X)
    X[idx] -= 2 * h
    f_minus = f(X)
    G[idx] = (f_plus - f_minus) / (2 * h)
return G
""",
        hint="put each entry back before perturbing the next one"),
    WrongAnswer(
        student="perturbs_callers_x", cell="numerical_gradient", test="test_numerical_gradient",
        body="""
G = np.zeros(np.shape(X))
for idx in np.ndindex(X.shape):
    X[idx] += h
    f_plus = f(X)
    X[idx] -= 2 * h
    f_minus = f(X)
    G[idx] = (f_plus - f_minus) / (2 * h)
return G
""",
        hint="changed the X it was given: perturb a copy"),
    WrongAnswer(
        student="directional_divides_by_h", cell="directional_derivative",
        test="test_directional_derivative",
        body="return (f(X + h * V) - f(X - h * V)) / h",
        hint="is off by a factor 2"),
    WrongAnswer(
        student="directional_ignores_v", cell="directional_derivative",
        test="test_directional_derivative",
        body="return (f(X + h) - f(X - h)) / (2 * h)",
        hint="your slope does not depend on the direction V"),
]
