"""Adam's first step, and Adam's weight_decay against AdamW's

Takes one step of several optimizers from w = 0 with gradients of every size from 1e-12 to 1e3
and prints how long the step is, in units of lr, in every coordinate: Adam's is lr whatever the
gradient's scale, until the gradient gets near eps. Then it runs Adam(weight_decay=0.01) and
AdamW(weight_decay=0.01) on a loss whose gradient is zero, so that the weight decay is all
that moves the weights, and shows how differently the two apply it.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

LR = 1e-3
SCALES = [10.0**k for k in range(-12, 4)]  # gradient sizes for the first step
COORDINATES = 1000  # coordinates per parameter: gradients scale * (0.1 ... 10), random signs
FIRST_STEP = {  # optimizers compared on the first step, all with lr = LR
    "SGD": {},
    "Adagrad": {},
    "RMSprop": {},
    "Adam": {},
    "Rprop": {},
}
WEIGHT_DECAY = 0.01
DECAY_STEPS = 2000
torch.manual_seed(0)


def gradient(scale, n=COORDINATES, seed=0):
    """A float32 gradient whose entries have sizes from 0.1 * scale to 10 * scale and random signs."""
    generator = torch.Generator().manual_seed(seed)
    sizes = 10 ** (2 * torch.rand(n, generator=generator, dtype=torch.float64) - 1)
    signs = torch.randint(0, 2, (n,), generator=generator) * 2 - 1
    return (scale * sizes * signs).float()


def first_step(name, grad, lr=LR, **kwargs):
    """The first update w1 - w0 of optimizer `name` from w0 = 0 with this gradient."""
    w = torch.nn.Parameter(torch.zeros_like(grad))
    optimizer = getattr(torch.optim, name)([w], lr=lr, **kwargs)
    w.grad = grad.clone()
    optimizer.step()
    return w.detach().clone()


# %% The first step, in units of lr, for gradients from 1e-12 to 1e3
print(f"{'scale':>7}" + "".join(f"{name:>14}" for name in FIRST_STEP))
lengths = {name: [] for name in FIRST_STEP}
for scale in SCALES:
    grad = gradient(scale)
    cells = []
    for name, kwargs in FIRST_STEP.items():
        ratio = (first_step(name, grad, **kwargs).abs() / LR).double()
        lengths[name].append((ratio.min().item(), ratio.max().item()))
        cells.append(f"{ratio.min().item():.2g}-{ratio.max().item():.2g}")
    print(f"{scale:>7.0e}" + "".join(f"{cell:>14}" for cell in cells))
print("(each cell: smallest-largest |w1 - w0| / lr over the coordinates)")
print()
print("Adam, gradient scales 1e-3 to 1e3: how far the first step falls short of lr")
for scale in SCALES[SCALES.index(1e-3):]:
    grad = gradient(scale)
    ratio = (first_step("Adam", grad).abs() / LR).double()
    smallest = grad.abs().min().item()
    print(f"{scale:>7.0e}  1 - min |w1 - w0| / lr = {1 - ratio.min().item():.1e}   eps / smallest |g| = {1e-8 / smallest:.1e}")

fig, ax = plt.subplots(figsize=(7, 4.2), num="first-step")
styles = ["-o", "-s", "--^", "-D", ":v"]
for (name, kwargs), style in zip(FIRST_STEP.items(), styles):
    low, high = np.array(lengths[name]).T
    scales = np.array(SCALES)
    ax.fill_between(scales, low, high, alpha=0.15)
    ax.loglog(scales, np.sqrt(low * high), style, markersize=4, label=name)
ax.axvline(1e-8, color="0.5", linewidth=0.8)
ax.annotate("Adam's eps = 1e-8", (1e-8, 1e-10), xytext=(4, 0), textcoords="offset points", color="0.35")
ax.set_xlabel("gradient scale (entries from 0.1x to 10x this)")
ax.set_ylabel("first step |w₁ − w₀| / lr")
ax.set_title(f"First step from w = 0, lr = {LR:g}, PyTorch defaults otherwise")
ax.grid(alpha=0.3, which="both")
ax.legend()
plt.show()


# %% Adam(weight_decay) against AdamW(weight_decay) when only the decay acts
def decay_only(name, w0=1.0, weight_decay=WEIGHT_DECAY, lr=LR, steps=DECAY_STEPS, **kwargs):
    """|w| after each step of `name` when the loss gradient is exactly zero."""
    w = torch.nn.Parameter(torch.full((1,), w0))
    optimizer = getattr(torch.optim, name)([w], lr=lr, weight_decay=weight_decay, **kwargs)
    sizes = [abs(w.item())]
    for _ in range(steps):
        w.grad = torch.zeros_like(w)  # a loss that does not depend on w
        optimizer.step()
        sizes.append(abs(w.item()))
    return sizes


adam_l2, adamw = decay_only("Adam"), decay_only("AdamW")
for name, sizes in (("Adam(weight_decay=0.01)", adam_l2), ("AdamW(weight_decay=0.01)", adamw)):
    print(f"{name:<25} |w|: 1 -> {sizes[1]:.6f} after 1 step, {sizes[1000]:.4f} after 1000, {sizes[-1]:.4f} after {DECAY_STEPS}")

plt.figure("decay-without-gradient", figsize=(7, 3.6))
plt.plot(adam_l2, label="Adam(weight_decay=0.01): L2 term through Adam")
plt.plot(adamw, label="AdamW(weight_decay=0.01): decoupled")
plt.xlabel("step")
plt.ylabel("|w|")
plt.title(f"Zero loss gradient, w₀ = 1, lr = {LR:g}")
plt.grid(alpha=0.3)
plt.legend(loc="lower left")
plt.show()
