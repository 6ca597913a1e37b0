"""SparseAdam: defaults, state, the errors it raises, and a from-scratch implementation

Reads the defaults of torch.optim.SparseAdam from its signature, measures its state for an
embedding table, prints the errors a dense gradient (and Adam given a sparse one) raise, and
runs a from-scratch masked Adam beside torch.optim.SparseAdam on embedding lookups.
"""

# %%
import inspect
import math

import torch
import torch.nn.functional as F

ROWS, DIM = 10, 3  # the embedding table: 10 rows of 3 numbers
BATCH = 4  # rows looked up per step (with repeats), so most rows are absent from each step
STEPS = 20
SETTINGS = [  # hyperparameter settings for the comparison (unlisted ones keep their defaults)
    {},
    {"lr": 0.05},
    {"lr": 0.05, "betas": (0.5, 0.9)},
    {"lr": 0.01, "eps": 1e-2},
]

torch.manual_seed(0)
TABLE0 = torch.randn(ROWS, DIM, dtype=torch.float64)
TARGETS = torch.randn(ROWS, DIM, dtype=torch.float64)
BATCHES = [torch.randint(0, ROWS, (BATCH,)) for _ in range(STEPS)]


def loss_fn(vectors, indices):
    """Pull each looked-up vector towards its row's target."""
    return ((vectors - TARGETS[indices]) ** 2).sum()


def sparse_grad(table, indices):
    """The gradient nn.Embedding(sparse=True) produces: (rows, values), rows unique."""
    weight = table.detach().requires_grad_(True)
    loss_fn(F.embedding(indices, weight, sparse=True), indices).backward()
    grad = weight.grad.coalesce()  # repeated rows summed into one entry
    return grad.indices()[0], grad.values()


def defaults(cls):
    """The keyword defaults of an optimizer class, read from its signature."""
    return {name: p.default for name, p in inspect.signature(cls).parameters.items() if name != "params"}


def error_of(cls, sparse, **hyperparameters):
    """The exception optimizer.step() raises for an embedding with (sparse) gradients, or None."""
    embedding = torch.nn.Embedding(ROWS, DIM, sparse=sparse)
    optimizer = cls(embedding.parameters(), **hyperparameters)
    embedding(torch.tensor([1, 3])).sum().backward()
    try:
        optimizer.step()
    except Exception as error:  # noqa: BLE001 - we print whatever it raises
        return error
    return None


# %% [markdown]
# ## SparseAdam from scratch
#
# Adam restricted to the rows present in the gradient, as torch 2.13 computes it
# (`torch/optim/_functional.py`, `sparse_adam`).

# %%
# --8<-- [start:scratch]
def sparse_adam(table0, batches, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                grad=sparse_grad):
    """Iterates of SparseAdam, one per batch of looked-up rows."""
    beta1, beta2 = betas
    table = table0.clone()
    m, v = torch.zeros_like(table), torch.zeros_like(table)
    iterates = [table.clone()]
    for t, indices in enumerate(batches, start=1):  # t counts steps, not rows
        rows, g = grad(table, indices)
        m[rows] = beta1 * m[rows] + (1 - beta1) * g    # only these rows
        v[rows] = beta2 * v[rows] + (1 - beta2) * g * g
        step_size = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
        table[rows] -= step_size * m[rows] / (v[rows].sqrt() + eps)
        iterates.append(table.clone())
    return iterates
# --8<-- [end:scratch]


def torch_iterates(table0, batches, cls=torch.optim.SparseAdam, sparse=True, **hyperparameters):
    """The same iterates from torch.optim (SparseAdam with sparse gradients by default)."""
    embedding = torch.nn.Embedding.from_pretrained(table0.clone(), freeze=False, sparse=sparse)
    optimizer = cls(embedding.parameters(), **hyperparameters)
    iterates = [embedding.weight.detach().clone()]
    for indices in batches:
        optimizer.zero_grad()
        loss_fn(embedding(indices), indices).backward()
        optimizer.step()
        iterates.append(embedding.weight.detach().clone())
    return iterates


def max_difference(ours, theirs):
    return max((a - b).abs().max().item() for a, b in zip(ours, theirs, strict=True))


# %% Defaults, state, errors
print(f"torch.optim.SparseAdam defaults (torch {torch.__version__}):")
for name, value in defaults(torch.optim.SparseAdam).items():
    print(f"  {name:<10} {value}")

embedding = torch.nn.Embedding(ROWS, DIM, sparse=True)
optimizer = torch.optim.SparseAdam(embedding.parameters())
embedding(torch.tensor([1, 3, 3])).sum().backward()
grad = embedding.weight.grad
print(f"\nnn.Embedding({ROWS}, {DIM}, sparse=True), rows [1, 3, 3] looked up:")
print(f"  gradient: {grad.layout}, stored rows {grad._indices()[0].tolist()}, "
      f"coalesced {grad.coalesce().indices()[0].tolist()}")
optimizer.step()
print("  state after one step:")
state_bytes = 0
for name, value in optimizer.state[embedding.weight].items():
    if torch.is_tensor(value):
        nbytes = value.numel() * value.element_size()
        state_bytes += nbytes
        print(f"    {name:<11} shape {str(tuple(value.shape)):<8} {value.dtype}  {nbytes} bytes")
    else:
        print(f"    {name:<11} {type(value).__name__} {value}")
print(f"  bytes per table element: {state_bytes / (ROWS * DIM):g}")

print("\nerrors raised by optimizer.step():")
for cls, sparse in ((torch.optim.SparseAdam, False), (torch.optim.Adam, True)):
    error = error_of(cls, sparse)
    print(f"  {cls.__name__}, nn.Embedding(sparse={sparse}): {type(error).__name__}")
    print(f"    {error}")

# %% From scratch against torch.optim.SparseAdam
print(f"\nfrom scratch vs torch.optim.SparseAdam, {STEPS} steps of {BATCH} lookups, float64:")
print(f"  {'hyperparameters':<32} max |diff|")
for setting in SETTINGS:
    difference = max_difference(sparse_adam(TABLE0, BATCHES, **setting),
                                torch_iterates(TABLE0, BATCHES, **setting))
    label = ", ".join(f"{k}={v}" for k, v in setting.items()) or "defaults"
    print(f"  {label:<32} {difference:.1e}")

# %% With every row in every step there is nothing to mask: SparseAdam against Adam
every_row = [torch.arange(ROWS)] * STEPS
print(f"\nevery row in every step, torch.optim.SparseAdam vs torch.optim.Adam:")
for eps in (1e-8, 1e-30):
    difference = max_difference(
        torch_iterates(TABLE0, every_row, eps=eps),
        torch_iterates(TABLE0, every_row, cls=torch.optim.Adam, sparse=False, eps=eps))
    print(f"  eps = {eps:g}: max |diff| {difference:.1e}")
