"""Changing the learning rate by hand while a scheduler runs

Each scheduler runs twice for STEPS steps: untouched, and with `group["lr"]` halved by hand after
step HALVE_AT. The snippet records the ratio of the two runs' learning rates at every later step:
0.5 when the scheduler keeps the change, 1 when its next step overwrites it. For the schedulers
that overwrite it, it then halves what they compute the rate from instead.
"""

# %%
import matplotlib.pyplot as plt
import torch
from torch.optim import lr_scheduler

LR = 0.1
STEPS = 12
HALVE_AT = 4  # halve the lr by hand after this many steps
RATIO_TOLERANCE = 1e-9
SCHEDULERS = {
    "StepLR": lambda optimizer: lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5),
    "MultiStepLR": lambda optimizer: lr_scheduler.MultiStepLR(optimizer, milestones=[6, 9], gamma=0.5),
    "ExponentialLR": lambda optimizer: lr_scheduler.ExponentialLR(optimizer, gamma=0.9),
    "CosineAnnealingLR": lambda optimizer: lr_scheduler.CosineAnnealingLR(optimizer, T_max=2 * STEPS),
    "LinearLR": lambda optimizer: lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=8),
    "PolynomialLR": lambda optimizer: lr_scheduler.PolynomialLR(optimizer, total_iters=2 * STEPS, power=2),
    "MultiplicativeLR": lambda optimizer: lr_scheduler.MultiplicativeLR(optimizer, lambda t: 0.9),
    "ReduceLROnPlateau": lambda optimizer: lr_scheduler.ReduceLROnPlateau(optimizer, patience=2),
    "LambdaLR": lambda optimizer: lr_scheduler.LambdaLR(optimizer, lambda t: 0.9**t),
    "CosineAnnealingWarmRestarts": lambda optimizer: lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=5),
    "CyclicLR": lambda optimizer: lr_scheduler.CyclicLR(optimizer, base_lr=0.01, max_lr=LR, step_size_up=3),
    "OneCycleLR": lambda optimizer: lr_scheduler.OneCycleLR(optimizer, max_lr=LR, total_steps=STEPS + 1),
}


# %% Halve group["lr"] by hand
def halve_lr(optimizer, scheduler):
    for group in optimizer.param_groups:
        group["lr"] *= 0.5


# --8<-- [start:halve-source]
def halve_source(optimizer, scheduler):
    """Halve what a closed-form scheduler computes the rate from (and the current rate)."""
    halve_lr(optimizer, scheduler)
    if isinstance(scheduler, lr_scheduler.OneCycleLR):
        for group in optimizer.param_groups:  # OneCycleLR keeps its levels in the group
            for key in ("initial_lr", "max_lr", "min_lr"):
                group[key] *= 0.5
    else:  # LambdaLR, CosineAnnealingWarmRestarts, CyclicLR
        scheduler.base_lrs = [lr * 0.5 for lr in scheduler.base_lrs]
    if isinstance(scheduler, lr_scheduler.CyclicLR):
        scheduler.max_lrs = [lr * 0.5 for lr in scheduler.max_lrs]
# --8<-- [end:halve-source]


def lrs(make_scheduler, change=None):
    """The lr after each scheduler step; `change(optimizer, scheduler)` runs after step HALVE_AT."""
    weight = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=LR)
    scheduler = make_scheduler(optimizer)
    found = []
    for t in range(STEPS):
        weight.grad = torch.ones(1)
        optimizer.step()
        if isinstance(scheduler, lr_scheduler.ReduceLROnPlateau):
            scheduler.step(1.0)  # a loss that never improves
        else:
            scheduler.step()
        if t + 1 == HALVE_AT and change is not None:
            change(optimizer, scheduler)
        found.append(optimizer.param_groups[0]["lr"])
    return found


def ratios(make_scheduler, change):
    """The changed run's lr over the untouched one's, right after the change and at each later step."""
    changed, untouched = lrs(make_scheduler, change), lrs(make_scheduler)
    return [a / b for a, b in zip(changed[HALVE_AT - 1 :], untouched[HALVE_AT - 1 :])]


by_hand = {name: ratios(make, halve_lr) for name, make in SCHEDULERS.items()}
keeps = [name for name, row in by_hand.items() if all(abs(r - 0.5) < RATIO_TOLERANCE for r in row)]
overwrites = [name for name, row in by_hand.items() if all(abs(r - 1) < RATIO_TOLERANCE for r in row[1:])]
by_source = {name: ratios(SCHEDULERS[name], halve_source) for name in overwrites}
scheduler_count, kept_count, overwritten_count = len(SCHEDULERS), len(keeps), len(overwrites)
print(f"changed lr / untouched lr after halving group['lr'] at step {HALVE_AT}")
print(f"{'after scheduler step':<29}" + "".join(f"{t:>5}" for t in range(HALVE_AT, STEPS + 1)))
for name, row in by_hand.items():
    print(f"{name:<29}" + "".join(f"{r:>5.2f}" for r in row))
print("halving what the scheduler computes from:")
for name, row in by_source.items():
    print(f"{name:<29}" + "".join(f"{r:>5.2f}" for r in row))

# %% Four of them drawn
SHOWN = ("StepLR", "CosineAnnealingLR", "LambdaLR", "OneCycleLR")
fig, axes = plt.subplots(2, 2, figsize=(9, 5.6), num="manual-lr", sharex=True)
for axis, name in zip(axes.flat, SHOWN):
    axis.plot(range(1, STEPS + 1), lrs(SCHEDULERS[name]), "o-", color="gray", label="untouched")
    axis.plot(range(1, STEPS + 1), lrs(SCHEDULERS[name], halve_lr), "s--", color="C3", label="group['lr'] halved")
    if name in by_source:
        axis.plot(range(1, STEPS + 1), lrs(SCHEDULERS[name], halve_source), "^:", color="C0", label="its source halved")
    axis.axvline(HALVE_AT, color="gray", linestyle=":")
    axis.set_title(name)
    axis.set_ylabel("lr")
    axis.grid(alpha=0.3)
    axis.legend()
for axis in axes[1]:
    axis.set_xlabel("scheduler steps")
fig.tight_layout()
plt.show()
