"""Muon's Newton-Schulz iteration: what it does to singular values

If m = U S V^T, one step x <- a x + (b x x^T + c (x x^T)^2) x maps every singular value s to
p(s) = a s + b s^3 + c s^5 and leaves U and V alone. Muon normalizes m by its Frobenius norm
(so every s <= 1) and applies p five times. Left: p applied 1 to 5 times. Right: the singular
values of a momentum matrix (normalized) and of the update torch.optim.Muon makes from it.
Below: the RMS of that update for four shapes, with both learning-rate adjustments.
"""

# %%
import inspect
import math
import re

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.optim import _muon

DEFAULTS = torch.optim.Muon([torch.zeros(2, 2)]).defaults  # read from torch
A, B, C = DEFAULTS["ns_coefficients"]
STEPS = DEFAULTS["ns_steps"]
SHAPE = (32, 64)
SPREAD = (1.0, 1e-2)  # the largest and smallest singular value of the momentum matrix
LOWS = (1e-2, 1e-3)  # the ranges [low, 1] of singular values whose image is printed
SHAPES = ((256, 64), (64, 256), (128, 128), (512, 32))
MATCH_RMS = float(re.search(r"adjusted_ratio = ([\d.]+) \* math.sqrt\(max\(A, B\)\)",
                            inspect.getsource(_muon._adjust_lr))[1])  # "match_rms_adamw": this * sqrt(max(A, B))
DOCUMENTED = tuple(float(x) for x in re.search(r"Uniform\(([\d.]+), ([\d.]+)\)",
                                               inspect.getsource(_muon._zeropower_via_newtonschulz)).groups())
BFLOAT16_BITS = round(1 - math.log2(torch.finfo(torch.bfloat16).eps))  # significant bits of a bfloat16


def p(s, times=1):
    """The quintic applied `times` times to singular values s."""
    for _ in range(times):
        s = A * s + B * s**3 + C * s**5
    return s


def matrix_with_spread(shape=SHAPE, largest=SPREAD[0], smallest=SPREAD[1], seed=0):
    """A random matrix whose singular values run geometrically from largest to smallest."""
    generator = torch.Generator().manual_seed(seed)
    rows, cols = shape
    k = min(rows, cols)
    u, _ = torch.linalg.qr(torch.randn(rows, k, generator=generator))
    v, _ = torch.linalg.qr(torch.randn(cols, k, generator=generator))
    return u @ torch.diag(torch.logspace(math.log10(largest), math.log10(smallest), k)) @ v.T


def muon_update(m, adjust_lr_fn=None):
    """The update O * lr' that one step of torch.optim.Muon applies (lr = 1, no decay, no momentum)."""
    w = torch.zeros(m.shape, requires_grad=True)
    optimizer = torch.optim.Muon([w], lr=1.0, weight_decay=0.0, momentum=0.0, adjust_lr_fn=adjust_lr_fn)
    w.grad = m.clone()  # with momentum 0 the buffer and the Nesterov mix are just the gradient
    optimizer.step()
    return -w.detach()


# %% The scalar map
grid = np.logspace(-4, 0, 4001)
mapped = {low: (p(grid[grid >= low], STEPS).min(), p(grid[grid >= low], STEPS).max()) for low in LOWS}
slope = A  # p'(0)
for low, (smallest, largest) in mapped.items():
    print(f"singular values in [{low:g}, 1] after {STEPS} iterations: {smallest:.3f} to {largest:.3f}")

# %% A matrix with singular values from 1 to 0.01
m = matrix_with_spread()
before = torch.linalg.svdvals(m / m.norm())
after = torch.linalg.svdvals(muon_update(m))  # wide matrix: lr' = lr = 1
before_range, after_range = (before.min().item(), before.max().item()), (after.min().item(), after.max().item())
print(f"\n{SHAPE[0]} x {SHAPE[1]} matrix m, singular values of m / |m|_F: "
      f"{before_range[0]:.4f} to {before_range[1]:.4f}")
print(f"singular values of torch.optim.Muon's update: {after_range[0]:.3f} to {after_range[1]:.3f}")
print(f"(the comment in torch's source: roughly Uniform{DOCUMENTED})")

# %% Update RMS against the shape, per learning-rate adjustment
print("\nRMS of one Muon update / lr, random gradient:")
print(f"  {'shape':<11} {'original':>9} {'match_rms_adamw':>16}")
rms = {}
for shape in SHAPES:
    g = torch.randn(shape, generator=torch.Generator().manual_seed(1))
    rms[shape] = tuple(muon_update(g, fn).pow(2).mean().sqrt().item() for fn in ("original", "match_rms_adamw"))
    print(f"  {str(shape):<11} {rms[shape][0]:>9.4f} {rms[shape][1]:>16.4f}")
shape_names = [" × ".join(map(str, shape)) for shape in SHAPES]
rms_range = {fn: (min(values[i] for values in rms.values()), max(values[i] for values in rms.values()))
             for i, fn in enumerate(("original", "match_rms_adamw"))}

# %% Plot
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), num="newton-schulz")
for times in range(1, STEPS + 1):
    left.semilogx(grid, p(grid, times), label=f"{times} iteration{'s' if times > 1 else ''}")
left.semilogx(grid, grid, color="gray", linestyle=":", label="no iteration")
left.axhline(1, color="black", linewidth=0.8)
left.set_xlabel(r"singular value $s$ of $m\,/\,\|m\|_F$")
left.set_ylabel("singular value after the iterations")
left.set_title("the quintic p applied k times")
left.set_ylim(0, 1.8)  # room above the curves for the legend
left.grid(alpha=0.3, which="both")
left.legend(loc="upper left", ncols=3, columnspacing=1)
index = np.arange(1, len(before) + 1)
right.semilogy(index, before, "o", markersize=4, label=r"momentum $m\,/\,\|m\|_F$")
right.semilogy(index, after, "o", markersize=4, label=r"Muon's update $O$")
right.axhline(1, color="black", linewidth=0.8)
right.set_xlabel("index of the singular value")
right.set_ylabel("singular value")
right.set_title(f"a {SHAPE[0]} × {SHAPE[1]} matrix")
right.grid(alpha=0.3, which="both")
right.legend()
fig.tight_layout()
plt.show()
