"""Resuming from a checkpoint, bit for bit, and what breaks it

A 64-64-10 network with dropout trained on the digits for EPOCHS epochs of shuffled mini-batches,
with AdamW, a warmup-then-cosine schedule, and float16 autocast with a GradScaler. The run stops
after RESUME_AT epochs and saves a checkpoint; a rebuilt model, optimizer, scheduler, scaler and
data order (everything created anew, as a restarted script would) load it and train on. The
snippet compares the final weights with those of a run that never stopped, and repeats the resume
with each part of the checkpoint left out.
"""

# %%
import gzip
import importlib.util
import io
import pathlib

import numpy as np
import torch

EPOCHS = 4
RESUME_AT = 2  # epochs
BATCH = 64
LR = 1e-2
WARMUP = 10  # steps
INIT_SCALE = 2.0**24  # high enough for the first steps to overflow, as in mixed_precision_scaler.py
PARTS = ("model", "optimizer", "scheduler", "scaler", "torch RNG", "data order")


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
STEPS_PER_EPOCH = -(-len(Y) // BATCH)


def build():
    """Everything a training script creates at its start, from the same seed."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(64, 10)
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR)
    warm = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=WARMUP)
    cool = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS * STEPS_PER_EPOCH - WARMUP)
    scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, [warm, cool], milestones=[WARMUP])
    scaler = torch.amp.GradScaler("cpu", init_scale=INIT_SCALE)
    data_order = torch.Generator().manual_seed(0)
    return model, optimizer, scheduler, scaler, data_order


# %% Save and load every part
# --8<-- [start:checkpoint]
def save(model, optimizer, scheduler, scaler, data_order):
    buffer = io.BytesIO()
    torch.save({
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "scaler": scaler.state_dict(),
        "torch RNG": torch.get_rng_state(),  # dropout draws from it
        "data order": data_order.get_state(),  # the shuffling generator
    }, buffer)
    return buffer.getvalue()


def load(checkpoint, model, optimizer, scheduler, scaler, data_order, leave_out=()):
    saved = torch.load(io.BytesIO(checkpoint))
    loaders = {
        "model": model.load_state_dict,
        "optimizer": optimizer.load_state_dict,
        "scheduler": scheduler.load_state_dict,
        "scaler": scaler.load_state_dict,
        "torch RNG": torch.set_rng_state,
        "data order": data_order.set_state,
    }
    for part, load_part in loaders.items():  # the scheduler exists before the optimizer loads
        if part not in leave_out:
            load_part(saved[part])
# --8<-- [end:checkpoint]


def train_epochs(parts, epochs):
    model, optimizer, scheduler, scaler, data_order = parts
    for _ in range(epochs):
        for batch in torch.randperm(len(Y), generator=data_order).split(BATCH):
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.float16):
                loss = torch.nn.functional.cross_entropy(model(X[batch]), Y[batch])
            scale = scaler.get_scale()
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            if scaler.get_scale() >= scale:  # the optimizer stepped (see mixed_precision_scaler.py)
                scheduler.step()


def weights(model):
    return torch.cat([p.detach().flatten() for p in model.parameters()])


# %% Never stopped, resumed, and resumed with a part left out
never_stopped = build()
train_epochs(never_stopped, EPOCHS)
reference = weights(never_stopped[0])

first_half = build()
train_epochs(first_half, RESUME_AT)
CHECKPOINT = save(*first_half)


def resume(leave_out=()):
    """The final weights of a run rebuilt from the checkpoint, without the parts in leave_out."""
    parts = build()
    load(CHECKPOINT, *parts, leave_out=leave_out)
    train_epochs(parts, EPOCHS - RESUME_AT)
    return weights(parts[0])


resumed = resume()
bit_identical = torch.equal(resumed, reference)
left_out = {part: (resume(leave_out=(part,)) - reference).abs().max().item() for part in PARTS}
print(f"{EPOCHS} epochs of {STEPS_PER_EPOCH} steps, checkpoint after epoch {RESUME_AT} "
      f"({len(CHECKPOINT) / 1024:.0f} KiB)")
print(f"resumed with every part: bit-identical to the run that never stopped: {bit_identical}")
print(f"{'left out':<12}{'largest weight difference':>28}")
for part, difference in left_out.items():
    print(f"{part:<12}{difference:>28.3g}")
