"""scheduler.step() before optimizer.step(): the warning, and the warmup step it skips

A linear warmup (`LinearLR`, from a tenth of the learning rate to all of it over 5 steps) run in
both orders. The snippet records the learning rate each `optimizer.step()` used and every warning
PyTorch raised, with the number of the call that raised it.
"""

# %%
import textwrap
import warnings

import matplotlib.pyplot as plt
import torch

LR = 0.1
START_FACTOR = 0.1
WARMUP_STEPS = 5
STEPS = 8


def lrs_used(scheduler_first, steps=STEPS):
    """The lr each optimizer.step() used, and the warnings raised as (step, category, message)."""
    weight = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=LR)
    scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=START_FACTOR, total_iters=WARMUP_STEPS)
    used, raised = [], []
    for step in range(steps):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            weight.grad = torch.ones(1)
            if scheduler_first:
                scheduler.step()
            used.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if not scheduler_first:
                scheduler.step()
        raised += [(step, warning.category.__name__, str(warning.message)) for warning in caught]
    return used, raised


# %% Both orders
right, right_warnings = lrs_used(scheduler_first=False)
wrong, wrong_warnings = lrs_used(scheduler_first=True)
[(warning_step, warning_category, warning_message)] = wrong_warnings
first_lr_right, first_lr_wrong = right[0], wrong[0]
print(f"warnings, optimizer.step() first: {len(right_warnings)}")
print(f"warnings, scheduler.step() first: {len(wrong_warnings)}, at step {warning_step}:")
print(textwrap.fill(f"{warning_category}: {warning_message}", width=76, initial_indent="  ", subsequent_indent="  "))
print()
print(f"{'step':<18}" + "".join(f"{step:>7}" for step in range(STEPS)))
print(f"{'lr, right order':<18}" + "".join(f"{lr:>7.3f}" for lr in right))
print(f"{'lr, wrong order':<18}" + "".join(f"{lr:>7.3f}" for lr in wrong))

plt.figure("lr-used", figsize=(6, 3.4))
plt.plot(right, "o-", label="optimizer.step(), then scheduler.step()")
plt.plot(wrong, "s--", label="scheduler.step(), then optimizer.step()")
plt.xlabel("step")
plt.ylabel("lr used by optimizer.step()")
plt.title(f"LinearLR warmup over {WARMUP_STEPS} steps")
plt.ylim(0, LR * 1.1)
plt.grid(alpha=0.3)
plt.legend(loc="lower right")
plt.show()
