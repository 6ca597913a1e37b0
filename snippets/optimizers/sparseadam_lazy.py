"""SparseAdam is lazy: absent rows stand still, and a row's first step depends on the clock

Left: one embedding row is looked up only in steps 1-10. Adam, given the dense gradient
(zero for that row after step 10), keeps moving it on its momentum; SparseAdam leaves it,
and its moments, exactly where they were. Right: SparseAdam counts steps per tensor, not per
row, so the first update of a row first seen at step k is not lr, as Adam's first step is.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

LR = 0.1
STEPS = 40
PRESENT_UNTIL = 10  # row 0 is looked up in steps 1 ... PRESENT_UNTIL only
FIRST_SEEN = (1, 3, 10, 30, 100, 300)  # steps at which a fresh row is first looked up
LATE = (1000, 10_000)  # later first lookups, from the update rule only
START = 2.0  # row 0's value before the first step
BETAS = torch.optim.SparseAdam([torch.zeros(1)]).defaults["betas"]  # read from torch


def row_path(cls, sparse, lr=LR, steps=STEPS, present_until=PRESENT_UNTIL):
    """Value of row 0 of a 4 x 1 table after each step; rows 1-3 are looked up every step."""
    table = torch.tensor([[START], [1.0], [-1.0], [0.5]], dtype=torch.float64)
    embedding = torch.nn.Embedding.from_pretrained(table, freeze=False, sparse=sparse)
    optimizer = cls(embedding.parameters(), lr=lr)
    path = [embedding.weight[0, 0].item()]
    for step in range(1, steps + 1):
        rows = torch.tensor([0, 1, 2, 3] if step <= present_until else [1, 2, 3])
        optimizer.zero_grad()
        (embedding(rows) ** 2).sum().backward()  # pull every looked-up row towards 0
        optimizer.step()
        path.append(embedding.weight[0, 0].item())
    return path


def first_update(k, lr=1e-3):
    """How far SparseAdam moves a row, with gradient 1, that is first looked up at step k."""
    table = torch.zeros(2, 1, dtype=torch.float64)
    embedding = torch.nn.Embedding.from_pretrained(table, freeze=False, sparse=True)
    optimizer = torch.optim.SparseAdam(embedding.parameters(), lr=lr)
    for step in range(1, k + 1):
        optimizer.zero_grad()
        embedding(torch.tensor([0 if step < k else 1])).sum().backward()
        optimizer.step()
    return -embedding.weight[1, 0].item()


def first_update_formula(k, lr=1e-3, betas=BETAS):
    """The same from the update rule: m = (1 - b1) g, v = (1 - b2) g^2, bias corrections at step k."""
    beta1, beta2 = betas
    return lr * math.sqrt(1 - beta2**k) / (1 - beta1**k) * (1 - beta1) / math.sqrt(1 - beta2)


# %% Rows that are absent stand still
adam = row_path(torch.optim.Adam, sparse=False)
lazy = row_path(torch.optim.SparseAdam, sparse=True)
remaining = STEPS - PRESENT_UNTIL  # steps after row 0's last lookup
print(f"row 0 after step {PRESENT_UNTIL} (its last lookup) and after step {STEPS}:")
print(f"  Adam       {adam[PRESENT_UNTIL]:.4f} -> {adam[-1]:.4f}")
print(f"  SparseAdam {lazy[PRESENT_UNTIL]:.4f} -> {lazy[-1]:.4f}")

# %% A row's first update depends on when it is first seen
measured = {k: first_update(k) / 1e-3 for k in FIRST_SEEN}  # in units of lr
formula = {k: first_update_formula(k) / 1e-3 for k in FIRST_SEEN + LATE}
lowest = min(range(1, 1000), key=first_update_formula)
smallest = first_update_formula(lowest) / 1e-3
limit = (1 - BETAS[0]) / math.sqrt(1 - BETAS[1])  # k -> infinity
print("\nfirst update of a row first looked up at step k, in units of lr (Adam: 1):")
for k in FIRST_SEEN:
    print(f"  k = {k:>3}: measured {measured[k]:.4f}, formula {formula[k]:.4f}")
for k in LATE:
    print(f"  k = {k:,}: formula {formula[k]:.4f}")
print(f"  smallest at k = {lowest}: {smallest:.4f}")
print(f"  k -> infinity: (1 - beta1) / sqrt(1 - beta2) = {limit:.4f}")

# %% Plot
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), num="lazy")
left.plot(adam, "-o", markersize=3, label="Adam (dense gradient)")
left.plot(lazy, "-o", markersize=3, label="SparseAdam (sparse gradient)")
left.axvspan(0, PRESENT_UNTIL, color="gray", alpha=0.15)
left.text(0.7, 0.25, f"row 0 looked up\nin steps 1–{PRESENT_UNTIL}")
left.set_xlabel("step")
left.set_ylabel("value of row 0")
left.set_title(f"loss pulls looked-up rows to 0, lr = {LR}")
left.grid(alpha=0.3)
left.legend(loc="upper right")

ks = np.unique(np.logspace(0, 4, 200).astype(int))
right.semilogx(ks, [first_update_formula(int(k)) / 1e-3 for k in ks], label="update rule")
right.scatter(FIRST_SEEN, [first_update(k) / 1e-3 for k in FIRST_SEEN], color="black", zorder=3,
              s=16, label="torch.optim.SparseAdam")
right.axhline(1, color="C1", linestyle="--", label="Adam's first step")
right.set_xlabel("step k at which the row is first looked up")
right.set_ylabel("first update / lr")
right.set_title("SparseAdam, default betas, gradient 1")
right.grid(alpha=0.3, which="both")
right.legend()
plt.show()
