"""Typical mistakes in lesson 02 (see README.md here)."""
from course_tools import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer(
        student="assumes_symmetric_C", cell="grad_quadratic", test="test_grad_quadratic",
        body="return 2 * C @ x",
        hint="assumes C is symmetric: it is right when C = Cᵀ, but not for a general C"),
    WrongAnswer(
        student="one_half_of_the_product_rule", cell="grad_quadratic", test="test_grad_quadratic",
        body="return C @ x",
        hint="and even for a symmetric C it is off by a factor ½"),
    WrongAnswer(
        student="denominator_layout", cell="jacobian_linear", test="test_jacobian_linear",
        body="return A.T",
        hint="is in the other layout convention (denominator layout"),
    WrongAnswer(
        student="diagonal_as_a_vector", cell="jacobian_tanh", test="test_jacobian_tanh",
        body="return 1 - np.tanh(x) ** 2",
        hint="returned a vector of length n = 5: the Jacobian of a function from Rⁿ to Rⁿ is an (n, n) matrix"),
    WrongAnswer(
        student="not_diagonal", cell="jacobian_tanh", test="test_jacobian_tanh",
        body="return np.outer(np.ones(len(x)), 1 - np.tanh(x) ** 2)",
        hint="the Jacobian of an elementwise function is diagonal"),
    WrongAnswer(
        student="chain_in_input_order", cell="jacobian_layer", test="test_jacobian_layer",
        body="return A.T @ np.diag(1 - np.tanh(A @ x) ** 2) @ B.T",
        hint="is in the other layout convention"),
    WrongAnswer(
        student="drops_the_two", cell="grad_least_squares", test="test_grad_least_squares",
        body="return A.T @ (A @ x - b)",
        hint="is off by a factor ½: it is half the right answer"),
]
