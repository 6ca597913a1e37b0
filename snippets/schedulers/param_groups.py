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
    "CosineAnnealingLR(T_max=100)": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=STEPS),
    "OneCycleLR(max_lr=0.1)": lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=STEPS + 1),
    "OneCycleLR(max_lr=[0.01, 0.1])": lambda o: lr_scheduler.OneCycleLR(o, max_lr=[0.01, 0.1], total_steps=STEPS + 1),
}
SHOW_T = (0, 30, 60, 90)
print(f"{'t':<41}" + "".join(f"{t:>9}" for t in SHOW_T))
fig, axes = plt.subplots(1, 3, figsize=(12, 3.2), sharey=True, num="groups")
for ax, (name, make) in zip(axes, GROUP_SCHEDULERS.items()):
    backbone, head = group_lrs(make)
    print(f"{name:<32}backbone" + "".join(f"{backbone[t]:>9.3g}" for t in SHOW_T))
    print(f"{'':<32}head    " + "".join(f"{head[t]:>9.3g}" for t in SHOW_T))
    ax.plot(head, label=f"head (created with lr = {GROUP_LRS[1]})")
    ax.plot(backbone, "--", label=f"backbone (created with lr = {GROUP_LRS[0]})")
    ax.set_yscale("log")
    ax.set_ylim(1e-4, 0.3)
    ax.set_title(name, fontsize="medium")
    ax.set_xlabel("t (calls to scheduler.step())")
    ax.grid(alpha=0.3, which="both")
axes[0].set_ylabel("learning rate")
axes[0].legend(fontsize="small", loc="lower left")
plt.show()

# %% CyclicLR, too, replaces the groups' rates with its own
backbone, head = group_lrs(lambda o: lr_scheduler.CyclicLR(o, base_lr=0.001, max_lr=0.1, step_size_up=10))
print(f"CyclicLR(base_lr=0.001, max_lr=0.1): both groups equal at every step: {backbone == head}")
