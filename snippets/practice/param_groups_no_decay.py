"""No weight decay on biases and normalization weights: selecting them by name and by module type

A small network with a LayerNorm and a BatchNorm layer, and four ways of splitting its parameters
into a group with weight decay and a group without: by the names in the list that the
Hugging Face examples use, by module type, by a filter that forgets the normalization weights, and
with a misspelled key. The snippet prints which parameters each way decays, then trains each split
with AdamW on the digits for a few steps.
"""

# %%
import gzip
import importlib.util
import pathlib

import numpy as np
import torch
from torch import nn

LR = 1e-2
WEIGHT_DECAY = 0.1
STEPS = 30
BATCH = 64
NO_DECAY_NAMES = ("bias", "LayerNorm.weight")  # the list in Hugging Face's example scripts
NORMS = (nn.LayerNorm, nn.BatchNorm1d, nn.GroupNorm)


def load_digits():
    """8x8 digit images (1797 x 64, values 0-16) and labels, from the data file scikit-learn ships."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        raise SystemExit("This snippet reads the digits data that ships with scikit-learn: pip install scikit-learn")
    path = pathlib.Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    with gzip.open(path) as file:
        data = np.loadtxt(file, delimiter=",")
    return data[:, :-1], data[:, -1].astype(int)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(64, 32)
        self.LayerNorm = nn.LayerNorm(32)  # named as in BERT
        self.hidden = nn.Linear(32, 32)
        self.bn = nn.BatchNorm1d(32)
        self.head = nn.Linear(32, 10)

    def forward(self, x):
        x = torch.relu(self.LayerNorm(self.embed(x)))
        return self.head(torch.relu(self.bn(self.hidden(x))))


# %% Four ways to split the parameters
# --8<-- [start:by-name]
def by_name(model):
    named = list(model.named_parameters())
    return [
        {"params": [p for n, p in named if not any(nd in n for nd in NO_DECAY_NAMES)], "weight_decay": WEIGHT_DECAY},
        {"params": [p for n, p in named if any(nd in n for nd in NO_DECAY_NAMES)], "weight_decay": 0.0},
    ]
# --8<-- [end:by-name]


# --8<-- [start:by-type]
def by_type(model):
    decay, no_decay = [], []
    for module in model.modules():
        for name, p in module.named_parameters(recurse=False):
            (no_decay if isinstance(module, NORMS) or name == "bias" else decay).append(p)
    return [{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": no_decay, "weight_decay": 0.0}]
# --8<-- [end:by-type]


def forgets_norms(model):  # weights of Linear layers decay, biases do not, and norms are in neither
    named = list(model.named_parameters())
    return [
        {"params": [p for n, p in named if n.endswith("weight") and "norm" not in n.lower() and "bn" not in n], "weight_decay": WEIGHT_DECAY},
        {"params": [p for n, p in named if n.endswith("bias")], "weight_decay": 0.0},
    ]


def misspelled(model):  # by type, but "weight_decay_rate" is not a key torch.optim knows
    decay, no_decay = (group["params"] for group in by_type(model))
    return [{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": no_decay, "weight_decay_rate": 0.0}]


SPLITS = {"by name": by_name, "by type": by_type, "forgets norms": forgets_norms, "misspelled key": misspelled}


def decay_of_each_parameter(model, optimizer):
    """name -> the weight_decay its group gives it, or None when no group holds it."""
    groups = {id(p): group["weight_decay"] for group in optimizer.param_groups for p in group["params"]}
    return {name: groups.get(id(p)) for name, p in model.named_parameters()}


def groups_hold_each_parameter_once(model, optimizer):
    held = [id(p) for group in optimizer.param_groups for p in group["params"]]
    return len(held) == len(set(held)) and set(held) == {id(p) for p in model.parameters()}


torch.manual_seed(0)
decays = {}
for label, split in SPLITS.items():
    model = Net()
    optimizer = torch.optim.AdamW(split(model), lr=LR)
    decays[label] = decay_of_each_parameter(model, optimizer)
names = list(decays["by type"])
print("weight_decay per parameter (- = in no group)")
print(f"{'parameter':<18}" + "".join(f"{label:>15}" for label in SPLITS))
for name in names:
    cells = ("-" if decays[label][name] is None else f"{decays[label][name]:g}" for label in SPLITS)
    print(f"{name:<18}" + "".join(f"{cell:>15}" for cell in cells))
decayed = {label: sorted(n for n, d in found.items() if d) for label, found in decays.items()}
not_decayed = {label: sorted(n for n, d in found.items() if d == 0) for label, found in decays.items()}
in_no_group = {label: sorted(n for n, d in found.items() if d is None) for label, found in decays.items()}
ADAMW_DEFAULT_WEIGHT_DECAY = torch.optim.AdamW([torch.zeros(1, requires_grad=True)]).defaults["weight_decay"]


# %% Train each split for a few steps
def train(split, steps=STEPS):
    """A few AdamW steps on the digits; the model, and whether its groups hold each parameter once."""
    images, labels = load_digits()
    x, y = torch.tensor(images / 16, dtype=torch.float32), torch.tensor(labels)
    torch.manual_seed(0)
    model = Net()
    optimizer = torch.optim.AdamW(split(model), lr=LR)
    for step in range(steps):
        batch = slice(step * BATCH, (step + 1) * BATCH)
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
        optimizer.step()
    return model, groups_hold_each_parameter_once(model, optimizer)


trained = {label: train(split) for label, split in SPLITS.items()}
each_once = {label: once for label, (_, once) in trained.items()}
norm_weight_moved = {
    label: max((model.LayerNorm.weight - 1).abs().max().item(), (model.bn.weight - 1).abs().max().item())
    for label, (model, _) in trained.items()
}
print(f"\nafter {STEPS} AdamW steps (lr {LR:g}):")
print(f"{'split':<16}{'each parameter in one group':>30}{'norm weights moved by':>24}")
for label in SPLITS:
    print(f"{label:<16}{str(each_once[label]):>30}{norm_weight_moved[label]:>24.4f}")


# %% Two groups that share a parameter
def duplicate_error():
    model = Net()
    try:
        torch.optim.AdamW([{"params": model.parameters()}, {"params": model.head.parameters(), "lr": 1e-3}])
    except ValueError as error:
        return str(error)
    return ""


duplicate_message = duplicate_error()
print(f"\na head group on top of model.parameters():\n  ValueError: {duplicate_message}")
