"""Typical mistakes in lesson 06 (see README.md here)."""
from course_tools import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer(
        student="mul_stores_values", cell="mul", test="test_mul",
        body='return Value(a.data * b.data, parents=(a, b), local_grads=(b, a), op="*")',
        hint="mul(a, b).local_grads holds a Value: store floats"),
    WrongAnswer(
        student="mul_swapped", cell="mul", test="test_mul",
        body='return Value(a.data * b.data, parents=(a, b), local_grads=(a.data, b.data), op="*")',
        hint="has the two local derivatives swapped: d(ab)/da = b"),
    WrongAnswer(
        student="power_without_k", cell="power", test="test_power",
        body='return Value(a.data ** k, parents=(a,), local_grads=(a.data ** (k - 1),), op="**")',
        hint="the factor k is missing"),
    WrongAnswer(
        student="power_exponent_not_lowered", cell="power", test="test_power",
        body='return Value(a.data ** k, parents=(a,), local_grads=(k * a.data ** k,), op="**")',
        hint="the exponent was not lowered"),
    WrongAnswer(
        student="tanh_sign_flipped", cell="tanh", test="test_tanh",
        body="""
t = math.tanh(a.data)
return Value(t, parents=(a,), local_grads=(t * t - 1.0,), op="tanh")
""",
        hint="has the wrong sign"),
    WrongAnswer(
        student="tanh_written_in_a", cell="tanh", test="test_tanh",
        body="""
t = math.tanh(a.data)
return Value(t, parents=(a,), local_grads=(1.0 - a.data ** 2,), op="tanh")
""",
        hint="written with a instead of the output t = tanh(a)"),
    WrongAnswer(
        student="relu_int_and_one_at_zero", cell="relu", test="test_relu",
        body='return Value(max(0.0, a.data), parents=(a,), local_grads=(1 if a.data >= 0 else 0,), op="relu")',
        hint="is the int 0: store the derivative as a float"),
    WrongAnswer(
        student="relu_one_at_zero", cell="relu", test="test_relu",
        body='return Value(max(0.0, a.data), parents=(a,), local_grads=(1.0 if a.data >= 0 else 0.0,), op="relu")',
        hint="at the kink a = 0 must be 0.0"),
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
        student="placed_when_pushed", cell="topological_sort", test="test_topological_sort",
        body="""
order, placed = [], {id(root)}
stack = [(root, False)]
while stack:
    v, expanded = stack.pop()
    if expanded:
        order.append(v)
    else:
        stack.append((v, True))
        for p in v.parents:
            if id(p) not in placed:
                placed.add(id(p))
                stack.append((p, False))
return order
""",
        hint="mark a Value placed when you pop it to expand it, not when you push it"),
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
    WrongAnswer(
        student="backward_without_v_grad", cell="backward", test="test_backward",
        body="""
root.grad = 1.0
for v in reversed(order):
    for parent, local in zip(v.parents, v.local_grads):
        parent.grad += local
""",
        hint="misses a factor v.grad"),
    WrongAnswer(
        student="backward_zero_grad_inside", cell="backward", test="test_backward",
        body="""
zero_grad(order)
root.grad = 1.0
for v in reversed(order):
    for parent, local in zip(v.parents, v.local_grads):
        parent.grad += local * v.grad
""",
        hint="backward reset the gradients"),
    WrongAnswer(
        student="backward_root_grad_added", cell="backward", test="test_backward",
        body="""
root.grad += 1.0
for v in reversed(order):
    for parent, local in zip(v.parents, v.local_grads):
        parent.grad += local * v.grad
""",
        hint="rather than adding to it (root.grad += 1.0)"),
]
