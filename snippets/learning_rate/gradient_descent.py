"""Gradient descent on f(x) = 4x², one step at a time

Autograd computes f'(x) = 8x; the loop applies x <- x - lr * f'(x) from x0 = 2.
It draws the curve, prints every iterate for lr = 1, and shows for lr = 1, 0.2 and 0.125
the loss per iteration beside the path the iterates take on the curve. Last, it runs
torch.optim.SGD beside the loop and counts the steps where the two round differently.
"""

# %%
from fractions import Fraction

import matplotlib.pyplot as plt
import torch

X0 = 2.0
REACH = 3.0  # the plots show x from -REACH to REACH, or farther when the iterates go farther
LR_DIVERGING = 1.0
LR_ZIGZAG = 0.2
LR_ONE_STEP = 0.125
SHOWN = {LR_DIVERGING: 3, LR_ZIGZAG: 12, LR_ONE_STEP: 3}  # learning rate -> updates to show
SGD_LRS = (0.01, 0.125, 0.2, 0.26, 1.0)  # compared with torch.optim.SGD
SGD_STEPS = 30
SGD_TOLERANCE = 1e-14  # the largest relative difference the page allows between the two


def f(x):
    """The running example: f(x) = 4x^2 = (2x)^2, minimum f(0) = 0."""
    return 4 * x**2


def descend(lr, x0=X0, steps=10):
    """Gradient descent with autograd. Returns (iteration, x, f'(x), f(x)) for x_0 ... x_steps."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    history = []
    for iteration in range(steps + 1):
        loss = f(x)
        loss.backward()
        history.append((iteration, x.item(), x.grad.item(), loss.item()))
        with torch.no_grad():
            x -= lr * x.grad
        x.grad.zero_()
    return history


def column(history, index):
    """One column of descend's rows: 1 for x, 2 for f'(x), 3 for f(x)."""
    return [row[index] for row in history]


# %% The curve
_, _, start_grad, start_loss = descend(lr=0.0, steps=0)[0]  # f'(x0) and f(x0), by autograd
grid = torch.linspace(-REACH, REACH, 201)
plt.figure("parabola", figsize=(5, 3.2))
plt.plot(grid, f(grid), label="f(x) = 4x²")
plt.scatter([X0], [start_loss], color="C3", zorder=3, label=f"start x₀ = {X0:g}")
plt.xlabel("x")
plt.ylabel("f(x)")
plt.grid(alpha=0.3)
plt.legend()
plt.show()

# %% lr = 1: the iterates grow without bound
diverging = descend(LR_DIVERGING, steps=SHOWN[LR_DIVERGING])
print(f"lr = {LR_DIVERGING:g}")
print(f"{'iter':>4} {'x':>10} {'grad':>10} {'loss':>12}")
for iteration, x, grad, loss in diverging:
    print(f"{iteration:>4} {x:>10g} {grad:>10g} {loss:>12g}")
diverging_xs, diverging_losses = column(diverging, 1), column(diverging, 3)
diverging_factor = diverging_xs[1] / diverging_xs[0]  # what each step multiplies x by: 1 - 8 lr
diverging_growth = abs(diverging_factor)

# %% lr = 0.2 zigzags in, lr = 0.125 lands in one step
zigzag = descend(LR_ZIGZAG, steps=SHOWN[LR_ZIGZAG])
zigzag_xs, zigzag_losses = column(zigzag, 1), column(zigzag, 3)
zigzag_factor = zigzag_xs[1] / zigzag_xs[0]
zigzag_shrink = abs(zigzag_factor)
zigzag_loss_ratio = zigzag_losses[1] / zigzag_losses[0]
one_step = descend(LR_ONE_STEP, steps=SHOWN[LR_ONE_STEP])
one_step_xs, one_step_losses = column(one_step, 1), column(one_step, 3)
for lr, history in ((LR_ZIGZAG, zigzag), (LR_ONE_STEP, one_step)):
    shown = ", ".join(f"{x:.4g}" for x in column(history, 1)[:5])
    print(f"lr = {lr:g}: x = {shown}, ...")

# %% Loss per iteration beside the path on the curve
for lr, history in ((LR_DIVERGING, diverging), (LR_ZIGZAG, zigzag), (LR_ONE_STEP, one_step)):
    iterations, xs, losses = column(history, 0), column(history, 1), column(history, 3)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2), num=f"lr-{lr:g}".replace(".", "-"))
    fig.suptitle(f"lr = {lr:g}")
    left.plot(iterations, losses, "-o", color="C3")
    left.set_xlabel("iteration")
    left.set_ylabel("loss f(x)")
    left.grid(alpha=0.3)
    reach = max(REACH, 1.1 * max(abs(x) for x in xs))
    curve = torch.linspace(-reach, reach, 401)
    right.plot(curve, f(curve), color="C0", label="f(x) = 4x²")
    right.plot(xs, losses, "-o", color="C3", label="iterates")
    right.set_xlabel("x")
    right.set_ylabel("f(x)")
    right.grid(alpha=0.3)
    right.legend()
    plt.show()


# %% [markdown]
# ## The same loop with torch.optim.SGD
#
# `SGD.step()` computes `x.add_(grad, alpha=-lr)`. Vectorized CPU kernels may round
# `x + (-lr) * grad` once, as a fused multiply-add, where the loop rounds `lr * grad` first.


# %%
def sgd_descend(lr, x0=X0, steps=SGD_STEPS):
    """torch.optim.SGD with its defaults on f. Returns [(x, f'(x))] for x_0 ... x_steps."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    rows = []
    for _ in range(steps + 1):
        optimizer.zero_grad()
        f(x).backward()
        rows.append((x.item(), x.grad.item()))
        optimizer.step()
    return rows


def fused(x, lr, grad):
    """x - lr * grad rounded once, as a fused multiply-add does (exact arithmetic, then one rounding)."""
    return float(Fraction(x) - Fraction(lr) * Fraction(grad))


def compare(lr, steps=SGD_STEPS):
    """For one lr: the largest relative difference between SGD's iterates and the loop's, the
    steps at which they differ, and how many of SGD's updates x -> x - lr * grad equal that value
    rounded once (fused) and rounded twice (lr * grad first, as the loop does)."""
    loop = column(descend(lr, steps=steps), 1)
    sgd = sgd_descend(lr, steps=steps)
    xs = [x for x, _ in sgd]
    gap = max(abs(a - b) / abs(a) if a else abs(b) for a, b in zip(loop, xs))
    differing = sum(a != b for a, b in zip(loop[1:], xs[1:]))
    once = sum(fused(x, lr, grad) == after for (x, grad), after in zip(sgd, xs[1:]))
    twice = sum(x - lr * grad == after for (x, grad), after in zip(sgd, xs[1:]))
    return {"gap": gap, "differing": differing, "once": once, "twice": twice}


cpu_kernels = torch.backends.cpu.get_cpu_capability()
comparisons = [{"lr": lr, **compare(lr)} for lr in SGD_LRS]
sgd_gap = max(row["gap"] for row in comparisons)
sgd_differing = sum(row["differing"] for row in comparisons)
sgd_updates = SGD_STEPS * len(SGD_LRS)
print(f"torch.optim.SGD beside the loop, {SGD_STEPS} steps each, CPU kernels {cpu_kernels}:")
print(f"{'lr':>6} {'largest rel. diff.':>19} {'steps that differ':>18} {'rounded once':>13} {'twice':>6}")
for row in comparisons:
    print(f"{row['lr']:>6g} {row['gap']:>19.1e} {row['differing']:>18} {row['once']:>13} {row['twice']:>6}")
print(f"all: largest {sgd_gap:.1e} (tolerance {SGD_TOLERANCE:g}); "
      f"{sgd_differing} of {sgd_updates} steps differ")
