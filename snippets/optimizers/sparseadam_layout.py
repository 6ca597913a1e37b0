"""SparseAdam and Adam: which gradient layout each takes, and when they agree

torch.optim.SparseAdam takes only sparse gradients and torch.optim.Adam only dense ones; each raises
an error for the other kind. When every row of the table is looked up in every step there is
nothing to mask, and SparseAdam follows Adam, up to where the two add eps.
"""

# %%
import textwrap

import torch

ROWS, DIM = 10, 3  # the embedding table
STEPS = 20
TINY_EPS = 1e-30  # an eps too small to matter
TOLERANCE = 1e-15  # "agree": to within this


def error_of(cls, sparse):
    """The exception optimizer.step() raises for an embedding with (sparse) gradients, or None."""
    embedding = torch.nn.Embedding(ROWS, DIM, sparse=sparse)
    optimizer = cls(embedding.parameters())
    embedding(torch.tensor([1, 3])).sum().backward()
    try:
        optimizer.step()
    except RuntimeError as error:
        return error
    return None


def every_row_iterates(cls, sparse, eps, steps=STEPS):
    """The table after each step when every row is looked up in every step."""
    table = torch.randn(ROWS, DIM, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    targets = torch.randn(ROWS, DIM, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    embedding = torch.nn.Embedding.from_pretrained(table, freeze=False, sparse=sparse)
    optimizer = cls(embedding.parameters(), eps=eps)
    path = []
    for _ in range(steps):
        optimizer.zero_grad()
        ((embedding(torch.arange(ROWS)) - targets) ** 2).sum().backward()
        optimizer.step()
        path.append(embedding.weight.detach().clone())
    return path


def gap(eps):
    """The largest difference between SparseAdam's and Adam's tables over the steps."""
    sparse = every_row_iterates(torch.optim.SparseAdam, True, eps)
    dense = every_row_iterates(torch.optim.Adam, False, eps)
    return max((a - b).abs().max().item() for a, b in zip(sparse, dense))


# %% The errors
errors = {
    "sparseadam_dense": f"RuntimeError: {error_of(torch.optim.SparseAdam, sparse=False)}",
    "adam_sparse": f"RuntimeError: {error_of(torch.optim.Adam, sparse=True)}",
}
accepted = error_of(torch.optim.SparseAdam, sparse=True) is None
print("optimizer.step() on nn.Embedding gradients:")
for name, case in (("SparseAdam, dense gradient:", "sparseadam_dense"), ("Adam, sparse gradient:", "adam_sparse")):
    print(f"  {name}\n" + textwrap.fill(errors[case], 78, initial_indent="    ", subsequent_indent="    "))

# %% Every row in every step: nothing to mask
default_eps = torch.optim.SparseAdam([torch.zeros(1)]).defaults["eps"]
gaps = {"tiny": gap(TINY_EPS), "default": gap(default_eps)}
print(f"\nevery row in every step for {STEPS} steps, SparseAdam against Adam,")
print("largest |difference|:")
print(f"  eps = {TINY_EPS:g}: {gaps['tiny']:.1e}; eps = {default_eps:g} (the default): {gaps['default']:.1e}")
