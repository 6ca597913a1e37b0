"""Step-wise schedules: StepLR, MultiStepLR and ConstantLR

Each scheduler drives an SGD optimizer with base learning rate 0.1 for 100 calls to
`scheduler.step()`; after every call we read `scheduler.get_last_lr()`. Beside each
traced schedule sits the closed form it should follow, written from the formulas on the
page, and the snippet prints the largest relative gap between the two.
"""

# %%
import math
from bisect import bisect_right

import matplotlib.pyplot as plt
import torch
from torch.optim import lr_scheduler

BASE_LR = 0.1
STEPS = 100
STEP_SIZE, STEP_GAMMA = 30, 0.5
MILESTONES, MULTI_GAMMA = [50, 75, 90], 0.3
CONSTANT_FACTOR, CONSTANT_ITERS = 1 / 3, 25
SHOW_T = (0, 24, 25, 30, 50, 75, 90, 100)  # the steps the printed table shows


def trace(make_scheduler, steps=STEPS, base_lr=BASE_LR):
    """get_last_lr()[0] after 0, 1, ..., steps calls to scheduler.step() (optimizer.step() first)."""
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=base_lr)
    scheduler = make_scheduler(optimizer)
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(steps):
        optimizer.step()  # no gradient: nothing moves, but the order is the one PyTorch expects
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    return lrs


# %% The closed forms
def step_lr(t, base_lr=BASE_LR, step_size=STEP_SIZE, gamma=STEP_GAMMA):
    return base_lr * gamma ** (t // step_size)


def multistep_lr(t, base_lr=BASE_LR, milestones=MILESTONES, gamma=MULTI_GAMMA):
    return base_lr * gamma ** bisect_right(sorted(milestones), t)


def constant_lr(t, base_lr=BASE_LR, factor=CONSTANT_FACTOR, total_iters=CONSTANT_ITERS):
    return base_lr * (factor if t < total_iters else 1.0)


SCHEDULES = {
    "StepLR": (
        lambda optimizer: lr_scheduler.StepLR(optimizer, step_size=STEP_SIZE, gamma=STEP_GAMMA),
        step_lr,
        f"step_size={STEP_SIZE}, gamma={STEP_GAMMA}",
    ),
    "MultiStepLR": (
        lambda optimizer: lr_scheduler.MultiStepLR(optimizer, milestones=MILESTONES, gamma=MULTI_GAMMA),
        multistep_lr,
        f"milestones={MILESTONES}, gamma={MULTI_GAMMA}",
    ),
    "ConstantLR": (
        lambda optimizer: lr_scheduler.ConstantLR(optimizer, factor=CONSTANT_FACTOR, total_iters=CONSTANT_ITERS),
        constant_lr,
        f"factor=1/3, total_iters={CONSTANT_ITERS}",
    ),
}


def worst_gap(name, steps=STEPS):
    """Largest |traced - closed form| / closed form over t = 0 ... steps."""
    make, closed, _ = SCHEDULES[name]
    return max(abs(lr - closed(t)) / closed(t) for t, lr in enumerate(trace(make, steps)))


# %% Trace, compare, draw
multistep_levels = [multistep_lr(milestone) for milestone in MILESTONES]  # the rate from each milestone on
constant_start = constant_lr(0)
print(f"{'t':<12}" + "".join(f"{t:>8}" for t in SHOW_T))
fig, axes = plt.subplots(1, 3, figsize=(11, 3), sharey=True, num="step-wise")
for ax, (name, (make, closed, label)) in zip(axes, SCHEDULES.items()):
    lrs = trace(make)
    print(f"{name:<12}" + "".join(f"{lrs[t]:>8.4g}" for t in SHOW_T))
    ax.plot(range(STEPS + 1), lrs, drawstyle="steps-post", label="get_last_lr()")
    ax.plot(range(0, STEPS + 1, 5), [closed(t) for t in range(0, STEPS + 1, 5)], "o",
            markersize=3, color="C3", label="closed form")
    ax.set_title(f"{name}\n{label}", fontsize="medium")
    ax.set_xlabel("t (calls to scheduler.step())")
    ax.grid(alpha=0.3)
axes[0].set_ylabel("learning rate")
axes[0].legend()
plt.show()
print(f"largest relative gap to the closed form over {STEPS} steps:")
for name in SCHEDULES:
    print(f"  {name:<18}{worst_gap(name):.1e}")
