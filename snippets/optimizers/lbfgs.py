"""LBFGS: the closure it needs, the memory it keeps, and the constants of its update

Shows the error optimizer.step() raises without a closure, counts the closure calls of one
step(closure) on the Rosenbrock function with and without the strong Wolfe line search, measures
the state once the history is full, and reads from the installed torch the constants that its
update and its line search use.
"""

# %%
import inspect
import re

import torch
from torch.optim import lbfgs

START = (-1.2, 1.0)  # the classic start on Rosenbrock
HISTORIES = (3, 10)  # history sizes whose full state is measured
SHAPES = ((5, 6), (20,))  # the two parameters of that measurement

WOLFE_C1 = inspect.signature(lbfgs._strong_wolfe).parameters["c1"].default  # sufficient decrease
WOLFE_C2 = inspect.signature(lbfgs._strong_wolfe).parameters["c2"].default  # curvature
CURVATURE = float(re.search(r"if ys > ([\d.e+-]+):", inspect.getsource(torch.optim.LBFGS.step))[1])  # pairs kept above
defaults = torch.optim.LBFGS([torch.zeros(1)]).defaults  # max_eval resolved: max_iter * 5 // 4


def rosenbrock(w):
    """A curved valley with its minimum 0 at (1, 1)."""
    return (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2


def error_without_closure():
    """What optimizer.step() raises when it is called without a closure."""
    optimizer = torch.optim.LBFGS([torch.zeros(3, requires_grad=True)])
    try:
        optimizer.step()
    except TypeError as error:
        return error
    return None


def closure_calls(**hyperparameters):
    """How many times one optimizer.step(closure) calls the closure on Rosenbrock."""
    w = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([w], **hyperparameters)
    calls = []

    def closure():
        optimizer.zero_grad()
        loss = rosenbrock(w)
        loss.backward()
        calls.append(loss.item())
        return loss

    optimizer.step(closure)
    return len(calls)


def full_state(history_size, iterations=40):
    """LBFGS after `iterations` iterations on a quadratic in two parameters: (state, first parameter)."""
    generator = torch.Generator().manual_seed(0)
    params = [torch.randn(shape, dtype=torch.float64, generator=generator).requires_grad_() for shape in SHAPES]
    n = sum(p.numel() for p in params)
    q = torch.randn(n, n, dtype=torch.float64, generator=generator)
    h = q @ q.T / n + 0.01 * torch.eye(n, dtype=torch.float64)
    optimizer = torch.optim.LBFGS(params, history_size=history_size, max_iter=iterations)

    def closure():
        optimizer.zero_grad()
        x = torch.cat([p.flatten() for p in params])
        loss = 0.5 * x @ h @ x
        loss.backward()
        return loss

    optimizer.step(closure)
    return optimizer.state, params[0]


def flat_vectors(state, n):
    """The distinct tensors of n elements that a state entry holds, lists searched too."""
    found = {}
    for value in state.values():
        for item in value if isinstance(value, list) else [value]:
            if torch.is_tensor(item) and item.numel() == n:
                found[item.data_ptr()] = item
    return list(found.values())


# %% The closure
error = error_without_closure()
error_message = f"{type(error).__name__}: {error}"
calls = {"fixed": closure_calls(), "strong_wolfe": closure_calls(line_search_fn="strong_wolfe")}
print(f"optimizer.step() without a closure:\n  {error_message}")
print(f"max_iter = {defaults['max_iter']}, max_eval = None becomes {defaults['max_eval']}; closure calls in one")
print(f"step(closure) on Rosenbrock: {calls['fixed']} (fixed step), {calls['strong_wolfe']} (strong_wolfe)")

# %% The memory, once the history is full
elements = sum(torch.Size(shape).numel() for shape in SHAPES)
vectors, entries, under_first = {}, {}, {}
for history_size in HISTORIES:
    state, first = full_state(history_size)
    entries[history_size], under_first[history_size] = len(state), list(state) == [first]
    vectors[history_size] = len(flat_vectors(state[first], elements))
default_copies = 2 * defaults["history_size"] + 2  # vectors of the parameters' size, at the default history
print(f"\nparameters of shapes {SHAPES}: one state entry, under the first,")
print(f"of flat vectors of {elements} elements")
for history_size, count in vectors.items():
    print(f"  history_size = {history_size:>2}: {count:>2} vectors (the docstring's history_size + 1: "
          f"{history_size + 1})")

# %% The constants of the update
print(f"\npairs kept when y.s > {CURVATURE:g}; strong Wolfe: c1 = {WOLFE_C1:g}, c2 = {WOLFE_C2:g}")
