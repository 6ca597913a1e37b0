"""Scheduler pitfalls: call order, parameter groups, and resuming from a checkpoint

Three things that go wrong in real training loops, each run on a tiny problem: calling
`scheduler.step()` before `optimizer.step()` (PyTorch warns once, and the schedule shifts by a
step); schedulers on an optimizer whose parameter groups have different learning rates; and
saving and restoring a warmup-then-cosine schedule halfway through training.
"""

# %%
import io
import warnings

import matplotlib.pyplot as plt
import torch
from torch.optim import lr_scheduler

SEED = 0
EPOCHS = 9
GROUP_LRS = (0.01, 0.1)  # a "backbone" group and a "head" group
STEPS = 100
RESUME_AT = 40
WARMUP_STEPS = 10


# %% 1. scheduler.step() before optimizer.step()
def lrs_used(order, epochs=EPOCHS):
    """The lr each optimizer.step() used, under StepLR(step_size=3, gamma=0.1), and the warnings raised."""
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=0.1)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.1)
    used = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(epochs):
            parameter.grad = torch.ones(1)
            if order == "scheduler first":
                scheduler.step()
            used.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if order == "optimizer first":
                scheduler.step()
    return used, [str(warning.message) for warning in caught]


right, right_warnings = lrs_used("optimizer first")
wrong, wrong_warnings = lrs_used("scheduler first")
print(f"warnings with optimizer.step() first: {len(right_warnings)}")
print(f"warnings with scheduler.step() first: {len(wrong_warnings)}")
for message in wrong_warnings:
    print(f"  UserWarning: {message}")
print("epoch                 " + "".join(f"{epoch:>8}" for epoch in range(EPOCHS)))
print("lr used, right order  " + "".join(f"{lr:>8.0e}" for lr in right))
print("lr used, wrong order  " + "".join(f"{lr:>8.0e}" for lr in wrong))


# %% 2. Parameter groups with different learning rates
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
fig, axes = plt.subplots(1, 3, figsize=(12, 3.2), sharey=True)
for ax, (name, make) in zip(axes, GROUP_SCHEDULERS.items()):
    backbone, head = group_lrs(make)
    print(f"{name:<31} backbone / head lr at t = 0, 30, 60, 90: "
          + ", ".join(f"{backbone[t]:.3g} / {head[t]:.3g}" for t in (0, 30, 60, 90)))
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

# %% 3. Resuming: the schedule continues exactly, if the checkpoint is loaded in the right order
TARGET_A = torch.randn(8, 4, generator=torch.Generator().manual_seed(SEED))
TARGET_B = torch.randn(8, generator=torch.Generator().manual_seed(SEED + 1))


def warmup_cosine(optimizer, warmup=WARMUP_STEPS, total=STEPS):
    warm = lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=warmup)
    cool = lr_scheduler.CosineAnnealingLR(optimizer, T_max=total - warmup)
    return lr_scheduler.SequentialLR(optimizer, [warm, cool], milestones=[warmup])


def run(resume_at=None, how="scheduler, then load both", make_scheduler=warmup_cosine, steps=STEPS):
    """Least squares with SGD + momentum. At step resume_at, save a checkpoint and rebuild everything
    from it, `how` says in which order. Returns (lr after each scheduler step, final weights)."""
    weights = torch.nn.Parameter(torch.zeros(4))
    optimizer = torch.optim.SGD([weights], lr=0.1, momentum=0.9)
    scheduler = make_scheduler(optimizer)
    lrs = [optimizer.param_groups[0]["lr"]]
    for t in range(steps):
        if t == resume_at:
            buffer = io.BytesIO()
            torch.save({"weights": weights.detach(), "optimizer": optimizer.state_dict(),
                        "scheduler": scheduler.state_dict()}, buffer)
            buffer.seek(0)
            checkpoint = torch.load(buffer)
            weights = torch.nn.Parameter(checkpoint["weights"].clone())
            optimizer = torch.optim.SGD([weights], lr=0.1, momentum=0.9)
            if how == "scheduler, then load both":  # what LRScheduler's docstring asks for
                scheduler = make_scheduler(optimizer)
                optimizer.load_state_dict(checkpoint["optimizer"])
                scheduler.load_state_dict(checkpoint["scheduler"])
            elif how == "load optimizer, then scheduler":
                optimizer.load_state_dict(checkpoint["optimizer"])
                scheduler = make_scheduler(optimizer)
                scheduler.load_state_dict(checkpoint["scheduler"])
            elif how == "scheduler state not loaded":
                optimizer.load_state_dict(checkpoint["optimizer"])
                scheduler = make_scheduler(optimizer)
        loss = ((TARGET_A @ weights - TARGET_B) ** 2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    return lrs, weights.detach()


RESUMES = ("scheduler, then load both", "load optimizer, then scheduler", "scheduler state not loaded")
reference, reference_weights = run()
runs = {how: run(RESUME_AT, how) for how in RESUMES}
print(f"{'resumed at t = 40':<34}{'lr at t = 40':>13}{'41':>9}{'60':>9}{'100':>9}  same lrs, same weights")
print(f"{'(not interrupted)':<34}" + "".join(f"{reference[t]:>{w}.4f}" for t, w in ((40, 13), (41, 9), (60, 9), (100, 9))))
for how, (lrs, weights) in runs.items():
    print(f"{how:<34}" + "".join(f"{lrs[t]:>{w}.4f}" for t, w in ((40, 13), (41, 9), (60, 9), (100, 9)))
          + f"  {lrs == reference}, {torch.equal(weights, reference_weights)}")

plt.figure(figsize=(7, 3.4))
plt.plot(reference, linewidth=4, alpha=0.35, color="C0", label="not interrupted")
for color, (how, (lrs, _)) in zip(("C0", "C1", "C3"), runs.items()):
    plt.plot(range(RESUME_AT, STEPS + 1), lrs[RESUME_AT:], color=color,
             linestyle="-" if color == "C0" else "--", label=f"resumed: {how}")
plt.axvline(RESUME_AT, color="gray", linestyle=":")
plt.xlabel("t (calls to scheduler.step())")
plt.ylabel("learning rate")
plt.grid(alpha=0.3)
plt.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
plt.show()
