"""Adafactor: state that grows with n + m, steps that grow with the parameter

Left: the bytes of optimizer state that torch.optim.Adafactor and torch.optim.Adam keep for an
n x n float32 matrix, measured from optimizer.state. Right: how far the first step moves a
parameter vector whose entries have a given size (RMS): Adam moves it by lr, Adafactor by
lr times the parameter's RMS, but never by less than 0.001 lr.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

SIZES = (16, 64, 256, 1024)  # n for the n x n matrices
SCALES = np.logspace(-6, 2, 17)  # RMS of the parameter vectors in the right panel


def state_bytes(cls, shape):
    """Bytes of tensors in optimizer.state for one float32 parameter after one step."""
    p = torch.zeros(shape, requires_grad=True)
    optimizer = cls([p])
    p.grad = torch.ones_like(p)
    optimizer.step()
    return sum(v.numel() * v.element_size() for v in optimizer.state[p].values() if torch.is_tensor(v))


def first_step(cls, scale, n=100, seed=0, **hyperparameters):
    """RMS of the first update of a float64 vector whose entries have RMS `scale`."""
    generator = torch.Generator().manual_seed(seed)
    p = torch.randn(n, dtype=torch.float64, generator=generator)
    p = (p * scale / p.pow(2).mean().sqrt()).requires_grad_(True)
    before = p.detach().clone()
    optimizer = cls([p], **hyperparameters)
    p.grad = torch.randn(n, dtype=torch.float64, generator=generator)
    optimizer.step()
    return (p.detach() - before).pow(2).mean().sqrt().item()


# %% Memory
print("state bytes for an n x n float32 matrix (defaults):")
print(f"  {'n':>5} {'Adam':>10} {'Adafactor':>10} {'ratio':>7}")
memory = {}
for n in SIZES:
    adam, factored = state_bytes(torch.optim.Adam, (n, n)), state_bytes(torch.optim.Adafactor, (n, n))
    memory[n] = (adam, factored)
    print(f"  {n:>5} {adam:>10} {factored:>10} {adam / factored:>7.1f}")

# %% Step size against the parameter's size
print("\nRMS of the first step of a 100-element vector (defaults, lr = 0.01 for both):")
for scale in (0.0, 1e-4, 1e-2, 1.0, 100.0):
    print(f"  parameter RMS {scale:>6g}:  Adafactor {first_step(torch.optim.Adafactor, scale):.3g}, "
          f"Adam {first_step(torch.optim.Adam, scale, lr=0.01):.3g}")

# %% Plot
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), num="scaling")
ns = np.array(SIZES)
left.loglog(ns, [memory[n][0] / n**2 for n in SIZES], "-o", color="C0", label="Adam")
left.loglog(ns, [memory[n][1] / n**2 for n in SIZES], "-o", color="C1", label="Adafactor")
left.set_xlabel("n (matrix is n × n, float32)")
left.set_ylabel("state bytes per parameter element")
left.set_title("optimizer state, measured")
left.grid(alpha=0.3, which="both")
left.legend()
right.loglog(SCALES, [first_step(torch.optim.Adam, s, lr=0.01) for s in SCALES], "-o", markersize=3,
             color="C0", label="Adam (lr = 0.01)")
right.loglog(SCALES, [first_step(torch.optim.Adafactor, s) for s in SCALES], "-o", markersize=3,
             color="C1", label="Adafactor (lr = 0.01)")
right.axvline(1e-3, color="gray", linestyle="--", linewidth=1)
right.text(1.3e-3, 0.2, "eps2 = 1e-3", color="gray", fontsize=9)
right.set_xlabel("RMS of the parameter")
right.set_ylabel("RMS of the first step")
right.set_title("first step against the parameter's size")
right.grid(alpha=0.3, which="both")
right.legend(loc="lower right")
fig.tight_layout()
plt.show()
