"""A learning-rate sweep for four optimizers on the digits

A 64-32-10 network trained for EPOCHS epochs of mini-batches of 32 on 1437 of the digits, from
two seeds, with SGD with momentum 0.9, Adam and AdamW at their defaults except the learning
rate, which the sweep sets from 10^-4 to 1 in steps of a factor sqrt(10). The snippet records the
held-out accuracy of every run, and for each optimizer the learning rates whose accuracy (mean over
the seeds) is within WINDOW of that optimizer's best.
"""

# %%
import gzip
import importlib.util
import pathlib

import matplotlib.pyplot as plt
import numpy as np
import torch

EPOCHS = 3
BATCH = 32
SEEDS = (0, 1)
LRS = [float(f"{10 ** (exponent / 2):.4g}") for exponent in range(-8, 1)]
WINDOW = 0.02  # within 2 points of the best accuracy
WINDOW_POINTS = 100 * WINDOW
FAILED = 0.25  # a run below this accuracy has failed (guessing gets 0.1)
HELD_OUT = 360
MOMENTUM = 0.9
OPTIMIZERS = {
    "SGD + momentum": (torch.optim.SGD, {"momentum": MOMENTUM}),
    "Adam": (torch.optim.Adam, {}),
    "AdamW": (torch.optim.AdamW, {}),
}
ADAM_DEFAULT_LR = torch.optim.Adam([torch.zeros(1, requires_grad=True)]).defaults["lr"]


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


def train(name, lr, seed, epochs=EPOCHS):
    """Held-out accuracy after `epochs` epochs (0 if the loss became NaN)."""
    optimizer_class, arguments = OPTIMIZERS[name]
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    optimizer = optimizer_class(model.parameters(), lr=lr, **arguments)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for batch in torch.randperm(len(Y_TRAIN), generator=generator).split(BATCH):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(X_TRAIN[batch]), Y_TRAIN[batch]).backward()
            optimizer.step()
    with torch.no_grad():
        return (model(X_TEST).argmax(dim=1) == Y_TEST).float().mean().item()


# %% The sweep
accuracy = {name: [float(np.mean([train(name, lr, seed) for seed in SEEDS])) for lr in LRS] for name in OPTIMIZERS}
best = {name: max(found) for name, found in accuracy.items()}
best_spread = max(best.values()) - min(best.values())
best_lr = {name: LRS[int(np.argmax(found))] for name, found in accuracy.items()}
good = {name: [lr for lr, a in zip(LRS, found) if a >= best[name] - WINDOW] for name, found in accuracy.items()}
good_span = {name: max(lrs) / min(lrs) for name, lrs in good.items()}
adam_default_accuracy = accuracy["Adam"][LRS.index(ADAM_DEFAULT_LR)]
adam_default_gap = best["Adam"] - adam_default_accuracy
adam_default_gap_points = 100 * adam_default_gap
failed_from = {name: min(lr for lr, a in zip(LRS, found) if lr > best_lr[name] and a < FAILED) for name, found in accuracy.items()}
print(f"held-out accuracy after {EPOCHS} epochs, mean of seeds {SEEDS}")
print(f"{'lr':<15}" + "".join(f"{lr:>7.0e}" for lr in LRS))
for name, found in accuracy.items():
    print(f"{name:<15}" + "".join(f"{100 * a:>7.1f}" for a in found))
for name in OPTIMIZERS:
    print(f"{name}: best {100 * best[name]:.1f}% at lr {best_lr[name]:.2g}; "
          f"within {100 * WINDOW:g} points: lr {min(good[name]):.2g} to {max(good[name]):.2g}")

# %% Drawn
plt.figure("lr-sweep", figsize=(7, 4.4))
for name, found in accuracy.items():
    plt.semilogx(LRS, 100 * np.array(found), "o-", label=name)
plt.xlabel("learning rate")
plt.ylabel("held-out accuracy (%)")
plt.title(f"A small network on the digits, {EPOCHS} epochs")
plt.grid(alpha=0.3, which="both")
plt.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3)
plt.show()
