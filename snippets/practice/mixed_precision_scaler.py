"""GradScaler on the CPU: skipped steps, clipping, and a scheduler

A 64-32-10 network trained on the digits under `torch.autocast("cpu", dtype=torch.float16)` with
`torch.amp.GradScaler("cpu")`, SGD and a linear warmup. GradScaler multiplies the loss by its scale
before backward(); when a gradient comes out inf or NaN, `scaler.step()` skips the optimizer step
and `scaler.update()` halves the scale. On this small network the default initial scale never
overflows, so the snippet starts at INIT_SCALE, where the first steps overflow as they do on a
large network at the default. It runs the loop three ways: clipping before `unscale_()`; the usual
loop (`unscale_()`, clip, `scaler.step()`, `scaler.update()` as in PyTorch's AMP examples, then
`scheduler.step()` as in any loop); and that loop with the scheduler stepped only when the
optimizer was.
"""

# %%
import gzip
import importlib.util
import pathlib
import textwrap
import warnings

import numpy as np
import torch

INIT_SCALE = 2.0**24
LR = 0.1
WARMUP = 10  # LinearLR from a tenth of LR
MAX_NORM = 1.0
STEPS = 12
BATCH = 32
DEFAULT_INIT_SCALE = torch.amp.GradScaler("cpu").get_scale()
GROWTH_INTERVAL = torch.amp.GradScaler("cpu").get_growth_interval()
BACKOFF_FACTOR = torch.amp.GradScaler("cpu").get_backoff_factor()


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


def train(unscale_first=True, step_scheduler_always=True, init_scale=INIT_SCALE, steps=STEPS):
    """Per step: whether the optimizer step ran, the lr it used, the scale, the step's size; and
    the warnings raised."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=WARMUP)
    scaler = torch.amp.GradScaler("cpu", init_scale=init_scale)
    record = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for step in range(steps):
            batch = slice(step * BATCH, (step + 1) * BATCH)
            before = torch.cat([p.detach().flatten() for p in model.parameters()])
            lr, scale = optimizer.param_groups[0]["lr"], scaler.get_scale()
            # --8<-- [start:loop]
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.float16):
                loss = torch.nn.functional.cross_entropy(model(X[batch]), Y[batch])
            scaler.scale(loss).backward()
            if unscale_first:
                scaler.unscale_(optimizer)  # the gradients are the true ones from here on
            torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_NORM)
            scaler.step(optimizer)  # skipped if a gradient is inf or NaN
            scaler.update()  # halves the scale after a skipped step
            stepped = scaler.get_scale() >= scale
            if step_scheduler_always or stepped:
                scheduler.step()
            # --8<-- [end:loop]
            moved = (torch.cat([p.detach().flatten() for p in model.parameters()]) - before).norm().item()
            record.append({"stepped": stepped, "lr": lr, "scale": scale, "moved": moved})
    return record, [str(warning.message) for warning in caught]


# %% The three loops
clip_first, clip_first_warnings = train(unscale_first=False)
usual, usual_warnings = train()
skip_aware, skip_aware_warnings = train(step_scheduler_always=False)
skipped = [step for step, row in enumerate(usual) if not row["stepped"]]
first_real = min(step for step, row in enumerate(usual) if row["stepped"])
scale_at_first_real = usual[first_real]["scale"]
first_real_lr = {"usual": usual[first_real]["lr"], "skip-aware": skip_aware[first_real]["lr"]}
[usual_warning] = usual_warnings
print(f"initial scale {INIT_SCALE:.0f} (default {DEFAULT_INIT_SCALE:.0f}); skipped steps: {skipped}")
print(f"{'step':<6}{'scale':>10}{'ran':>6}{'lr used, usual':>22}{'lr used, skip-aware':>22}")
for step, (row, aware) in enumerate(zip(usual, skip_aware)):
    lr_used = f"{row['lr']:.3f}" if row["stepped"] else "-"
    aware_used = f"{aware['lr']:.3f}" if aware["stepped"] else "-"
    print(f"{step:<6}{row['scale']:>10.0f}{str(row['stepped']):>6}{lr_used:>22}{aware_used:>22}")
print(f"warnings: usual loop {len(usual_warnings)}, skip-aware loop {len(skip_aware_warnings)}")
print(textwrap.fill(f"UserWarning: {usual_warning}", width=76, initial_indent="  ", subsequent_indent="  "))

# %% Clipping before unscale_()
ran = [step for step, row in enumerate(usual) if row["stepped"] and clip_first[step]["stepped"]]
moved_ratio = float(np.median([usual[s]["moved"] / clip_first[s]["moved"] for s in ran]))
print(f"\nclipping before unscale_(): the median step is {moved_ratio:.3g} times smaller")
