"""RMSprop's step size under a constant gradient: plain, centered, with momentum

A parameter sees the gradient g = 1 at every step, so every difference between the curves comes
from the update rule. Plain RMSprop has no bias correction, so its first steps are larger than
lr. Centered RMSprop divides by an estimate of the gradient's variance, which a gradient that
never changes drives towards zero. Momentum adds up normalised steps.
"""

# %%
import matplotlib.pyplot as plt
import torch

LR = 1e-3
GRADIENT = 1.0
STEPS = 2000
VARIANTS = {  # label -> options of torch.optim.RMSprop (one parameter group each)
    "plain": {},
    "centered=True": {"centered": True},
    "momentum=0.9": {"momentum": 0.9},
}
SHOWN = (1, 2, 10, 100, 500, 1000, 2000)


def steps_taken(variants=VARIANTS, steps=STEPS, gradient=GRADIENT, lr=LR):
    """{label: [|theta_t - theta_{t-1}| / lr for t = 1..steps]} under a constant gradient, one
    parameter group (holding one scalar parameter) per variant, all in one torch.optim.RMSprop."""
    thetas = [torch.zeros(1, dtype=torch.float64, requires_grad=True) for _ in variants]
    optimizer = torch.optim.RMSprop(
        [{"params": [theta], **options} for theta, options in zip(thetas, variants.values())], lr=lr
    )
    sizes = {label: [] for label in variants}
    for _ in range(steps):
        before = [theta.item() for theta in thetas]
        for theta in thetas:
            theta.grad = torch.full_like(theta, gradient)
        optimizer.step()
        for label, theta, old in zip(variants, thetas, before):
            sizes[label].append(abs(theta.item() - old) / lr)
    return sizes


# %% Step sizes in units of lr
runs = steps_taken()
print(f"{'step / lr at step':<18}" + "".join(f"{t:>11}" for t in SHOWN))
for label, sizes in runs.items():
    print(f"{label:<18}" + "".join(f"{sizes[t - 1]:>11.4g}" for t in SHOWN))

plt.figure("steps", figsize=(7, 3.8))
for label, sizes in runs.items():
    plt.semilogy(range(1, STEPS + 1), sizes, label=f"RMSprop, {label}")
plt.axhline(1.0, color="0.5", linestyle=":", label="one lr")
plt.xlabel("step t")
plt.ylabel(r"step size $|\theta_t - \theta_{t-1}|\,/\,\mathrm{lr}$")
plt.title(f"Constant gradient g = {GRADIENT:g}, default alpha = 0.99")
plt.grid(alpha=0.3, which="both")
plt.legend()
plt.show()
