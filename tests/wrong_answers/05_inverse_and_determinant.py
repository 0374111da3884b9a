"""Typical mistakes in lesson 05 (see README.md here)."""
from course_tools import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer(
        student="inverse_without_transposes", cell="inv_vjp", test="test_inv_vjp",
        body="""
X_inv = np.linalg.inv(X)
return -X_inv @ G @ X_inv
""",
        hint="assumes X is symmetric"),
    WrongAnswer(
        student="outer_product_swapped", cell="grad_a_inv_b", test="test_grad_a_inv_b",
        body="""
X_inv = np.linalg.inv(X)
return -np.outer(X_inv @ b, X_inv.T @ a)
""",
        hint="off by a transpose"),
    WrongAnswer(
        student="det_gradient_with_abs", cell="grad_det", test="test_grad_det",
        body="return abs(np.linalg.det(X)) * np.linalg.inv(X).T",
        hint="that is |det X| in place of det X"),
    WrongAnswer(
        student="det_factor_forgotten", cell="grad_det", test="test_grad_det",
        body="return np.linalg.inv(X).T",
        hint="that is ∇ log|det X|"),
    WrongAnswer(
        student="solve_with_an_inverse", cell="solve_vjp", test="test_solve_vjp",
        body="""
A_inv = np.linalg.inv(A)
X = A_inv @ B
dB = A_inv.T @ G
return -dB @ X.T, dB
""",
        hint="np.linalg.inv was called"),
    WrongAnswer(
        student="solve_without_transpose", cell="solve_vjp", test="test_solve_vjp",
        body="""
X = np.linalg.solve(A, B)
dB = np.linalg.solve(A, G)
return -dB @ X.T, dB
""",
        hint="dB (B of shape (4, 2)) assumes A is symmetric"),
    WrongAnswer(
        student="solve_pair_swapped", cell="solve_vjp", test="test_solve_vjp",
        body="""
X = np.linalg.solve(A, B)
dB = np.linalg.solve(A.T, G)
return dB, -dB @ X.T
""",
        hint="returned the pair in the wrong order"),
    WrongAnswer(
        student="autodiff_gradient_kept", cell="symmetric_gradient", test="test_symmetric_gradient",
        body="return G.copy()",
        hint="is off by a factor ½"),
    WrongAnswer(
        student="papers_formula_for_any_gradient", cell="symmetric_gradient",
        test="test_symmetric_gradient",
        body="return 2 * G - np.diag(np.diag(G))",
        hint="which assumes G is symmetric"),
    WrongAnswer(
        student="column_major_kronecker", cell="ravel_jacobian", test="test_ravel_jacobian",
        body="return np.kron(B.T, A)",
        hint="the Jacobian for vec (columns stacked"),
]
