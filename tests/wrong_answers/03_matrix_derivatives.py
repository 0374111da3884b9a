"""Typical mistakes in lesson 03 (see README.md here)."""
from course_tools import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer(   # the vectors on the wrong sides: b aᵀ instead of a bᵀ
        student="outer_swapped", cell="grad_aXb", test="test_grad_aXb",
        body="return np.outer(b, a)",
        hint="off by a transpose"),
    WrongAnswer(   # tr(A dX B) = tr(BA dX), then BA read off as the gradient: M instead of Mᵀ
        student="trace_not_transposed", cell="grad_trace_AXB", test="test_grad_trace_AXB",
        body="return B @ A",
        hint="off by a transpose"),
    WrongAnswer(   # the two terms of the product rule merged as if C = Cᵀ
        student="c_assumed_symmetric", cell="grad_trace_XtCX", test="test_grad_trace_XtCX",
        body="return 2 * C @ X",
        hint="assumes C is symmetric"),
    WrongAnswer(   # the 2 of the square dropped
        student="residual_without_two", cell="grad_residual_X", test="test_grad_residual_X",
        body="return A.T @ (A @ X - B)",
        hint="off by a factor ½"),
    WrongAnswer(   # exercise 4's answer copied: the gradient with respect to X, not A
        student="residual_a_copied_from_x", cell="grad_residual_A", test="test_grad_residual_A",
        body="return 2 * A.T @ (A @ X - B)",
        hint="it must have the shape of A"),
    WrongAnswer(   # the two terms of the product rule merged as if they were equal (true only for a = b)
        student="terms_merged", cell="grad_aXXtb", test="test_grad_aXXtb",
        body="return 2 * np.outer(a, b) @ X",
        hint="right when a = b: did you merge the two terms of the product rule"),
    WrongAnswer(   # one of the two terms of the product rule forgotten
        student="one_term_only", cell="grad_aXXtb", test="test_grad_aXXtb",
        body="return np.outer(a, b) @ X",
        hint="is a term of the product rule missing"),
]
