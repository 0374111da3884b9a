"""Typical mistakes in lesson 06 (see README.md here)."""
from course_tools import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer(
        student="mul_stores_values", cell="mul", test="test_mul",
        body='return Value(a.data * b.data, parents=(a, b), local_grads=(b, a), op="*")',
        hint="should be an array of real numbers, but your function returned a Value"),
    WrongAnswer(
        student="power_without_k", cell="power", test="test_power",
        body='return Value(a.data ** k, parents=(a,), local_grads=(a.data ** (k - 1),), op="**")',
        hint="k = 2 is off by a factor ½"),
    WrongAnswer(
        student="tanh_sign_flipped", cell="tanh", test="test_tanh",
        body="""
t = math.tanh(a.data)
return Value(t, parents=(a,), local_grads=(t * t - 1.0,), op="tanh")
""",
        hint="has the wrong sign"),
    WrongAnswer(
        student="recursive_topological_sort", cell="topological_sort", test="test_topological_sort",
        body="""
order, placed = [], set()

def place(v):
    if id(v) not in placed:
        placed.add(id(v))
        for p in v.parents:
            place(p)
        order.append(v)

place(root)
return order
""",
        hint="raised RecursionError on a chain of 5,000 additions"),
    WrongAnswer(
        student="no_placed_set", cell="topological_sort", test="test_topological_sort",
        body="""
order, stack = [], [(root, False)]
while stack:
    v, expanded = stack.pop()
    if expanded:
        order.append(v)
    else:
        stack.append((v, True))
        stack.extend((p, False) for p in v.parents)
return order
""",
        hint="lists the same Value more than once"),
    WrongAnswer(
        student="backward_assigns", cell="backward", test="test_backward",
        body="""
root.grad = 1.0
for v in reversed(order):
    for parent, local in zip(v.parents, v.local_grads):
        parent.grad = local * v.grad
""",
        hint="a is used twice: both uses must add up) is off by a factor ½"),
    WrongAnswer(
        student="backward_in_creation_order", cell="backward", test="test_backward",
        body="""
root.grad = 1.0
for v in order:
    for parent, local in zip(v.parents, v.local_grads):
        parent.grad += local * v.grad
""",
        hint="walk the order backwards, reversed(order)"),
]
