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
VARIANTS = {  # name -> options of torch.optim.RMSprop (one parameter group each)
    "plain": {},
    "centered": {"centered": True},
    "momentum": {"momentum": 0.9},
}
SHOWN = (1, 10, 100, 500, 1000, STEPS)
WITHIN = 0.01  # "close to lr": within this, relative
ALPHA = torch.optim.RMSprop([torch.zeros(1)]).defaults["alpha"]  # read from torch


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
print(f"{'step / lr at step':<18}" + "".join(f"{t:>10}" for t in SHOWN))
for label, sizes in runs.items():
    print(f"{label:<18}" + "".join(f"{sizes[t - 1]:>10.4g}" for t in SHOWN))
at = {label: {t: sizes[t - 1] for t in SHOWN} for label, sizes in runs.items()}
close_from = next(t for t in range(1, STEPS + 1) if all(abs(s - 1) <= WITHIN for s in runs["plain"][t - 1:]))
lowest = {label: min(range(STEPS), key=sizes.__getitem__) + 1 for label, sizes in runs.items()}
peak = {label: max(range(STEPS), key=sizes.__getitem__) + 1 for label, sizes in runs.items()}
smallest = {label: sizes[lowest[label] - 1] for label, sizes in runs.items()}
largest = {label: sizes[peak[label] - 1] for label, sizes in runs.items()}
print(f"plain: within {WITHIN:.0%} of lr from step {close_from} on")
print(f"centered: smallest {runs['centered'][lowest['centered'] - 1]:.4g} lr at step "
      f"{lowest['centered']}; momentum: largest {runs['momentum'][peak['momentum'] - 1]:.3g} lr "
      f"at step {peak['momentum']}")

plt.figure("steps", figsize=(6.5, 4.4))
for label, sizes in runs.items():
    options = ", ".join(f"{k}={v}" for k, v in VARIANTS[label].items()) or "defaults"
    plt.semilogy(range(1, STEPS + 1), sizes, label=options)
plt.axhline(1.0, color="0.5", linestyle=":", label="one lr")
plt.xlabel("step t")
plt.ylabel(r"step size $|\theta_t - \theta_{t-1}|\,/\,\mathrm{lr}$")
plt.title(f"RMSprop, constant gradient g = {GRADIENT:g}, alpha = {ALPHA}")
plt.grid(alpha=0.3, which="both")
plt.ylim(0.5, 1e6)  # room above the curves for the legend
plt.legend(loc="upper left", ncols=2)
plt.show()
