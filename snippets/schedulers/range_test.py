"""The learning-rate range test on the digits data set

Smith's range test (2017): train for a short while with a learning rate that grows exponentially,
here from 0.001 to 10 over 100 mini-batches with an ExponentialLR scheduler, and record the loss
at each step. The loss first barely moves (too small a rate), then falls fast, then blows up
(too large). The snippet smooths the losses, picks one tenth of the learning rate at their
minimum, and trains a fresh network for three epochs with that rate, with one 100 times smaller
and with one 100 times larger.
"""

# %%
import gzip
import importlib.util
import math
import pathlib

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.nn import functional as F
from torch.optim import lr_scheduler

SEED = 0
BATCH = 32
MOMENTUM = 0.9
SWEEP_FROM, SWEEP_TO, SWEEP_STEPS = 1e-3, 10.0, 100
SMOOTHING = 0.9  # weight of the past in the exponentially weighted average of the losses
STOP_FACTOR = 4.0  # stop the sweep once the smoothed loss is 4 times its lowest value
EPOCHS = 3


def load_digits():
    """8x8 digit images (1797 x 64, values 0-16) and labels, read from scikit-learn's data file."""
    package = pathlib.Path(importlib.util.find_spec("sklearn").submodule_search_locations[0])
    with gzip.open(package / "datasets" / "data" / "digits.csv.gz") as file:
        data = np.loadtxt(file, delimiter=",")
    return data[:, :-1], data[:, -1].astype(int)


def split(seed=SEED, train=1437):
    """A fixed shuffle of the 1797 digits: 1437 to train on, 360 to test; pixels scaled to [0, 1]."""
    images, labels = load_digits()
    order = np.random.default_rng(seed).permutation(len(labels))
    x = torch.tensor(images[order] / 16, dtype=torch.float32)
    y = torch.tensor(labels[order])
    return x[:train], y[:train], x[train:], y[train:]


X_TRAIN, Y_TRAIN, X_TEST, Y_TEST = split()


def network(seed=SEED):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))


def batches(count, seed=SEED):
    """`count` mini-batches of indices, epoch after epoch of fresh shuffles."""
    shuffle = torch.Generator().manual_seed(seed)
    order = torch.cat([torch.randperm(len(Y_TRAIN), generator=shuffle)
                       for _ in range(count * BATCH // len(Y_TRAIN) + 1)])
    return [order[k * BATCH:(k + 1) * BATCH] for k in range(count)]


# %% The sweep
def smooth(losses, beta=SMOOTHING):
    """Exponentially weighted average of the losses, bias-corrected like Adam's moments."""
    average, smoothed = 0.0, []
    for k, loss in enumerate(losses, start=1):
        average = beta * average + (1 - beta) * loss
        smoothed.append(average / (1 - beta**k))
    return smoothed


def range_test(lr_from=SWEEP_FROM, lr_to=SWEEP_TO, steps=SWEEP_STEPS, seed=SEED):
    """(lrs, losses, smoothed losses), one per mini-batch, the lr growing by a constant factor."""
    model = network(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr_from, momentum=MOMENTUM)
    scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=(lr_to / lr_from) ** (1 / (steps - 1)))
    lrs, losses = [], []
    for batch in batches(steps, seed):
        lrs.append(optimizer.param_groups[0]["lr"])
        loss = F.cross_entropy(model(X_TRAIN[batch]), Y_TRAIN[batch])
        losses.append(loss.item())
        smoothed = smooth(losses)
        if not math.isfinite(loss.item()) or smoothed[-1] > STOP_FACTOR * min(smoothed):
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    return lrs, losses, smooth(losses)


def pick(lrs, smoothed):
    """The rule: one tenth of the learning rate at which the smoothed loss is lowest."""
    return lrs[int(np.argmin(smoothed))] / 10


lrs, losses, smoothed = range_test()
at_minimum = lrs[int(np.argmin(smoothed))]
chosen = pick(lrs, smoothed)
print(f"sweep: {len(lrs)} steps, lr from {lrs[0]:g} to {lrs[-1]:.3g}")
print(f"smoothed loss: {smoothed[0]:.3f} at the start, lowest {min(smoothed):.3f} at lr = {at_minimum:.3g}")
print(f"chosen lr = {at_minimum:.3g} / 10 = {chosen:.3g}")

plt.figure("range-test", figsize=(7, 3.6))
plt.semilogx(lrs, losses, alpha=0.35, label="loss of each mini-batch")
plt.semilogx(lrs, smoothed, label="smoothed loss")
plt.axvline(at_minimum, color="gray", linestyle=":", label=f"lowest smoothed loss, lr = {at_minimum:.2g}")
plt.axvline(chosen, color="C3", linestyle="--", label=f"chosen: a tenth of it, lr = {chosen:.2g}")
plt.xlabel("learning rate (log scale)")
plt.ylabel("training loss")
plt.grid(alpha=0.3, which="both")
plt.legend(fontsize="small")
plt.show()


# %% Does the chosen rate train well? Against 100 times smaller and 100 times larger
def train(lr, epochs=EPOCHS, seed=SEED):
    """Test accuracy of a fresh network after `epochs` epochs of SGD with momentum at a constant lr."""
    model = network(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=MOMENTUM)
    for batch in batches(epochs * math.ceil(len(Y_TRAIN) / BATCH), seed):
        loss = F.cross_entropy(model(X_TRAIN[batch]), Y_TRAIN[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return (model(X_TEST).argmax(dim=1) == Y_TEST).float().mean().item()


CANDIDATES = {"chosen / 100": chosen / 100, "chosen": chosen, "chosen × 100": chosen * 100}
accuracy = {name: train(lr) for name, lr in CANDIDATES.items()}
print(f"test accuracy after {EPOCHS} epochs (360 held-out digits):")
for name, lr in CANDIDATES.items():
    print(f"  {name:<13} lr = {lr:<8.3g} {accuracy[name]:.1%}")
