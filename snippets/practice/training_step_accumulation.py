"""Gradient accumulation: k micro-batches against one large batch

A small network trained on the digits with SGD, each step on a batch of 64 images: once on the
whole batch, and once by accumulating the gradients of 4 micro-batches of 16 before
`optimizer.step()`, with and without the loss scaled by 1/k, with micro-batches of unequal size,
and with a normalization layer (BatchNorm, LayerNorm) in the network. Every variant starts from the
same weights and sees the same images; the snippet compares its weights after the last step with
the large-batch run's.
"""

# %%
import gzip
import importlib.util
import pathlib

import matplotlib.pyplot as plt
import numpy as np
import torch

BATCH = 64
K = 4  # micro-batches per step
UNEQUAL = (8, 8, 16, 32)  # micro-batch sizes that add up to BATCH
STEPS = 20
LR = 0.1
# What "the same up to rounding" means here, as a fraction of the distance the weights moved
FLOAT32_TOLERANCE = 1e-5
FLOAT64_TOLERANCE = 1e-12
ADAM_TOLERANCE = 1e-2  # Adam with the loss not scaled
PRECISIONS_AGREE = 0.01  # a gap that is the same in float32 and float64 to 1 % is not rounding


def load_digits():
    """8x8 digit images (1797 x 64, values 0-16) and labels, from the data file scikit-learn ships."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        raise SystemExit("This snippet reads the digits data that ships with scikit-learn: pip install scikit-learn")
    path = pathlib.Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    with gzip.open(path) as file:
        data = np.loadtxt(file, delimiter=",")
    return data[:, :-1], data[:, -1].astype(int)


IMAGES, LABELS = load_digits()


def network(norm=None, dtype=torch.float32):
    """64-32-10 with a ReLU, and optionally a normalization layer after the first Linear."""
    torch.manual_seed(0)
    layers = [torch.nn.Linear(64, 32)]
    if norm == "BatchNorm":
        layers.append(torch.nn.BatchNorm1d(32))
    if norm == "LayerNorm":
        layers.append(torch.nn.LayerNorm(32))
    layers += [torch.nn.ReLU(), torch.nn.Linear(32, 10)]
    return torch.nn.Sequential(*layers).to(dtype)


def train(sizes, scale, norm=None, dtype=torch.float32, optimizer_class=torch.optim.SGD, lr=LR, steps=STEPS):
    """Weights (flattened) before and after `steps` steps; each step accumulates the micro-batches
    `sizes`, micro-batch i's mean loss multiplied by scale(size_i)."""
    x = torch.tensor(IMAGES / 16, dtype=dtype)
    y = torch.tensor(LABELS)
    model = network(norm, dtype)
    optimizer = optimizer_class(model.parameters(), lr=lr)
    start = torch.cat([p.detach().flatten() for p in model.parameters()])
    for step in range(steps):
        batch = slice(step * BATCH, (step + 1) * BATCH)
        xs, ys = x[batch].split(list(sizes)), y[batch].split(list(sizes))
        optimizer.zero_grad()
        for micro_x, micro_y in zip(xs, ys):
            loss = torch.nn.functional.cross_entropy(model(micro_x), micro_y)
            (loss * scale(len(micro_y))).backward()
        optimizer.step()
    return start, torch.cat([p.detach().flatten() for p in model.parameters()])


def difference(run, reference):
    """|w - w_large| / |w_large - w_0|: the gap between the final weights, relative to how far
    the large-batch run moved them."""
    (start, end), (_, expected) = run, reference
    return ((end - expected).norm() / (expected - start).norm()).item()


# %% Each variant against the large batch
def one(size):
    return 1.0


def one_over_k(size):
    return 1.0 / K


def share_of_batch(size):
    return size / BATCH


EQUAL = (BATCH // K,) * K
VARIANTS = {  # name -> (micro-batch sizes, loss scale, normalization layer)
    "loss / k": (EQUAL, one_over_k, None),
    "loss / k, LayerNorm": (EQUAL, one_over_k, "LayerNorm"),
    "unequal sizes, loss * n_i / N": (UNEQUAL, share_of_batch, None),
    "unequal sizes, loss / k": (UNEQUAL, one_over_k, None),
    "loss / k, BatchNorm": (EQUAL, one_over_k, "BatchNorm"),
    "loss not scaled": (EQUAL, one, None),
}


def differences(dtype, optimizer_class=torch.optim.SGD):
    """name -> relative difference of the final weights from the large-batch run's."""
    references = {norm: train((BATCH,), one, norm, dtype, optimizer_class) for _, _, norm in VARIANTS.values()}
    return {
        name: difference(train(sizes, scale, norm, dtype, optimizer_class), references[norm])
        for name, (sizes, scale, norm) in VARIANTS.items()
    }


sgd = {"float32": differences(torch.float32), "float64": differences(torch.float64)}
ADAM_LR = 1e-3
adam_not_scaled = difference(
    train(EQUAL, one, optimizer_class=torch.optim.Adam, lr=ADAM_LR),
    train((BATCH,), one, optimizer_class=torch.optim.Adam, lr=ADAM_LR),
)
print(f"SGD, {STEPS} steps of {BATCH} images; |w - w_large| / |w_large - w_0|:")
print(f"{'accumulated as':<32}{'float32':>12}{'float64':>12}")
for name in VARIANTS:
    print(f"{name:<32}{sgd['float32'][name]:>12.2e}{sgd['float64'][name]:>12.2e}")
print(f"Adam (lr {ADAM_LR:g}), loss not scaled, float32: {adam_not_scaled:.2e}")

# %% The picture
fig, axis = plt.subplots(figsize=(7, 3.6), num="accumulation")
names = list(VARIANTS)[::-1]
rows = np.arange(len(names))
axis.barh(rows + 0.2, [sgd["float32"][n] for n in names], height=0.4, label="float32")
axis.barh(rows - 0.2, [sgd["float64"][n] for n in names], height=0.4, label="float64")
axis.set_yticks(rows, names)
axis.set_xscale("log")
axis.set_xlabel("|w − w_large| / |w_large − w₀| after the last step")
axis.grid(alpha=0.3, axis="x")
axis.legend(loc="lower right")
plt.show()
