"""Calling scheduler.step() before optimizer.step()

Since PyTorch 1.1 the order is `optimizer.step()`, then `scheduler.step()`. The snippet runs a
StepLR schedule (lr 0.1, times 0.1 every 3 epochs) both ways for 9 epochs, records the learning
rate each `optimizer.step()` actually used, and captures the warning PyTorch gives for the wrong
order.
"""

# %%
import textwrap
import warnings

import torch
from torch.optim import lr_scheduler

LR = 0.1
STEP_SIZE, GAMMA = 3, 0.1  # StepLR: times GAMMA every STEP_SIZE epochs
EPOCHS = 9


# %% Both orders
def lrs_used(order, epochs=EPOCHS):
    """The lr each optimizer.step() used under StepLR, and the warnings raised."""
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=LR)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=STEP_SIZE, gamma=GAMMA)
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
    print(textwrap.fill(f"UserWarning: {message}", width=76, initial_indent="  ", subsequent_indent="    "))
print("lr used in epoch" + "".join(f"{epoch:>7}" for epoch in range(EPOCHS)))
print("  right order   " + "".join(f"{lr:>7.2g}" for lr in right))
print("  wrong order   " + "".join(f"{lr:>7.2g}" for lr in wrong))


def first_decay(lrs):
    """How many epochs run at the first rate."""
    return next(epoch for epoch, lr in enumerate(lrs) if lr < lrs[0])


warning_count = len(wrong_warnings)
first_decay_right, first_decay_wrong = first_decay(right), first_decay(wrong)
last_lr_wrong = wrong[-1]
print(f"the first decay comes after {first_decay_wrong} epochs instead of {first_decay_right}; "
      f"the last epoch uses {last_lr_wrong:.2g}")
