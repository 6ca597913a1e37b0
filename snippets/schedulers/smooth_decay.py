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
TOLERANCE = 1e-14  # relative gap to the closed form
PAST_T_MAX = 50  # the second figure: CosineAnnealingLR(T_max=50, eta_min=0), stepped three times as far
HALVE_AFTER = 20  # ... and, in a second run, its rate halved by hand after this step
HALVED_TOLERANCE = 1e-12
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
def linear_lr(t, base_lr=BASE_LR, start_factor=LINEAR["start_factor"], end_factor=LINEAR["end_factor"],
              total_iters=LINEAR["total_iters"]):
    return base_lr * (start_factor + (end_factor - start_factor) * min(t, total_iters) / total_iters)


def exponential_lr(t, base_lr=BASE_LR, gamma=EXPONENTIAL_GAMMA):
    return base_lr * gamma**t


def polynomial_lr(t, base_lr=BASE_LR, total_iters=POLYNOMIAL["total_iters"], power=POLYNOMIAL["power"]):
    return base_lr * (1 - min(t, total_iters) / total_iters) ** power


def cosine_lr(t, base_lr=BASE_LR, T_max=COSINE["T_max"], eta_min=COSINE["eta_min"]):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2


def swa_lr(t, base_lr=BASE_LR, swa_lr=SWA["swa_lr"], anneal_epochs=SWA["anneal_epochs"], strategy="cos"):
    progress = min(1.0, t / max(1, anneal_epochs))
    alpha = (1 - math.cos(math.pi * progress)) / 2 if strategy == "cos" else progress
    return (1 - alpha) * base_lr + alpha * swa_lr


SCHEDULES = {
    "LinearLR": (lambda o: lr_scheduler.LinearLR(o, **LINEAR), linear_lr,
                 f"{LINEAR['start_factor']:g} → {LINEAR['end_factor']:g} over {LINEAR['total_iters']} steps"),
    "ExponentialLR": (lambda o: lr_scheduler.ExponentialLR(o, gamma=EXPONENTIAL_GAMMA), exponential_lr,
                      f"gamma={EXPONENTIAL_GAMMA}"),
    "PolynomialLR": (lambda o: lr_scheduler.PolynomialLR(o, **POLYNOMIAL), polynomial_lr,
                     f"total_iters={POLYNOMIAL['total_iters']}, power={POLYNOMIAL['power']:g}"),
    "CosineAnnealingLR": (lambda o: lr_scheduler.CosineAnnealingLR(o, **COSINE), cosine_lr,
                          f"T_max={COSINE['T_max']}, eta_min={COSINE['eta_min']}"),
    "SWALR": (lambda o: swa_utils.SWALR(o, **SWA), swa_lr,
              f"swa_lr={SWA['swa_lr']}, anneal_epochs={SWA['anneal_epochs']}, cos"),
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
traces = {}
for ax, (name, (make, closed, label)) in zip(axes, SCHEDULES.items()):
    lrs = traces[name] = trace(make)
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
linear_end = traces["LinearLR"][STEPS]
exponential_end = traces["ExponentialLR"][STEPS]
gaps = {name: worst_gap(name) for name in SCHEDULES}
print(f"largest relative gap to the closed form over {STEPS} steps:")
for name, worst in gaps.items():
    print(f"  {name:<18}{worst:.1e}")


# %% CosineAnnealingLR is a recursion: past T_max, and when something else changes the rate
def halve_at(step):
    """A meddler that halves every group's lr right after scheduler step `step`."""
    def meddle(t, optimizer):
        if t == step:
            for group in optimizer.param_groups:
                group["lr"] /= 2
    return meddle


def cosine(o):
    return lr_scheduler.CosineAnnealingLR(o, T_max=PAST_T_MAX, eta_min=0.0)


def cosine_closed(t):
    return cosine_lr(t, T_max=PAST_T_MAX, eta_min=0.0)


beyond = trace(cosine, steps=3 * PAST_T_MAX)
halved = trace(cosine, steps=PAST_T_MAX, meddle=halve_at(HALVE_AFTER))
past = [{"t": t, "lr": beyond[t]} for t in (PAST_T_MAX, 3 * PAST_T_MAX // 2, 2 * PAST_T_MAX, 3 * PAST_T_MAX)]
halved_ratios = [halved[t] / cosine_closed(t) for t in range(HALVE_AFTER, PAST_T_MAX)]
halved_worst = max(abs(ratio - 0.5) / 0.5 for ratio in halved_ratios)
print(f"T_max = {PAST_T_MAX}, stepped {3 * PAST_T_MAX} times: lr at t = "
      + ", ".join(f"{row['t']}: {row['lr']:.3g}" for row in past))
print(f"halved by hand after t = {HALVE_AFTER}: lr / closed form from there to t = {PAST_T_MAX - 1}:")
print(f"  0.5 to within {halved_worst:.1e} relative")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), num="training")
left.plot(beyond, label="get_last_lr()")
left.axvline(PAST_T_MAX, color="gray", linestyle=":", label=f"T_max = {PAST_T_MAX}")
left.set_title("stepped past T_max:\nthe cosine comes back up", fontsize="medium")
right.plot([cosine_closed(t) for t in range(PAST_T_MAX + 1)], "--", color="gray", label="closed form")
right.plot(halved, label=f"get_last_lr(), halved\nby hand at t = {HALVE_AFTER}")
right.set_title("the recursion keeps\nan outside change", fontsize="medium")
for ax in (left, right):
    ax.set_xlabel("t (calls to scheduler.step())")
    ax.set_ylabel("learning rate")
    ax.grid(alpha=0.3)
    ax.legend()
plt.show()
