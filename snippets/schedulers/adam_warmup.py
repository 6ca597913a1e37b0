"""Why Adam's first steps want a warmup

Adam divides each coordinate's averaged gradient by the root of its averaged squared gradient.
On the first step both averages hold one gradient, so the ratio is ±1 whatever the gradient's
size: every coordinate moves by the full learning rate. The snippet shows that on gradients
spanning six orders of magnitude, then runs Adam on gradients that are pure noise, where every
step is wasted motion, and measures the average step with and without a 20-step linear warmup.
"""

# %%
import inspect
import math

import matplotlib.pyplot as plt
import torch
from torch.optim import lr_scheduler

SEED = 0
LR = 1e-3
FIRST_GRADIENTS = [1e-4, -1e-3, 1e-2, -1e-1, 1.0, -10.0, 100.0]
COORDINATES = 10_000
STEPS = 200
WARMUP_STEPS = 20
FIRST_STEP_TOLERANCE = 1e-4  # relative: the first step is lr to within this
STEADY_FROM = 50  # the steps from here on count as steady
STEADY_TOLERANCE = 0.005  # the steady steps' mean is the prediction to within this
adam_defaults = {name: p.default for name, p in inspect.signature(torch.optim.Adam).parameters.items()}
adam_eps = adam_defaults["eps"]  # read from the installed torch
adam_beta1 = adam_defaults["betas"][0]


# %% Step 1: every coordinate moves by lr
def first_step(gradients=FIRST_GRADIENTS, lr=LR):
    """How far one Adam step (default betas and eps) moves each coordinate, given its gradient."""
    parameter = torch.nn.Parameter(torch.zeros(len(gradients), dtype=torch.float64))
    optimizer = torch.optim.Adam([parameter], lr=lr)
    parameter.grad = torch.tensor(gradients, dtype=torch.float64)
    optimizer.step()
    return parameter.detach().tolist()


smallest_gradient = min(map(abs, FIRST_GRADIENTS))
largest_gradient = max(map(abs, FIRST_GRADIENTS))
print(f"{'gradient':>10} {'Adam step 1':>14} {'step / lr':>10}")
for gradient, moved in zip(FIRST_GRADIENTS, first_step()):
    print(f"{gradient:>10g} {moved:>14.6g} {moved / LR:>10.5f}")


# %% Pure-noise gradients: how large are Adam's steps, with and without warmup?
def noise_steps(warmup_steps=0, steps=STEPS, lr=LR, coordinates=COORDINATES, seed=SEED):
    """Mean |step| / lr per step for Adam fed standard normal gradients (warmup: LinearLR from 1/warmup)."""
    generator = torch.Generator().manual_seed(seed)
    parameter = torch.nn.Parameter(torch.zeros(coordinates, dtype=torch.float64))
    optimizer = torch.optim.Adam([parameter], lr=lr)
    scheduler = None
    if warmup_steps:
        scheduler = lr_scheduler.LinearLR(optimizer, start_factor=1 / warmup_steps, total_iters=warmup_steps)
    sizes = []
    for _ in range(steps):
        before = parameter.detach().clone()
        parameter.grad = torch.randn(coordinates, generator=generator, dtype=torch.float64)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        sizes.append((parameter.detach() - before).abs().mean().item() / lr)
    return sizes


plain = noise_steps()
warmed = noise_steps(WARMUP_STEPS)
one_minus_beta1, one_plus_beta1 = 1 - adam_beta1, 1 + adam_beta1
predicted = math.sqrt(one_minus_beta1 / one_plus_beta1) * math.sqrt(2 / math.pi)  # the steady mean |step| / lr
steady = plain[STEADY_FROM - 1:]  # from step STEADY_FROM on (step k is plain[k - 1])
steady_min, steady_max, steady_mean = min(steady), max(steady), sum(steady) / len(steady)
first_over_steady = plain[0] / steady_mean
at_warmup_end = {"plain": plain[WARMUP_STEPS - 1], "warmed": warmed[WARMUP_STEPS - 1]}  # at step WARMUP_STEPS
warmed_max = max(warmed)
print("mean |step| / lr, pure noise, step      1      2     10     50    200")
print("  Adam                            " + "".join(f"{plain[k - 1]:>7.3f}" for k in (1, 2, 10, 50, 200)))
print(f"  Adam + {WARMUP_STEPS}-step linear warmup    " + "".join(f"{warmed[k - 1]:>7.3f}" for k in (1, 2, 10, 50, 200)))
print(f"from step {STEADY_FROM} on: between {steady_min:.3f} and {steady_max:.3f}, mean {steady_mean:.4f}")
print(f"  predicted sqrt((1 - b1) / (1 + b1)) sqrt(2 / pi) = {predicted:.4f}")

plt.figure("warmup", figsize=(7, 3.4))
steps = range(1, STEPS + 1)
plt.plot(steps, plain, label="Adam, constant lr")
plt.plot(steps, warmed, label=f"Adam, linear warmup over {WARMUP_STEPS} steps")
plt.xscale("log")
plt.xlabel("step (log scale)")
plt.ylabel("mean |step| / lr")
plt.grid(alpha=0.3, which="both")
plt.legend()
plt.show()
