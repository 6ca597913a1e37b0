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
PICK_DIVISOR = 10  # the rule: the rate at the lowest smoothed loss, divided by this
EPOCHS = 3
TRAIN_COUNT = 1437  # digits to train on; the other 360 are held out
FACTOR = 100  # the chosen rate is compared with one FACTOR times smaller and one FACTOR times larger
GOOD_ACCURACY = 0.9  # the chosen rate should classify more than this fraction of the held-out digits
NEAR_CHANCE = 0.05  # ... and the two others should be within this of chance (guessing)


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
    """The rule: the learning rate at which the smoothed loss is lowest, divided by PICK_DIVISOR."""
    return lrs[int(np.argmin(smoothed))] / PICK_DIVISOR


lrs, losses, smoothed = range_test()
gamma = (SWEEP_TO / SWEEP_FROM) ** (1 / (SWEEP_STEPS - 1))  # the sweep's factor per step
sweep_count = len(lrs)
smoothed_minimum_step = int(np.argmin(smoothed))
at_minimum = lrs[smoothed_minimum_step]
smoothed_low = smoothed[smoothed_minimum_step]
chosen = pick(lrs, smoothed)
print(f"sweep: {sweep_count} steps, lr from {lrs[0]:g} to {lrs[-1]:.3g}, times {gamma:.4f} per step")
print(f"smoothed loss: {smoothed[0]:.3f} at the start, lowest {min(smoothed):.3f} at lr = {at_minimum:.3g}")
print(f"chosen lr = {at_minimum:.3g} / {PICK_DIVISOR} = {chosen:.3g}")

# %% How far the smoothed curve lags the raw one
rule_of_thumb = 1 / (1 - SMOOTHING)  # "beta = 0.9 remembers about 10 steps": a scale, not a window
last_ten_weight = 1 - SMOOTHING ** round(rule_of_thumb)  # the weight the last 10 losses hold
mean_lag = SMOOTHING / (1 - SMOOTHING)  # the weights' mean age, in steps
lag_growth = gamma**mean_lag  # how much the rate grows over that lag
raw_minimum_step = int(np.argmin(losses))
print(f"the last {round(rule_of_thumb)} losses hold {last_ten_weight:.1%} of the smoothed loss's weight;")
print(f"  its mean age is {mean_lag:.3g} steps, over which the rate grows {lag_growth:.3g} times")
print(f"lowest loss of one mini-batch at step {raw_minimum_step} (lr {lrs[raw_minimum_step]:.3g}),")
print(f"  lowest smoothed loss at step {smoothed_minimum_step} (lr {at_minimum:.3g})")

plt.figure("range-test", figsize=(7, 4.4))
plt.semilogx(lrs, losses, alpha=0.35, label="loss of each mini-batch")
plt.semilogx(lrs, smoothed, label="smoothed loss")
plt.axvline(at_minimum, color="gray", linestyle=":", label=f"lowest smoothed loss, lr = {at_minimum:.2g}")
plt.axvline(chosen, color="C3", linestyle="--", label=f"chosen: a tenth of it, lr = {chosen:.2g}")
plt.xlabel("learning rate (log scale)")
plt.ylabel("training loss")
plt.grid(alpha=0.3, which="both")
plt.legend()
plt.show()
raw_start = losses[0]
raw_low, raw_low_lr = losses[raw_minimum_step], lrs[raw_minimum_step]
jump_step = raw_minimum_step + int(np.argmax(losses[raw_minimum_step:]))  # where it blows up
raw_jump, jump_lr = losses[jump_step], lrs[jump_step]


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


CANDIDATES = {"smaller": chosen / FACTOR, "chosen": chosen, "larger": chosen * FACTOR}
SHOWN = {"smaller": f"chosen / {FACTOR}", "chosen": "chosen", "larger": f"chosen × {FACTOR}"}
accuracy = {name: train(lr) for name, lr in CANDIDATES.items()}
test_count = len(Y_TEST)
chance = 1 / len(set(Y_TRAIN.tolist()))  # guessing one of the ten digits
near_chance_band = (chance - NEAR_CHANCE, chance + NEAR_CHANCE)
training_batches = EPOCHS * math.ceil(len(Y_TRAIN) / BATCH)
print(f"test accuracy after {EPOCHS} epochs ({training_batches} mini-batches; {test_count} held-out digits):")
for name, lr in CANDIDATES.items():
    print(f"  {SHOWN[name]:<13} lr = {lr:<8.3g} {accuracy[name]:.1%}")
