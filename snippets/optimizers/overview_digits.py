"""Seven optimizer settings training the same small network on handwritten digits

scikit-learn ships the UCI digits set (1797 images of 8 x 8 pixels) inside its package; this reads
the data file directly (install scikit-learn to get it). A network with one hidden ReLU layer of
32 units is trained full-batch (every step sees all 1437 training images) for a fixed number of
steps, once per seed, and the training loss and the accuracy on the 360 held-out images are
recorded every few steps. The split is the same for every run; the seed sets the network's
initial weights.
"""

# %%
import gzip
import importlib.util
import pathlib

import matplotlib.pyplot as plt
import numpy as np
import torch

STEPS = 150
SEEDS = (0, 1, 2)
HELD_OUT = 360
HIDDEN = 32  # units in the one hidden layer
ADAPTIVE = ["Adagrad", "RMSprop", "Adam"]
FULL_BATCH = ["Rprop", "LBFGS"]  # the two designed for full batches
FIT_LOSS = 1e-3  # "fits the training set": training loss below this on every seed
ADAPTIVE_LOSS = 1e-2  # the adaptive three stay above this training loss on every seed
EVERY = 5  # record the loss and the accuracy every EVERY steps
SETTINGS = {  # label -> (optimizer, arguments): defaults except what is written here
    "SGD": ("SGD", {"lr": 0.1}),
    "SGD+momentum": ("SGD", {"lr": 0.1, "momentum": 0.9}),
    "Adagrad": ("Adagrad", {"lr": 0.1}),
    "RMSprop": ("RMSprop", {"lr": 0.01}),
    "Adam": ("Adam", {"lr": 0.01}),
    "Rprop": ("Rprop", {}),
    "LBFGS": ("LBFGS", {"max_iter": 1, "max_eval": 10, "line_search_fn": "strong_wolfe"}),
}


def load_digits():
    """8x8 digit images (1797 x 64, values 0-16) and labels, from the data file scikit-learn ships."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        raise SystemExit("This snippet reads the digits data that ships with scikit-learn: pip install scikit-learn")
    path = pathlib.Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    with gzip.open(path) as file:
        data = np.loadtxt(file, delimiter=",")
    return data[:, :-1], data[:, -1].astype(int)


def split(held_out=HELD_OUT, seed=0):
    """Pixels scaled to [0, 1]; a fixed random split into training and held-out images."""
    images, labels = load_digits()
    x = torch.tensor(images / 16, dtype=torch.float32)
    y = torch.tensor(labels)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    test, train = order[:held_out], order[held_out:]
    return x[train], y[train], x[test], y[test]


DATA = split()
images = len(DATA[1]) + len(DATA[3])
pixels = DATA[0].shape[1]
image_side = round(pixels**0.5)
classes = len(torch.unique(DATA[1]))
training_images = len(DATA[1])


def network(seed, hidden=HIDDEN):
    """pixels -> hidden (ReLU) -> classes, its initial weights set by the seed."""
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(pixels, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, classes))


def train(name, arguments, seed, steps=STEPS, data=DATA, every=EVERY):
    """Training loss and held-out accuracy at steps 0, every, 2 every, ..., steps."""
    x_train, y_train, x_test, y_test = data
    model = network(seed)
    optimizer = getattr(torch.optim, name)(model.parameters(), **arguments)

    def closure():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x_train), y_train)
        loss.backward()
        return loss

    losses, accuracies = [], []
    for step in range(steps + 1):
        if step % every == 0:
            with torch.no_grad():
                losses.append(torch.nn.functional.cross_entropy(model(x_train), y_train).item())
                accuracies.append((model(x_test).argmax(dim=1) == y_test).float().mean().item())
        if step < steps:
            optimizer.step(closure)
    return np.array(losses), np.array(accuracies)


def run(settings=SETTINGS, seeds=SEEDS, steps=STEPS):
    """label -> (losses, accuracies), each an array with one row per seed."""
    results = {}
    for label, (name, arguments) in settings.items():
        curves = [train(name, arguments, seed, steps) for seed in seeds]
        results[label] = (np.stack([c[0] for c in curves]), np.stack([c[1] for c in curves]))
    return results


# %% Train every setting with every seed
RESULTS = run()
print(f"{images} images of {image_side} x {image_side} pixels: {training_images} for training, {HELD_OUT} held out")
print(f"network {pixels}-{HIDDEN}-{classes}, {STEPS} full-batch steps, seeds {', '.join(map(str, SEEDS))}")
for label, (name, arguments) in SETTINGS.items():
    print(f"{label:<16}{name}({', '.join(f'{key}={value!r}' for key, value in arguments.items())})")
final = {  # label -> the last step's training loss and held-out accuracy, per seed and their mean
    label: {
        "loss": losses[:, -1].tolist(),
        "accuracy": accuracies[:, -1].tolist(),
        "mean_loss": losses[:, -1].mean(),
        "mean_accuracy": accuracies[:, -1].mean(),
    }
    for label, (losses, accuracies) in RESULTS.items()
}
print()
print(f"{'setting':<16}{'training loss':>19}{'held-out accuracy':>20}")
for label, (losses, accuracies) in RESULTS.items():
    final_loss, final_accuracy = losses[:, -1], 100 * accuracies[:, -1]
    print(
        f"{label:<16}"
        f"{final_loss.mean():>9.2e} ± {final_loss.std():<7.1e}"
        f"{final_accuracy.mean():>11.1f} % ± {final_accuracy.std():.1f}"
    )
print("(mean ± standard deviation over the seeds, after the last step)")


def spread(labels, key):
    """[smallest, largest] of final[label][key] over these settings."""
    values = [final[label][key] for label in labels]
    return [min(values), max(values)]


others_accuracy = spread([label for label in SETTINGS if label != "SGD"], "mean_accuracy")
middle_loss = spread(["SGD+momentum", *ADAPTIVE], "mean_loss")

# %% Mean curves and the range over the seeds
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4), num="training")
steps = np.arange(0, STEPS + 1, EVERY)
for label, (losses, accuracies) in RESULTS.items():
    (line,) = left.semilogy(steps, losses.mean(axis=0), label=label)
    left.fill_between(steps, losses.min(axis=0), losses.max(axis=0), color=line.get_color(), alpha=0.2)
    right.plot(steps, 100 * accuracies.mean(axis=0), color=line.get_color(), label=label)
    right.fill_between(steps, 100 * accuracies.min(axis=0), 100 * accuracies.max(axis=0), color=line.get_color(), alpha=0.2)
left.set_xlabel("full-batch step")
left.set_ylabel("training loss (log scale)")
left.grid(alpha=0.3, which="both")
right.set_xlabel("full-batch step")
right.set_ylabel("held-out accuracy (%)")
right.set_ylim(0, 100)
right.grid(alpha=0.3)
right.legend(loc="lower right", ncol=2)  # below every curve once they have climbed
fig.suptitle(f"Digits, mean of {len(SEEDS)} seeds (band: min to max)")
fig.tight_layout()
plt.show()
