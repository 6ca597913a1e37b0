"""add_param_group() while a scheduler runs

A model trains its first layer from step 0 and its second layer from step ADD_AT on, with ten
schedulers in turn. The wrong way adds the second layer with `optimizer.add_param_group()` at
step ADD_AT, after the scheduler was built. The right way puts both layers in the optimizer from the
start, the second with `requires_grad=False`, and switches its gradient on at step ADD_AT.
"""

# %%
import torch
from torch.optim import lr_scheduler

LR = 0.1  # the first layer's learning rate
ADDED_LR = 0.05  # the second layer's
ADD_AT = 2
STEPS = 6
SCHEDULERS = {
    "StepLR": lambda optimizer: lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5),
    "ExponentialLR": lambda optimizer: lr_scheduler.ExponentialLR(optimizer, gamma=0.9),
    "CosineAnnealingLR": lambda optimizer: lr_scheduler.CosineAnnealingLR(optimizer, T_max=STEPS),
    "LinearLR": lambda optimizer: lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=4),
    "ReduceLROnPlateau": lambda optimizer: lr_scheduler.ReduceLROnPlateau(optimizer, patience=1),
    "MultiplicativeLR": lambda optimizer: lr_scheduler.MultiplicativeLR(optimizer, lambda t: 0.9),
    "LambdaLR": lambda optimizer: lr_scheduler.LambdaLR(optimizer, lambda t: 0.9**t),
    "CosineAnnealingWarmRestarts": lambda optimizer: lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=4),
    "CyclicLR": lambda optimizer: lr_scheduler.CyclicLR(optimizer, base_lr=0.01, max_lr=LR, step_size_up=2),
    "OneCycleLR": lambda optimizer: lr_scheduler.OneCycleLR(optimizer, max_lr=LR, total_steps=STEPS),
}


def layers():
    torch.manual_seed(0)
    return torch.nn.Linear(4, 4), torch.nn.Linear(4, 1)


def loss_of(first, second):
    return second(torch.relu(first(torch.ones(8, 4)))).pow(2).mean()


def step(optimizer, scheduler, loss):
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if isinstance(scheduler, lr_scheduler.ReduceLROnPlateau):
        scheduler.step(loss.item())
    else:
        scheduler.step()


# %% The wrong way: add_param_group() at step ADD_AT
def add_group_later(make_scheduler):
    """The second group's lr after each step from ADD_AT on, or the error the scheduler raised."""
    first, second = layers()
    second.requires_grad_(False)
    optimizer = torch.optim.SGD(first.parameters(), lr=LR)
    scheduler = make_scheduler(optimizer)
    added_lrs = []
    for t in range(STEPS):
        if t == ADD_AT:
            second.requires_grad_(True)
            optimizer.add_param_group({"params": second.parameters(), "lr": ADDED_LR})
        try:
            step(optimizer, scheduler, loss_of(first, second))
        except (ValueError, KeyError, IndexError) as error:
            return f"{type(error).__name__}: {error}"
        if t >= ADD_AT:
            added_lrs.append(optimizer.param_groups[1]["lr"])
    return added_lrs


# %% The right way: every group from the start, the second one frozen until ADD_AT
# --8<-- [start:frozen]
def frozen_from_start(make_scheduler):
    """The second group's lr after each step from ADD_AT on; whether it moved or had optimizer
    state before ADD_AT."""
    first, second = layers()
    second.requires_grad_(False)  # no gradient: optimizer.step() skips it
    optimizer = torch.optim.SGD(
        [{"params": first.parameters()}, {"params": second.parameters(), "lr": ADDED_LR}], lr=LR
    )
    scheduler = make_scheduler(optimizer)
    start = second.weight.detach().clone()
    added_lrs, touched_while_frozen = [], False
    for t in range(STEPS):
        if t == ADD_AT:
            touched_while_frozen = not torch.equal(second.weight, start) or second.weight in optimizer.state
            second.requires_grad_(True)
        step(optimizer, scheduler, loss_of(first, second))
        if t >= ADD_AT:
            added_lrs.append(optimizer.param_groups[1]["lr"])
    return added_lrs, touched_while_frozen
# --8<-- [end:frozen]


later = {name: add_group_later(make) for name, make in SCHEDULERS.items()}
frozen = {name: frozen_from_start(make) for name, make in SCHEDULERS.items()}
failed = [name for name, outcome in later.items() if isinstance(outcome, str)]
scheduler_count, failed_count = len(SCHEDULERS), len(failed)
rows = [
    {
        "scheduler": name,
        "added": outcome if isinstance(outcome, str) else f"runs; lr {outcome[0]:.4g} → {outcome[-1]:.4g}",
        "frozen": f"runs; lr {frozen[name][0][0]:.4g} → {frozen[name][0][-1]:.4g}",
    }
    for name, outcome in later.items()
]
frozen_never_touched = not any(touched for _, touched in frozen.values())
print(f"second group added at step {ADD_AT} (lr {ADDED_LR:g}):")
for name, outcome in later.items():
    shown = outcome if isinstance(outcome, str) else " ".join(f"{lr:.4f}" for lr in outcome)
    print(f"  {name}:\n      {shown}")
print(f"frozen from the start: all {len(frozen)} schedulers run; "
      f"frozen weights untouched: {frozen_never_touched}")

# The warmup keeps multiplying: a group added mid-warmup ends above its own lr
warmup_added_lrs = later["LinearLR"]
warmup_overshoot = warmup_added_lrs[-1] / ADDED_LR
print(f"LinearLR: the added group ends at {warmup_added_lrs[-1]:.4f}, "
      f"{warmup_overshoot:.3f} times the lr it was added with")
