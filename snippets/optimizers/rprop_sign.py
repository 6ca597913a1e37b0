"""Rprop uses only the sign of the gradient: the first step, a scaled loss, a sign change

Rprop's step size starts at lr for every element and changes only with the signs of successive
gradients. So its first step moves every element by exactly lr whatever the gradient, multiplying
the loss by a constant changes no iterate at all, and a sign change shrinks the step size and
skips a move. The snippet shows all three with torch.optim.Rprop.
"""

# %%
import torch

LR = 0.3  # the first-step experiment's lr
SCALE = 1000.0  # the loss is multiplied by this
STEPS = 30
CURVATURES = (0.1, 1.0, 10.0, 100.0)  # a quadratic whose gradients differ by orders of magnitude
X0, TRACE_LR, TRACE_STEPS = 1.0, 1.5, 4  # the sign-change trace on f(x) = x^2


def iterates(scale=1.0, lr=LR, steps=STEPS):
    """Iterates of torch.optim.Rprop on scale * sum_i h_i (theta_i - 1)^2 / 2 from theta = 0."""
    h = torch.tensor(CURVATURES, dtype=torch.float64)
    theta = torch.zeros(len(CURVATURES), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Rprop([theta], lr=lr)
    path = [theta.detach().clone()]
    for _ in range(steps):
        optimizer.zero_grad()
        (scale * (h * (theta - 1) ** 2).sum() / 2).backward()
        optimizer.step()
        path.append(theta.detach().clone())
    return path


def trace_sign_change(x0=X0, lr=TRACE_LR, steps=TRACE_STEPS):
    """torch.optim.Rprop on f(x) = x^2: one row (gradient, step size, x after) per step."""
    x = torch.tensor([x0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Rprop([x], lr=lr)
    rows = []
    for _ in range(steps):
        optimizer.zero_grad()
        (x**2).sum().backward()
        gradient = x.grad.item()
        optimizer.step()
        rows.append({"gradient": gradient, "step_size": optimizer.state[x]["step_size"].item(), "x": x.item()})
    return rows


# %% The first step, and the loss times SCALE
plain, scaled = iterates(), iterates(scale=SCALE)
first_moves = (plain[1] - plain[0]).abs().tolist()
identical = all(torch.equal(a, b) for a, b in zip(plain, scaled))
print(f"Rprop(lr={LR}) on a quadratic with curvatures {CURVATURES}:")
print("the first step moves each element by")
print("  " + ", ".join(f"{move:g}" for move in first_moves))
print(f"the loss times {SCALE:g}: all {STEPS} iterates identical, bit for bit: {identical}")

# %% One element through a sign change
rows = trace_sign_change()
print(f"\ntorch.optim.Rprop(lr={TRACE_LR}) on f(x) = x^2 from x = {X0:g}:")
print(f"  {'step':>4} {'gradient':>9} {'step size':>10} {'x after':>8}")
for step, row in enumerate(rows, start=1):
    print(f"  {step:>4} {row['gradient']:>9g} {row['step_size']:>10g} {row['x']:>8g}")
