"""Smooth decay: LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR and SWALR

Each scheduler drives an SGD optimizer with base learning rate 0.1 for 100 calls to
`scheduler.step()`, and each traced schedule is compared with its closed form. Most of these
schedulers compute the next rate from the current one (a recursion); the closed form is what that
recursion should add up to. A second figure follows CosineAnnealingLR past T_max, and shows what its
recursion does when something else changes the learning rate halfway.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
from torch.optim import lr_scheduler, swa_utils

BASE_LR = 0.1
STEPS = 100
LINEAR = dict(start_factor=1.0, end_factor=0.1, total_iters=80)
EXPONENTIAL_GAMMA = 0.97
POLYNOMIAL = dict(total_iters=80, power=2.0)
COSINE = dict(T_max=100, eta_min=0.005)
SWA = dict(swa_lr=0.02, anneal_epochs=30)
SHOW_T = (0, 1, 10, 30, 50, 80, 100)  # the steps the printed table shows


def trace(make_scheduler, steps=STEPS, base_lr=BASE_LR, meddle=None):
    """get_last_lr()[0] after 0 ... steps calls to scheduler.step().

    meddle(t, optimizer), if given, runs after step t: a stand-in for anything else that
    changes group["lr"] (another scheduler, or a hand-written rule).
    """
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=base_lr)
    scheduler = make_scheduler(optimizer)
    lrs = [scheduler.get_last_lr()[0]]
    for t in range(1, steps + 1):
        optimizer.step()
        scheduler.step()
        if meddle is not None:
            meddle(t, optimizer)
        lrs.append(optimizer.param_groups[0]["lr"])
    return lrs


# %% The closed forms
def linear_lr(t, base_lr=BASE_LR, start_factor=1.0, end_factor=0.1, total_iters=80):
    return base_lr * (start_factor + (end_factor - start_factor) * min(t, total_iters) / total_iters)


def exponential_lr(t, base_lr=BASE_LR, gamma=EXPONENTIAL_GAMMA):
    return base_lr * gamma**t


def polynomial_lr(t, base_lr=BASE_LR, total_iters=80, power=2.0):
    return base_lr * (1 - min(t, total_iters) / total_iters) ** power


def cosine_lr(t, base_lr=BASE_LR, T_max=100, eta_min=0.005):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2


def swa_lr(t, base_lr=BASE_LR, swa_lr=0.02, anneal_epochs=30, strategy="cos"):
    progress = min(1.0, t / max(1, anneal_epochs))
    alpha = (1 - math.cos(math.pi * progress)) / 2 if strategy == "cos" else progress
    return (1 - alpha) * base_lr + alpha * swa_lr


SCHEDULES = {
    "LinearLR": (lambda o: lr_scheduler.LinearLR(o, **LINEAR), linear_lr, "1 → 0.1 over 80 steps"),
    "ExponentialLR": (lambda o: lr_scheduler.ExponentialLR(o, gamma=EXPONENTIAL_GAMMA), exponential_lr,
                      f"gamma={EXPONENTIAL_GAMMA}"),
    "PolynomialLR": (lambda o: lr_scheduler.PolynomialLR(o, **POLYNOMIAL), polynomial_lr,
                     "total_iters=80, power=2"),
    "CosineAnnealingLR": (lambda o: lr_scheduler.CosineAnnealingLR(o, **COSINE), cosine_lr,
                          "T_max=100, eta_min=0.005"),
    "SWALR": (lambda o: swa_utils.SWALR(o, **SWA), swa_lr, "swa_lr=0.02, anneal_epochs=30, cos"),
}


def worst_gap(name, steps=STEPS):
    """Largest |traced - closed form| / closed form over t = 0 ... steps (0 where both are 0)."""
    make, closed, _ = SCHEDULES[name]
    gaps = [abs(lr - closed(t)) / closed(t) if closed(t) else abs(lr) for t, lr in enumerate(trace(make, steps))]
    return max(gaps)


# %% Trace, compare, draw
print(f"{'t':<18}" + "".join(f"{t:>8}" for t in SHOW_T))
fig, grid = plt.subplots(2, 3, figsize=(11, 6), sharey=True, num="shapes")
axes = grid.flatten()
for ax, (name, (make, closed, label)) in zip(axes, SCHEDULES.items()):
    lrs = trace(make)
    print(f"{name:<18}" + "".join(f"{lrs[t]:>8.3g}" for t in SHOW_T))
    ax.plot(range(STEPS + 1), lrs, label="get_last_lr()")
    ax.plot(range(0, STEPS + 1, 5), [closed(t) for t in range(0, STEPS + 1, 5)], "o",
            markersize=3, color="C3", label="closed form")
    ax.set_title(f"{name}\n{label}", fontsize="medium")
    ax.set_xlabel("t")
    ax.grid(alpha=0.3)
for row in grid:
    row[0].set_ylabel("learning rate")
axes[0].legend()
axes[-1].axis("off")  # five schedulers, six slots
fig.tight_layout()
plt.show()
print(f"largest relative gap to the closed form over {STEPS} steps:")
for name in SCHEDULES:
    print(f"  {name:<18}{worst_gap(name):.1e}")


# %% CosineAnnealingLR is a recursion: past T_max, and when something else changes the rate
def halve_at(step):
    """A meddler that halves every group's lr right after scheduler step `step`."""
    def meddle(t, optimizer):
        if t == step:
            for group in optimizer.param_groups:
                group["lr"] /= 2
    return meddle


def cosine(o):
    return lr_scheduler.CosineAnnealingLR(o, T_max=50, eta_min=0.0)


beyond = trace(cosine, steps=150)
halved = trace(cosine, steps=50, meddle=halve_at(20))
print(f"T_max = 50, stepped 150 times: lr at t = 50, 75, 100, 150: "
      + ", ".join(f"{beyond[t]:.3g}" for t in (50, 75, 100, 150)))
print(f"halved by hand after t = 20: lr / closed form at t = 21, 30, 49: "
      + ", ".join(f"{halved[t] / cosine_lr(t, T_max=50, eta_min=0.0):.6g}" for t in (21, 30, 49)))

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.2), num="training")
left.plot(beyond, label="get_last_lr()")
left.axvline(50, color="gray", linestyle=":", label="T_max = 50")
left.set_title("stepped past T_max: the cosine comes back up", fontsize="medium")
right.plot([cosine_lr(t, T_max=50, eta_min=0.0) for t in range(51)], "--", color="gray", label="closed form")
right.plot(halved, label="get_last_lr(), lr halved by hand at t = 20")
right.set_title("the recursion keeps an outside change", fontsize="medium")
for ax in (left, right):
    ax.set_xlabel("t (calls to scheduler.step())")
    ax.set_ylabel("learning rate")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
plt.show()
