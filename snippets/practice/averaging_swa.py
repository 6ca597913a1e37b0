"""Averaged weights: SWA and EMA with AveragedModel, and why BatchNorm needs update_bn

A 64-64-10 network with a BatchNorm layer trained on the digits with SGD at a constant learning
rate, a high one (LR) and a gentler one (GENTLE_LR). Beside it, `torch.optim.swa_utils.AveragedModel` keeps three averages: SWA (the
plain mean of the weights at the end of each epoch from SWA_START on), the same with
`use_buffers=True`, and an EMA of the weights and buffers after every step
(`get_ema_multi_avg_fn`). The snippet measures the held-out accuracy of each, and of SWA with its
BatchNorm statistics recomputed by `update_bn`, for three seeds at each learning rate.
"""

# %%
import copy
import gzip
import importlib.util
import pathlib

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.optim import swa_utils

EPOCHS = 15
SWA_START = 5  # epochs
BATCH = 32
LR = 0.5
GENTLE_LR = 0.2
MOMENTUM = 0.9
EMA_DECAY = 0.99
SEEDS = (0, 1, 2)
HELD_OUT = 360
# The bounds the page states (accuracy as a fraction of the held-out images)
MIN_MEAN_GAIN = 0.04  # at LR, update_bn gains at least this on average over the seeds
GENTLE_BOUND = 0.01  # at GENTLE_LR, its mean gain is smaller than this
USE_BUFFERS_WINDOW = 0.015  # use_buffers=True lands within this of update_bn on every seed


def load_digits():
    """8x8 digit images (1797 x 64, values 0-16) and labels, from the data file scikit-learn ships."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        raise SystemExit("This snippet reads the digits data that ships with scikit-learn: pip install scikit-learn")
    path = pathlib.Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    with gzip.open(path) as file:
        data = np.loadtxt(file, delimiter=",")
    return data[:, :-1], data[:, -1].astype(int)


def split(held_out=HELD_OUT):
    images, labels = load_digits()
    x, y = torch.tensor(images / 16, dtype=torch.float32), torch.tensor(labels)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    return x[order[held_out:]], y[order[held_out:]], x[order[:held_out]], y[order[:held_out]]


X_TRAIN, Y_TRAIN, X_TEST, Y_TEST = split()


def network(seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(64, 64), torch.nn.BatchNorm1d(64), torch.nn.ReLU(), torch.nn.Linear(64, 10)
    )


def accuracy(model):
    was_training = model.training
    model.eval()
    with torch.no_grad():
        found = (model(X_TEST).argmax(dim=1) == Y_TEST).float().mean().item()
    model.train(was_training)
    return found


def with_update_bn(averaged):
    """A copy of the averaged model whose BatchNorm statistics are recomputed on the training data."""
    recomputed = copy.deepcopy(averaged)
    swa_utils.update_bn(X_TRAIN.split(BATCH), recomputed)
    return recomputed


# %% Train, keeping the averages
def train(seed, lr=LR, epochs=EPOCHS):
    """Held-out accuracy per epoch of the model and its averages, and the averages at the end."""
    model = network(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=MOMENTUM)
    # --8<-- [start:averages]
    swa = swa_utils.AveragedModel(model)
    swa_buffers = swa_utils.AveragedModel(model, use_buffers=True)
    ema = swa_utils.AveragedModel(model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(EMA_DECAY), use_buffers=True)
    # --8<-- [end:averages]
    generator = torch.Generator().manual_seed(seed)
    curves = {name: [] for name in ("model", "SWA", "SWA + update_bn", "EMA")}
    for epoch in range(epochs):
        for batch in torch.randperm(len(Y_TRAIN), generator=generator).split(BATCH):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(X_TRAIN[batch]), Y_TRAIN[batch]).backward()
            optimizer.step()
            ema.update_parameters(model)
        if epoch + 1 >= SWA_START:
            swa.update_parameters(model)
            swa_buffers.update_parameters(model)
        curves["model"].append(accuracy(model))
        curves["SWA"].append(accuracy(swa))
        curves["SWA + update_bn"].append(accuracy(with_update_bn(swa)))
        curves["EMA"].append(accuracy(ema))
    return curves, {"model": model, "SWA": swa, "SWA, use_buffers": swa_buffers, "EMA": ema}


def final_accuracies(averages):
    return {
        "last model": accuracy(averages["model"]),
        "SWA, no update_bn": accuracy(averages["SWA"]),
        "SWA + update_bn": accuracy(with_update_bn(averages["SWA"])),
        "SWA, use_buffers": accuracy(averages["SWA, use_buffers"]),
        "EMA, use_buffers": accuracy(averages["EMA"]),
    }


def show(final, lr):
    names = list(final[SEEDS[0]])
    mean = {name: float(np.mean([final[seed][name] for seed in SEEDS])) for name in names}
    print(f"held-out accuracy after {EPOCHS} epochs (SGD lr {lr:g}, momentum {MOMENTUM:g}), SWA from epoch {SWA_START}")
    print(f"{'':<20}" + "".join(f"{'seed ' + str(seed):>10}" for seed in SEEDS) + f"{'mean':>10}")
    for name in names:
        print(f"{name:<20}" + "".join(f"{100 * final[seed][name]:>9.1f}%" for seed in SEEDS) + f"{100 * mean[name]:>9.1f}%")
    return mean


runs = {seed: train(seed) for seed in SEEDS}
final = {seed: final_accuracies(averages) for seed, (_, averages) in runs.items()}
gentle = {seed: final_accuracies(train(seed, lr=GENTLE_LR)[1]) for seed in SEEDS}
update_bn_gain = [final[seed]["SWA + update_bn"] - final[seed]["SWA, no update_bn"] for seed in SEEDS]
use_buffers_gap = [final[seed]["SWA + update_bn"] - final[seed]["SWA, use_buffers"] for seed in SEEDS]
gentle_update_bn_gain = [gentle[seed]["SWA + update_bn"] - gentle[seed]["SWA, no update_bn"] for seed in SEEDS]
mean_accuracy = show(final, LR)
print()
gentle_mean_accuracy = show(gentle, GENTLE_LR)
mean_update_bn_gain = float(np.mean(update_bn_gain))
swa_over_last_model = mean_accuracy["SWA + update_bn"] - mean_accuracy["last model"]
gentle_mean_update_bn_gain = float(np.mean(gentle_update_bn_gain))

# %% Seed 0, epoch by epoch
curves = runs[SEEDS[0]][0]
averaging = slice(SWA_START - 1, EPOCHS)  # the epochs from the first average on
last_model_range = (min(curves["model"][averaging]), max(curves["model"][averaging]))
swa_update_bn_lowest = min(curves["SWA + update_bn"][averaging])
plt.figure("accuracy", figsize=(7, 4.6))
epochs = np.arange(1, EPOCHS + 1)
for name, styled in (("model", "-"), ("SWA", "--"), ("SWA + update_bn", "-"), ("EMA", ":")):
    label = "SWA, BatchNorm statistics of the last model" if name == "SWA" else name
    start = SWA_START - 1 if name.startswith("SWA") else 0  # SWA holds the initial weights before
    plt.plot(epochs[start:], 100 * np.array(curves[name][start:]), styled, marker="o", markersize=3, label=label)
plt.axvline(SWA_START, color="gray", linestyle=":")
plt.xlabel("epoch")
plt.ylabel("held-out accuracy (%)")
plt.ylim(80, 100)
plt.grid(alpha=0.3)
plt.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16))
plt.show()
