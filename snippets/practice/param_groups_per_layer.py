"""Per-layer learning rates, and a manual decay that flattens them

Three parameter groups for the three layers of a small network, each with half the learning rate
of the layer above it (layer-wise learning-rate decay). The snippet measures the size of Adam's
first step in each group, then divides the learning rate by 10 the two ways manual-decay code does
it: by setting every group's `lr` to one new value, as the `adjust_learning_rate` function of
pytorch/examples' ImageNet script does, and by scaling each group's own `lr`.
"""

# %%
import torch
from torch import nn

LR = 1e-2  # the head's learning rate
LAYER_DECAY = 0.5  # each layer below the head gets this times the lr of the layer above
DECAY = 0.1  # the manual decay applied later
FIRST_STEP_TOLERANCE = 1e-4  # Adam's first step is lr * |g| / (|g| + eps): lr to this relative tolerance


def network():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 10))


# --8<-- [start:groups]
def layer_groups(model, lr=LR, layer_decay=LAYER_DECAY):
    """One group per Linear layer; the last one gets lr, each one below it layer_decay times less."""
    layers = [module for module in model if isinstance(module, nn.Linear)]
    return [
        {"params": layer.parameters(), "lr": lr * layer_decay ** (len(layers) - 1 - depth)}
        for depth, layer in enumerate(layers)
    ]
# --8<-- [end:groups]


# %% Adam's first step in each group
def first_steps(lr=LR):
    """group -> (its lr, the median size of Adam's first step over the group's entries)."""
    model = network()
    optimizer = torch.optim.Adam(layer_groups(model, lr))
    before = [[p.detach().clone() for p in group["params"]] for group in optimizer.param_groups]
    x, y = torch.randn(64, 64), torch.randint(0, 10, (64,))
    nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()
    found = []
    for group, old in zip(optimizer.param_groups, before):
        moved = torch.cat([(p.detach() - o).abs().flatten() for p, o in zip(group["params"], old)])
        found.append((group["lr"], moved.median().item()))
    return found


steps = first_steps()
group_lrs = [lr for lr, _ in steps]
median_first_steps = [step for _, step in steps]
print(f"{'group':<8}{'lr':>10}{'median first step':>20}")
for number, (lr, step) in enumerate(steps):
    print(f"{number:<8}{lr:>10.4g}{step:>20.4g}")


# %% A manual decay, two ways
def set_every_group(optimizer, factor):  # the ImageNet example's adjust_learning_rate
    lr = optimizer.defaults["lr"] * factor
    for group in optimizer.param_groups:
        group["lr"] = lr


def scale_every_group(optimizer, factor):
    for group in optimizer.param_groups:
        group["lr"] *= factor


def after_decay(decay_by):
    optimizer = torch.optim.SGD(layer_groups(network()), lr=LR)
    decay_by(optimizer, DECAY)
    return [group["lr"] for group in optimizer.param_groups]


decayed = {"set every group": after_decay(set_every_group), "scale every group": after_decay(scale_every_group)}
print(f"\nlr per group after a manual decay by {DECAY:g}")
for how, lrs in decayed.items():
    print(f"{how:<20}" + "".join(f"{lr:>10.4g}" for lr in lrs))
