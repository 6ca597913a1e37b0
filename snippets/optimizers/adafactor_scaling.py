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
SHOWN_SCALES = (0.0, 1e-4, 1e-2, 1.0, 100.0)  # the RMS values printed
LENGTH = 100  # elements of those vectors
DEFAULTS = torch.optim.Adafactor([torch.zeros(1)]).defaults  # read from torch: lr, eps = (eps1, eps2)
LR = DEFAULTS["lr"]  # Adafactor's default, given to Adam too
EPS2 = DEFAULTS["eps"][1]


def state_bytes(cls, shape):
    """Bytes of tensors in optimizer.state for one float32 parameter after one step."""
    p = torch.zeros(shape, requires_grad=True)
    optimizer = cls([p])
    p.grad = torch.ones_like(p)
    optimizer.step()
    return sum(v.numel() * v.element_size() for v in optimizer.state[p].values() if torch.is_tensor(v))


def first_step(cls, scale, n=LENGTH, seed=0, **hyperparameters):
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
print(f"\nRMS of the first step of a {LENGTH}-element vector (defaults, lr = {LR:g} for both):")
steps_rms = {scale: {"adafactor": first_step(torch.optim.Adafactor, scale),
                     "adam": first_step(torch.optim.Adam, scale, lr=LR)} for scale in SHOWN_SCALES}
for scale, moved in steps_rms.items():
    print(f"  parameter RMS {scale:>6g}:  Adafactor {moved['adafactor']:.3g}, Adam {moved['adam']:.3g}")
steps_to_eps2 = EPS2 / steps_rms[0.0]["adafactor"]  # steps of that size until a zero parameter's RMS is eps2
print(f"a parameter at zero needs {steps_to_eps2:.0f} such steps of one sign to reach RMS eps2 = {EPS2:g}")

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
right.loglog(SCALES, [first_step(torch.optim.Adam, s, lr=LR) for s in SCALES], "-o", markersize=3,
             color="C0", label=f"Adam (lr = {LR:g})")
right.loglog(SCALES, [first_step(torch.optim.Adafactor, s) for s in SCALES], "-o", markersize=3,
             color="C1", label=f"Adafactor (lr = {LR:g})")
right.axvline(EPS2, color="gray", linestyle="--", linewidth=1)
right.text(EPS2 * 1.3, 0.2, f"eps2 = {EPS2:g}", color="gray")
right.set_xlabel("RMS of the parameter")
right.set_ylabel("RMS of the first step")
right.set_title("first step against the parameter's size")
right.grid(alpha=0.3, which="both")
right.legend(loc="lower right")
fig.tight_layout()
plt.show()
