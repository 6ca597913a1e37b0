"""zero_grad(): None gradients against zero gradients

`optimizer.zero_grad()` sets every gradient to None by default (`set_to_none=True`). The snippet
shows the two things that differ from zeroing them in place (`set_to_none=False`): an optimizer
skips a parameter whose gradient is None but still steps one whose gradient is zero, and code that
reads or adds to `.grad` between `zero_grad()` and `backward()` meets None.
"""

# %%
import inspect

import torch

LR = 0.1
STEPS = 5  # the second branch of the model is used in the first step only

SET_TO_NONE_DEFAULT = inspect.signature(torch.optim.Optimizer.zero_grad).parameters["set_to_none"].default
print(f"Optimizer.zero_grad(set_to_none={SET_TO_NONE_DEFAULT}) by default")


# %% A parameter that stops getting gradients
def unused_branch_moves(set_to_none, steps=STEPS, lr=LR):
    """How far Adam moves a branch of the model at each step; the branch takes part in step 0 only."""
    torch.manual_seed(0)
    used, branch = torch.nn.Linear(4, 1), torch.nn.Linear(4, 1)
    optimizer = torch.optim.Adam([*used.parameters(), *branch.parameters()], lr=lr)
    x = torch.randn(8, 4)
    moves = []
    for step in range(steps):
        optimizer.zero_grad(set_to_none=set_to_none)
        output = used(x) + branch(x) if step == 0 else used(x)
        output.pow(2).mean().backward()
        before = branch.weight.detach().clone()
        optimizer.step()
        moves.append((branch.weight - before).abs().max().item())
    return moves


moves = {"None": unused_branch_moves(True), "zero": unused_branch_moves(False)}
print(f"largest change of the unused branch's weight, per step (Adam, lr = {LR:g})")
print(f"{'gradients set to':<18}" + "".join(f"{f'step {step}':>10}" for step in range(STEPS)))
for kind, row in moves.items():
    print(f"{kind:<18}" + "".join(f"{move:>10.4f}" for move in row))
moved_after_first_step = {kind: sum(row[1:]) for kind, row in moves.items()}


# %% Code that reads or accumulates .grad after zero_grad()
def after_zero_grad(action, set_to_none=True):
    """Run `action` on a weight right after zero_grad(); the exception's text, or "" if none."""
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    model(torch.ones(1, 2)).sum().backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=set_to_none)
    try:
        action(model.weight)
    except (AttributeError, TypeError) as error:
        return f"{type(error).__name__}: {error}"
    return ""


def read_norm(weight):
    weight.grad.norm()


def add_in_place(weight):
    weight.grad += torch.ones_like(weight)


def add_if_present(weight):  # the right way for code that must run after zero_grad()
    if weight.grad is None:
        weight.grad = torch.zeros_like(weight)
    weight.grad += torch.ones_like(weight)


errors = {
    "read_norm": after_zero_grad(read_norm),
    "add_in_place": after_zero_grad(add_in_place),
    "add_if_present": after_zero_grad(add_if_present),
    "add_in_place, set_to_none=False": after_zero_grad(add_in_place, set_to_none=False),
}
for name, error in errors.items():
    print(f"{name}:\n    {error or 'runs'}")
