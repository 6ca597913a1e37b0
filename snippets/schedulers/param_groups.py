"""Schedulers on parameter groups with different learning rates

An optimizer with two parameter groups, a "backbone" at lr 0.01 and a "head" at lr 0.1, under
three schedulers: CosineAnnealingLR, which scales each group's own rate; and OneCycleLR, once
with a single max_lr and once with one max_lr per group. CyclicLR with single base_lr and max_lr
is checked too.
"""

# %%
import matplotlib.pyplot as plt
import torch
from torch.optim import lr_scheduler

GROUP_LRS = (0.01, 0.1)  # a "backbone" group and a "head" group
STEPS = 100
SINGLE_MAX_LR = 0.1  # OneCycleLR with one max_lr for both groups
PER_GROUP_MAX_LR = (0.01, 0.1)  # ... and with one per group
CYCLIC_LRS = (0.001, 0.1)  # CyclicLR's single base_lr and max_lr
TOLERANCE = 1e-12  # relative, for the ratio of the two groups' rates


# %% Each group's learning rate, step by step
def group_lrs(make_scheduler, lrs=GROUP_LRS, steps=STEPS):
    """Each group's lr after 0 ... steps scheduler steps: a list per group."""
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    optimizer = torch.optim.SGD(groups, momentum=0.9)
    scheduler = make_scheduler(optimizer)
    history = [[group["lr"]] for group in optimizer.param_groups]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        for record, group in zip(history, optimizer.param_groups):
            record.append(group["lr"])
    return history


GROUP_SCHEDULERS = {
    "cosine": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=STEPS),
    "one_cycle_single": lambda o: lr_scheduler.OneCycleLR(o, max_lr=SINGLE_MAX_LR, total_steps=STEPS + 1),
    "one_cycle_per_group": lambda o: lr_scheduler.OneCycleLR(o, max_lr=list(PER_GROUP_MAX_LR), total_steps=STEPS + 1),
}
TITLES = {
    "cosine": f"CosineAnnealingLR(T_max={STEPS})",
    "one_cycle_single": f"OneCycleLR(max_lr={SINGLE_MAX_LR})",
    "one_cycle_per_group": f"OneCycleLR(max_lr={list(PER_GROUP_MAX_LR)})",
}
SHOW_T = (0, 30, 60, 90)
print(f"{'t':<41}" + "".join(f"{t:>9}" for t in SHOW_T))
runs = {}
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), sharey=True, num="groups")
for ax, (name, make) in zip(axes, GROUP_SCHEDULERS.items()):
    backbone, head = runs[name] = group_lrs(make)
    print(f"{TITLES[name]:<32}backbone" + "".join(f"{backbone[t]:>9.3g}" for t in SHOW_T))
    print(f"{'':<32}head    " + "".join(f"{head[t]:>9.3g}" for t in SHOW_T))
    ax.plot(head, label=f"head (created with lr = {GROUP_LRS[1]})")
    ax.plot(backbone, "--", label=f"backbone (created with lr = {GROUP_LRS[0]})")
    ax.set_yscale("log")
    ax.set_ylim(1e-4, 0.3)
    ax.set_title(TITLES[name], fontsize="medium")
    ax.set_xlabel("t (calls to scheduler.step())")
    ax.grid(alpha=0.3, which="both")
axes[0].set_ylabel("learning rate")
axes[0].legend(loc="lower left")
plt.show()
own_ratio = GROUP_LRS[1] / GROUP_LRS[0]
backbone_peak = max(runs["one_cycle_single"][0])
peak_over_own = backbone_peak / GROUP_LRS[0]
print(f"OneCycleLR(max_lr={SINGLE_MAX_LR}): the backbone peaks at {backbone_peak:.3g}, "
      f"{peak_over_own:.3g} times its own lr")

# %% CyclicLR, too, replaces the groups' rates with its own
base_lr, max_lr = CYCLIC_LRS
backbone, head = group_lrs(lambda o: lr_scheduler.CyclicLR(o, base_lr=base_lr, max_lr=max_lr, step_size_up=10))
cyclic_groups_equal = backbone == head
print(f"CyclicLR(base_lr={base_lr}, max_lr={max_lr}): both groups equal at every step: {cyclic_groups_equal}")
