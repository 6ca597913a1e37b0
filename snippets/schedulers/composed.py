"""Composed schedules: LambdaLR, MultiplicativeLR, SequentialLR and ChainedScheduler

LambdaLR and MultiplicativeLR take the schedule as a Python function; SequentialLR runs
schedulers one after another, ChainedScheduler runs them all at once. The same two schedulers,
a linear warmup and a cosine decay, give different curves under the two. Each scheduler drives
an SGD optimizer with base learning rate 0.1 for 100 calls to `scheduler.step()`, and each
traced schedule is compared with its closed form.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
from torch.optim import lr_scheduler

BASE_LR = 0.1
STEPS = 100
WARMUP_STEPS, WARMUP_START = 10, 0.1  # LinearLR(start_factor=0.1, total_iters=10)
HOLD_AFTER, DECAY = 50, 0.95  # MultiplicativeLR: times 0.95 per step up to step 50, then times 1
SHOW_T = (0, 5, 9, 10, 50, 90, 100)  # the steps the printed table shows
TOLERANCE = 1e-14  # relative gap to the closed form


def trace(make_scheduler, steps=STEPS, base_lr=BASE_LR):
    """get_last_lr()[0] after 0 ... steps calls to scheduler.step()."""
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=base_lr)
    scheduler = make_scheduler(optimizer)
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    return lrs


# %% The functions handed to LambdaLR and MultiplicativeLR
def inverse_sqrt(t):
    """LambdaLR factor: linear warmup over 10 steps, then 1 / sqrt(step) decay."""
    return min((t + 1) / WARMUP_STEPS, math.sqrt(WARMUP_STEPS / (t + 1)))


def decay_then_hold(t):
    """MultiplicativeLR factor for step t: shrink by DECAY until HOLD_AFTER, then stay."""
    return DECAY if t <= HOLD_AFTER else 1.0


def warmup(optimizer):
    return lr_scheduler.LinearLR(optimizer, start_factor=WARMUP_START, total_iters=WARMUP_STEPS)


def sequential(optimizer):
    cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=STEPS - WARMUP_STEPS)
    return lr_scheduler.SequentialLR(optimizer, [warmup(optimizer), cosine], milestones=[WARMUP_STEPS])


def chained(optimizer):
    cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=STEPS)
    return lr_scheduler.ChainedScheduler([warmup(optimizer), cosine])


# %% Closed forms
def warmup_factor(t):
    return WARMUP_START + (1 - WARMUP_START) * min(t, WARMUP_STEPS) / WARMUP_STEPS


def cosine_factor(t, T_max):
    return (1 + math.cos(math.pi * t / T_max)) / 2


def lambda_lr(t, base_lr=BASE_LR):
    return base_lr * inverse_sqrt(t)


def multiplicative_lr(t, base_lr=BASE_LR):
    return base_lr * math.prod(decay_then_hold(k) for k in range(1, t + 1))


def sequential_lr(t, base_lr=BASE_LR):
    if t < WARMUP_STEPS:
        return base_lr * warmup_factor(t)
    return base_lr * cosine_factor(t - WARMUP_STEPS, STEPS - WARMUP_STEPS)


def chained_lr(t, base_lr=BASE_LR):
    return base_lr * warmup_factor(t) * cosine_factor(t, STEPS)


SCHEDULES = {
    "LambdaLR": (lambda o: lr_scheduler.LambdaLR(o, inverse_sqrt), lambda_lr,
                 "warmup, then 1/√t"),
    "MultiplicativeLR": (lambda o: lr_scheduler.MultiplicativeLR(o, decay_then_hold), multiplicative_lr,
                         f"× {DECAY} per step up to t = {HOLD_AFTER}"),
    "SequentialLR": (sequential, sequential_lr, f"LinearLR, then CosineAnnealingLR at t = {WARMUP_STEPS}"),
    "ChainedScheduler": (chained, chained_lr, "LinearLR × CosineAnnealingLR"),
}


def worst_gap(name, steps=STEPS):
    """Largest |traced - closed form| / closed form over t = 0 ... steps (absolute where it is 0)."""
    make, closed, _ = SCHEDULES[name]
    return max(abs(lr - closed(t)) / (closed(t) or 1.0) for t, lr in enumerate(trace(make, steps)))


# %% Trace, compare, draw
print(f"{'t':<18}" + "".join(f"{t:>8}" for t in SHOW_T))
traces = {}
fig, grid = plt.subplots(2, 2, figsize=(9, 6.4), sharey=True, num="composed")
axes = grid.flatten()
for ax, (name, (make, closed, label)) in zip(axes, SCHEDULES.items()):
    lrs = traces[name] = trace(make)
    print(f"{name:<18}" + "".join(f"{lrs[t]:>8.3g}" for t in SHOW_T))
    ax.plot(range(STEPS + 1), lrs, label="get_last_lr()")
    ax.plot(range(0, STEPS + 1, 5), [closed(t) for t in range(0, STEPS + 1, 5)], "o",
            markersize=3, color="C3", label="closed form")
    ax.set_title(f"{name}\n{label}", fontsize="medium")
    ax.set_xlabel("t")
    ax.grid(alpha=0.3)
axes[-1].plot(range(STEPS + 1), trace(sequential), ":", color="gray", label="SequentialLR, for comparison")
axes[-1].legend()
for row in grid:
    row[0].set_ylabel("learning rate")
axes[0].legend()
fig.tight_layout()
plt.show()
gaps = {name: worst_gap(name) for name in SCHEDULES}
print(f"largest relative gap to the closed form over {STEPS} steps:")
for name, worst in gaps.items():
    print(f"  {name:<18}{worst:.1e}")

# %% What the figure shows
cosine_steps = STEPS - WARMUP_STEPS  # SequentialLR's cosine runs over the steps after the warmup
lambda_peak_step = max(range(STEPS + 1), key=lambda t: traces["LambdaLR"][t])
lambda_end = traces["LambdaLR"][STEPS]
decay_per_step = 1 - DECAY
multiplicative_end = traces["MultiplicativeLR"][STEPS]
sequential_start = traces["SequentialLR"][0]
chained_peak_step = max(range(STEPS + 1), key=lambda t: traces["ChainedScheduler"][t])
chained_peak = traces["ChainedScheduler"][chained_peak_step]
print(f"LambdaLR peaks at t = {lambda_peak_step} and ends at {lambda_end:.3g}; "
      f"MultiplicativeLR ends at {multiplicative_end:.3g}")
print(f"ChainedScheduler peaks at t = {chained_peak_step}, at {chained_peak:.3g}")
