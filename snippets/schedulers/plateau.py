"""Metric-driven: ReduceLROnPlateau on the digits data set

A small network (64 → 32 → 10) learns scikit-learn's 8×8 digits with mini-batch SGD at
lr = 1. After every epoch the validation loss goes to `scheduler.step(loss)`, and the scheduler
halves the learning rate when the loss has not improved for more than two epochs. The same rule,
written out in plain Python, replays the recorded losses and must give the same learning rates.
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
LR = 1.0
EPOCHS = 30
BATCH = 64
HIDDEN = 32  # units in the hidden layer
TRAIN_COUNT = 1437  # digits to train on; the other 360 validate
PLATEAU = dict(factor=0.5, patience=2, threshold=1e-3, threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8)


def load_digits():
    """8x8 digit images (1797 x 64, values 0-16) and labels, from the data file scikit-learn ships."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        raise SystemExit("This snippet reads the digits data that ships with scikit-learn: pip install scikit-learn")
    path = pathlib.Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    with gzip.open(path) as file:
        data = np.loadtxt(file, delimiter=",")
    return data[:, :-1], data[:, -1].astype(int)


def split(seed=SEED, train=TRAIN_COUNT):
    """A fixed shuffle of the 1797 digits: 1437 to train on, 360 to validate; pixels scaled to [0, 1]."""
    images, labels = load_digits()
    order = np.random.default_rng(seed).permutation(len(labels))
    x = torch.tensor(images[order] / 16, dtype=torch.float32)
    y = torch.tensor(labels[order])
    return x[:train], y[:train], x[train:], y[train:]


# %% Train, and let the validation loss drive the learning rate
def network(pixels, classes):
    """The layers: pixels -> HIDDEN (ReLU) -> one score per class."""
    return torch.nn.Linear(pixels, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, classes)


def train(lr=LR, epochs=EPOCHS, seed=SEED, **plateau):
    """Per epoch: (validation loss, lr used during the epoch, lr after scheduler.step(loss))."""
    x_train, y_train, x_val, y_val = split()
    torch.manual_seed(seed)
    model = torch.nn.Sequential(*network(x_train.shape[1], int(y_train.max()) + 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", **(plateau or PLATEAU))
    shuffle = torch.Generator().manual_seed(seed)
    history = []
    for _ in range(epochs):
        used = optimizer.param_groups[0]["lr"]
        order = torch.randperm(len(y_train), generator=shuffle)
        for start in range(0, len(order), BATCH):
            batch = order[start:start + BATCH]
            loss = F.cross_entropy(model(x_train[batch]), y_train[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            val_loss = F.cross_entropy(model(x_val), y_val).item()
        scheduler.step(val_loss)
        history.append((val_loss, used, scheduler.get_last_lr()[0]))
    return history


# %% The rule, in plain Python (mode "min")
def plateau_rule(metrics, lr, factor=0.5, patience=2, threshold=1e-3, threshold_mode="rel",
                 cooldown=0, min_lr=0.0, eps=1e-8):
    """The lr after each of the metrics, as ReduceLROnPlateau decides it."""
    best, bad, cooling, lrs = math.inf, 0, 0, []
    for metric in metrics:
        bar = best * (1 - threshold) if threshold_mode == "rel" else best - threshold
        if metric < bar:  # a real improvement: a new best, the count starts again
            best, bad = metric, 0
        else:
            bad += 1
        if cooling > 0:  # epochs right after a cut do not count
            cooling -= 1
            bad = 0
        if bad > patience:  # more than `patience` bad epochs in a row: cut
            new = max(lr * factor, min_lr)
            if lr - new > eps:
                lr = new
            cooling, bad = cooldown, 0
        lrs.append(lr)
    return lrs


history = train()
losses = [loss for loss, _, _ in history]
after = [lr for _, _, lr in history]
cuts = [epoch for epoch in range(1, EPOCHS) if after[epoch] < after[epoch - 1]]
if after[0] < LR:
    cuts.insert(0, 0)
replayed = plateau_rule(losses, LR, **PLATEAU)
print("epoch  val loss   lr used   lr after step(loss)")
for epoch, (loss, used, lr) in enumerate(history):
    print(f"{epoch:>5}  {loss:>8.4f}  {used:>8.4g}  {lr:>8.4g}" + ("   <- cut" if epoch in cuts else ""))
print(f"cuts after epochs {cuts}; the rule in plain Python gives the same lrs: {replayed == after}")
levels = [LR] + [after[epoch] for epoch in cuts]  # the rate before and after each cut
used_from = [epoch + 1 for epoch in cuts]  # the first epoch that trains at each lower rate
first_best_epoch = min(range(cuts[0] + 1), key=lambda epoch: losses[epoch])  # the best before the first cut
first_best_loss = losses[first_best_epoch]
first_bad_epochs = list(range(first_best_epoch + 1, cuts[0] + 1))
bad_count = len(first_bad_epochs)
first_loss, last_loss = losses[0], losses[-1]
last_epoch = EPOCHS - 1
images, labels = load_digits()
layer_sizes = [images.shape[1], HIDDEN, len(set(labels))]  # pixels, hidden units, classes
print(f"first cut: best loss {first_best_loss:.4f} at epoch {first_best_epoch}, "
      f"then {len(first_bad_epochs)} bad epochs")

# %% Draw
fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 4.6), sharex=True, num="plateau")
top.plot(range(EPOCHS), losses, "-o", markersize=3)
top.set_ylabel("validation loss")
top.set_yscale("log")
bottom.plot(range(EPOCHS), [used for _, used, _ in history], drawstyle="steps-mid", color="C1")
bottom.set_ylabel("lr used in the epoch")
bottom.set_yscale("log", base=2)
bottom.set_xlabel("epoch")
for ax in (top, bottom):
    for epoch in cuts:
        ax.axvline(epoch + 0.5, color="gray", linestyle=":")
    ax.grid(alpha=0.3, which="both")
fig.align_ylabels()
plt.show()


# %% ReduceLROnPlateau does not compose: its step() needs the metric
def compose(wrapper):
    """Try to put a ReduceLROnPlateau inside SequentialLR or ChainedScheduler; return the error, if any."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=LR)
    plateau = lr_scheduler.ReduceLROnPlateau(optimizer)
    warmup = lr_scheduler.LinearLR(optimizer, total_iters=5)
    try:
        if wrapper == "SequentialLR":
            lr_scheduler.SequentialLR(optimizer, [warmup, plateau], milestones=[5])
        else:
            lr_scheduler.ChainedScheduler([warmup, plateau])
    except ValueError as error:
        return f"ValueError: {str(error).split(' as it ')[0]}"
    return None


for wrapper in ("SequentialLR", "ChainedScheduler"):
    print(compose(wrapper))
