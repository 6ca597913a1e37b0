"""Resuming a warmup-then-cosine schedule from a checkpoint

A least-squares problem trained with SGD and momentum for 100 steps under SequentialLR: a
10-step linear warmup, then cosine annealing. At step 40 the run saves model, optimizer and
scheduler to a checkpoint, rebuilds all three from it, and continues. Done in the order PyTorch
asks for, the rest of the run is bit for bit the uninterrupted one; two common slips are not.
"""

# %%
import io

import matplotlib.pyplot as plt
import torch
from torch.optim import lr_scheduler

SEED = 0
BASE_LR, MOMENTUM = 0.1, 0.9
STEPS = 100
RESUME_AT = 40
WARMUP_STEPS, WARMUP_START = 10, 0.1  # LinearLR(start_factor=WARMUP_START, total_iters=WARMUP_STEPS)


# %% Train, checkpoint at step 40, rebuild, continue
TARGET_A = torch.randn(8, 4, generator=torch.Generator().manual_seed(SEED))
TARGET_B = torch.randn(8, generator=torch.Generator().manual_seed(SEED + 1))


def warmup_cosine(optimizer, warmup=WARMUP_STEPS, total=STEPS):
    warm = lr_scheduler.LinearLR(optimizer, start_factor=WARMUP_START, total_iters=warmup)
    cool = lr_scheduler.CosineAnnealingLR(optimizer, T_max=total - warmup)
    return lr_scheduler.SequentialLR(optimizer, [warm, cool], milestones=[warmup])


def run(resume_at=None, how="scheduler, then load both", make_scheduler=warmup_cosine, steps=STEPS):
    """Least squares with SGD + momentum. At step resume_at, save a checkpoint and rebuild everything
    from it, `how` says in which order. Returns (lr after each scheduler step, final weights)."""
    weights = torch.nn.Parameter(torch.zeros(4))
    optimizer = torch.optim.SGD([weights], lr=BASE_LR, momentum=MOMENTUM)
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
            optimizer = torch.optim.SGD([weights], lr=BASE_LR, momentum=MOMENTUM)
            # --8<-- [start:restore]
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
            # --8<-- [end:restore]
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
SHOW_T = (RESUME_AT, RESUME_AT + 1, 60, STEPS)
print(f"{f'resumed at t = {RESUME_AT} by':<32}{'lr at t =':>10}" + "".join(f"{t:>8}" for t in SHOW_T))
print(f"{'(not interrupted)':<42}" + "".join(f"{reference[t]:>8.4f}" for t in SHOW_T))
for how, (lrs, weights) in runs.items():
    print(f"{how:<42}" + "".join(f"{lrs[t]:>8.4f}" for t in SHOW_T))
for how, (lrs, weights) in runs.items():
    print(f"{how}:")
    print(f"  same lrs {lrs == reference}, same weights {torch.equal(weights, reference_weights)}")

# %% What the slips do
after = RESUME_AT + 1
cosine_steps = STEPS - WARMUP_STEPS
into_cosine = RESUME_AT - WARMUP_STEPS  # the cosine's own step count at the checkpoint
reset_lr = BASE_LR * WARMUP_START  # creating SequentialLR puts the warmup's first rate in group["lr"]
lr_at_resume = reference[RESUME_AT]
slipped = runs["load optimizer, then scheduler"][0]
slip_ratio = reset_lr / lr_at_resume
forgot = runs["scheduler state not loaded"][0]
forgot_peak_step = RESUME_AT + WARMUP_STEPS
reference_next, slipped_next, forgot_next = reference[after], slipped[after], forgot[after]
forgot_peak, forgot_end = forgot[forgot_peak_step], forgot[STEPS]
print(f"optimizer loaded first: every rate after t = {RESUME_AT} is")
print(f"  {reset_lr:g} / {lr_at_resume:.3g} = {slip_ratio:.4f} of the right one")
print("scheduler state not loaded: the warmup restarts,")
print(f"  {forgot[forgot_peak_step]:.3g} at t = {forgot_peak_step}, {forgot[STEPS]:.3g} at the end")

plt.figure("resume", figsize=(7, 4.4))
plt.plot(reference, linewidth=4, alpha=0.35, color="C0", label="not interrupted")
for color, (how, (lrs, _)) in zip(("C0", "C1", "C3"), runs.items()):
    plt.plot(range(RESUME_AT, STEPS + 1), lrs[RESUME_AT:], color=color,
             linestyle="-" if color == "C0" else "--", label=f"resumed: {how}")
plt.axvline(RESUME_AT, color="gray", linestyle=":")
plt.xlabel("t (calls to scheduler.step())")
plt.ylabel("learning rate")
plt.grid(alpha=0.3)
plt.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18))
plt.show()
