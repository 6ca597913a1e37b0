"""The decay per step of Adam's weight_decay and of AdamW's, measured in a training run

A network with one hidden layer trained on the digits with mini-batches, under a warmup-then-cosine schedule,
with weight decay on the weights and none on the biases (two parameter groups). AdamW multiplies a
decayed weight by 1 - lr * weight_decay at each step. Adam adds weight_decay * w to the gradient,
and divides that, like the rest of the gradient, by sqrt(v_hat) + eps: its decay per step of
weight i is lr * weight_decay / (sqrt(v_hat_i) + eps). The snippet reads v_hat from the optimizer's
state after every step.
"""

# %%
import gzip
import importlib.util
import pathlib

import matplotlib.pyplot as plt
import numpy as np
import torch

LR = 1e-2
WEIGHT_DECAY = 0.05
EPOCHS = 4
BATCH = 32
WARMUP = 20  # steps
HELD_OUT = 360
HIDDEN = 64
PERCENTILES = (10, 90)  # the band drawn, and the spread measured, across the weights
# The bounds the page states
RATIO_FLOOR = 10  # Adam's decay per step, same weight_decay, is more than this times AdamW's
MATCH_FACTOR = 3  # with the matching weight_decay, Adam's median decay stays within this factor of AdamW's
ACCURACY_WINDOW = 0.02  # ... and its accuracy within this of AdamW's
NORM_WINDOW = 0.1  # ... and its weight norm within this fraction of AdamW's


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


DATA = split()
STEPS = EPOCHS * -(-len(DATA[1]) // BATCH)


def schedule(optimizer, steps=STEPS):
    warm = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.05, total_iters=WARMUP)
    cool = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps - WARMUP)
    return torch.optim.lr_scheduler.SequentialLR(optimizer, [warm, cool], milestones=[WARMUP])


# %% Train, and measure the decay each step applies
def train(optimizer_class, weight_decay, data=DATA, epochs=EPOCHS):
    """Per step: the lr, and the decay per step of each decayed weight entry. Returns (lrs, decays
    as a steps x entries array, model, held-out accuracy)."""
    x_train, y_train, x_test, y_test = data
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, 10))
    weights = [model[0].weight, model[2].weight]
    biases = [model[0].bias, model[2].bias]
    optimizer = optimizer_class(
        [{"params": weights, "weight_decay": weight_decay}, {"params": biases, "weight_decay": 0.0}], lr=LR
    )
    scheduler = schedule(optimizer)
    beta2, eps = optimizer.defaults["betas"][1], optimizer.defaults["eps"]
    generator = torch.Generator().manual_seed(0)
    lrs, decays = [], []
    for epoch in range(epochs):
        for batch in torch.randperm(len(y_train), generator=generator).split(BATCH):
            lr = optimizer.param_groups[0]["lr"]
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x_train[batch]), y_train[batch]).backward()
            optimizer.step()
            # --8<-- [start:decay]
            if optimizer_class is torch.optim.AdamW:  # w <- (1 - lr * weight_decay) w
                decay = [torch.full_like(w, lr * weight_decay) for w in weights]
            else:  # weight_decay * w is divided by sqrt(v_hat) + eps with the rest of the gradient
                decay = []
                for w in weights:
                    state = optimizer.state[w]
                    v_hat = state["exp_avg_sq"] / (1 - beta2 ** state["step"].item())
                    decay.append(lr * weight_decay / (v_hat.sqrt() + eps))
            # --8<-- [end:decay]
            lrs.append(lr)
            decays.append(torch.cat([d.flatten() for d in decay]).numpy())
            scheduler.step()
    with torch.no_grad():
        accuracy = (model(x_test).argmax(dim=1) == y_test).float().mean().item()
    return np.array(lrs), np.array(decays), model, accuracy


def weight_norm(model):
    return torch.cat([model[0].weight.flatten(), model[2].weight.flatten()]).norm().item()


lrs, adamw_decay, adamw_model, adamw_accuracy = train(torch.optim.AdamW, WEIGHT_DECAY)
_, adam_decay, adam_model, adam_accuracy = train(torch.optim.Adam, WEIGHT_DECAY)

# %% What Adam's decay would have to be to match AdamW's
adam_median = np.median(adam_decay, axis=1)
adam_low, adam_high = np.percentile(adam_decay, PERCENTILES, axis=1)
median_ratio = adam_median / adamw_decay[:, 0]  # Adam's decay per step over AdamW's
after_warmup = slice(WARMUP, STEPS)
ratio_range = (float(median_ratio[after_warmup].min()), float(median_ratio[after_warmup].max()))
adamw_decay_range = (float(adamw_decay[:, 0].min()), float(adamw_decay[:, 0].max()))
spread = adam_high / adam_low  # at each step
spread_range = (float(spread[after_warmup].min()), float(spread[after_warmup].max()))
matching_decay = WEIGHT_DECAY / float(np.median(median_ratio[after_warmup]))
_, matched_decay, matched_model, matched_accuracy = train(torch.optim.Adam, matching_decay)
matched_ratio = np.median(matched_decay, axis=1) / adamw_decay[:, 0]
matched_ratio_range = (float(matched_ratio[after_warmup].min()), float(matched_ratio[after_warmup].max()))

norms = {"AdamW": weight_norm(adamw_model), "Adam": weight_norm(adam_model), "Adam, matched": weight_norm(matched_model)}
accuracies = {"AdamW": adamw_accuracy, "Adam": adam_accuracy, "Adam, matched": matched_accuracy}

print(f"{STEPS} steps, lr {LR:g} with a {WARMUP}-step warmup and a cosine, weight_decay {WEIGHT_DECAY:g}")
print(f"Adam's median decay per step / AdamW's, after the warmup: "
      f"{ratio_range[0]:.3g} to {ratio_range[1]:.3g}")
print(f"Adam's decay across the weights, percentile {PERCENTILES[1]} / {PERCENTILES[0]}: "
      f"{spread_range[0]:.3g} to {spread_range[1]:.3g}")
print(f"Adam's weight_decay that matches AdamW's median decay: {matching_decay:.3g}")
print(f"  with it, Adam's median decay / AdamW's: {matched_ratio_range[0]:.3g} to {matched_ratio_range[1]:.3g}")
print(f"{'':<16}{'weight norm':>14}{'held-out accuracy':>20}")
for name in norms:
    print(f"{name:<16}{norms[name]:>14.4g}{100 * accuracies[name]:>19.1f}%")

# %% The decay per step through the run
fig, axis = plt.subplots(figsize=(7, 4.4), num="decay-per-step")
steps = np.arange(STEPS)
axis.semilogy(steps, adamw_decay[:, 0], color="C0", linewidth=2, label=f"AdamW, weight_decay {WEIGHT_DECAY:g}")
axis.semilogy(steps, adam_median, color="C3", label=f"Adam, weight_decay {WEIGHT_DECAY:g}: median")
axis.fill_between(steps, adam_low, adam_high, color="C3", alpha=0.2, label=f"Adam: percentiles {PERCENTILES[0]} to {PERCENTILES[1]}")
axis.semilogy(steps, np.median(matched_decay, axis=1), color="C2", linestyle="--",
              label=f"Adam, weight_decay {matching_decay:.2g}: median")
axis.set_xlabel("step")
axis.set_ylabel("decay per step")
axis.grid(alpha=0.3, which="both")
axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18))
plt.show()
