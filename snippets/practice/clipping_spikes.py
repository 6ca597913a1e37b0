"""Gradient clipping on a run with gradient spikes: norm against value, SGD against Adam

A 64-32-10 network trained on the digits with mini-batches of 32. At a few steps the loss of the
batch is multiplied by SPIKE, a stand-in for a corrupted batch or an unlucky one: its gradient is
SPIKE times larger. The same run is made without clipping, with `clip_grad_norm_` and with
`clip_grad_value_`, for SGD with momentum and for Adam, all from the same weights on the same
batches. The snippet records the training loss on all the training images and the size of every
step.
"""

# %%
import gzip
import importlib.util
import pathlib

import matplotlib.pyplot as plt
import numpy as np
import torch

STEPS = 150
BATCH = 32
SPIKE = 200.0
SPIKES_AT = (50, 100)
MAX_NORM = 1.0
MAX_VALUE = 0.01
SETTINGS = {  # label -> (optimizer, lr)
    "SGD": (torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    "Adam": (torch.optim.Adam, {"lr": 1e-2}),
}
CLIPS = ("none", "norm", "value")
DIRECTION_TOLERANCE = 1e-6  # clip_grad_norm_ keeps the direction: cosine 1 to this
RECOVERED = 1.5  # a final loss within this factor of the run without spikes
AFTER_SPIKE = 10  # steps after the first spike whose mean size is recorded


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
X, Y = torch.tensor(IMAGES / 16, dtype=torch.float32), torch.tensor(LABELS)


# --8<-- [start:clip]
def clip(model, how):
    """Clip the gradients in place; return the total gradient norm before clipping."""
    parameters = list(model.parameters())
    if how == "norm":
        return torch.nn.utils.clip_grad_norm_(parameters, MAX_NORM).item()
    norm = torch.nn.utils.get_total_norm([p.grad for p in parameters]).item()
    if how == "value":
        torch.nn.utils.clip_grad_value_(parameters, MAX_VALUE)
    return norm
# --8<-- [end:clip]


def train(optimizer_name, how, spikes_at=SPIKES_AT, steps=STEPS):
    """Per step: the training loss before it, the gradient norm before clipping, the step's size."""
    optimizer_class, arguments = SETTINGS[optimizer_name]
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    optimizer = optimizer_class(model.parameters(), **arguments)
    generator = torch.Generator().manual_seed(0)
    batches = torch.cat([torch.randperm(len(Y), generator=generator) for _ in range(4)]).split(BATCH)
    losses, norms, sizes, cosines = [], [], [], []
    for step in range(steps):
        with torch.no_grad():
            losses.append(torch.nn.functional.cross_entropy(model(X), Y).item())
        batch = batches[step]
        loss = torch.nn.functional.cross_entropy(model(X[batch]), Y[batch])
        optimizer.zero_grad()
        (loss * (SPIKE if step in spikes_at else 1.0)).backward()
        raw = torch.cat([p.grad.flatten() for p in model.parameters()])
        norms.append(clip(model, how))
        clipped = torch.cat([p.grad.flatten() for p in model.parameters()])
        cosines.append(torch.nn.functional.cosine_similarity(raw, clipped, dim=0).item())
        before = torch.cat([p.detach().flatten() for p in model.parameters()])
        optimizer.step()
        sizes.append((torch.cat([p.detach().flatten() for p in model.parameters()]) - before).norm().item())
    return {"loss": losses, "grad_norm": norms, "step": sizes, "cosine": cosines}


# %% Every optimizer with every kind of clipping, and without spikes
runs = {f"{name}, {how}": train(name, how) for name in SETTINGS for how in CLIPS}
calm = {name: train(name, "none", spikes_at=()) for name in SETTINGS}
first = SPIKES_AT[0]
after = slice(first + 1, first + 1 + AFTER_SPIKE)
rows = []
for key, run in runs.items():
    name, how = key.split(", ")
    rows.append({
        "optimizer": name,
        "clipping": how,
        "spike step": run["step"][first],
        "steps after, mean": float(np.mean(run["step"][after])),
        "loss after spike": run["loss"][first + 1],
        "final loss": run["loss"][-1],
    })
calm_step = {name: float(np.mean(run["step"][after])) for name, run in calm.items()}
calm_final_loss = {name: run["loss"][-1] for name, run in calm.items()}
spike_grad_norm = runs["SGD, none"]["grad_norm"][first]
typical_grad_norm = float(np.median(runs["SGD, none"]["grad_norm"]))
spike_cosine = {how: runs[f"SGD, {how}"]["cosine"][first] for how in CLIPS}  # clipped vs raw gradient
result = {f"{row['optimizer']}, {row['clipping']}": row for row in rows}
calm_typical_step = {name: float(np.median(run["step"])) for name, run in calm.items()}
spike_step_ratio = {name: result[f"{name}, none"]["spike step"] / calm_typical_step[name] for name in SETTINGS}
final_loss_ratio = {key: row["final loss"] / calm_final_loss[row["optimizer"]] for key, row in result.items()}
print(f"spikes at steps {SPIKES_AT}: gradient norm {spike_grad_norm:.3g} (median {typical_grad_norm:.3g})")
print("cosine between the clipped and the raw gradient at the spike:")
print("  " + ", ".join(f"{how} {cosine:.4f}" for how, cosine in spike_cosine.items()))
print(f"{'':<14}{'spike step':>11}{f'next {AFTER_SPIKE} steps':>15}{'loss after':>12}{'final loss':>12}")
for row in rows:
    print(f"{row['optimizer'] + ', ' + row['clipping']:<14}{row['spike step']:>11.3g}"
          f"{row['steps after, mean']:>15.3g}{row['loss after spike']:>12.3g}{row['final loss']:>12.3g}")
for name in SETTINGS:
    print(f"{name + ', no spikes':<14}{'':>11}{calm_step[name]:>15.3g}{'':>12}{calm_final_loss[name]:>12.3g}")

# %% The two optimizers' runs drawn
fig, axes = plt.subplots(2, 2, figsize=(9, 5.6), num="spikes", sharex=True)
for column, name in enumerate(SETTINGS):
    axes[0, column].semilogy(calm[name]["loss"], color="gray", linewidth=3, alpha=0.4, label="no spikes")
    axes[1, column].semilogy(calm[name]["step"], color="gray", linewidth=3, alpha=0.4, label="no spikes")
    for how in CLIPS:
        axes[0, column].semilogy(runs[f"{name}, {how}"]["loss"], label=f"clipping: {how}")
        axes[1, column].semilogy(runs[f"{name}, {how}"]["step"], label=f"clipping: {how}")
    axes[0, column].set_title(f"{name}, lr {SETTINGS[name][1]['lr']:g}")
    axes[0, column].set_ylabel("training loss")
    axes[1, column].set_ylabel("step size |Δw|")
    axes[1, column].set_xlabel("step")
    for axis in axes[:, column]:
        for spike in SPIKES_AT:
            axis.axvline(spike, color="gray", linestyle=":")
        axis.grid(alpha=0.3, which="both")
axes[0, 1].legend(loc="lower left")
fig.tight_layout()
plt.show()
