"""NAdam's momentum schedule: how slowly mu_t warms up

NAdam replaces Adam's constant beta1 by a schedule mu_t = beta1 (1 - 0.5 * 0.96^(t psi)),
psi = momentum_decay. The snippet reads mu_t back from torch.optim.NAdam's state (the ratio of
successive mu_product values), checks it against the formula, and plots the schedule for the
default psi = 0.004 and two larger values.
"""

# %%
import inspect
import math
import re

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.optim import nadam

DEFAULTS = torch.optim.NAdam([torch.zeros(1)]).defaults  # read from torch
BETA1 = DEFAULTS["betas"][0]
PSI = DEFAULTS["momentum_decay"]
BASE = float(re.search(r"mu = beta1 \* \(1\.0 - 0\.5 \* \(([\d.]+) \*\* \(step \* momentum_decay\)\)\)",
                       inspect.getsource(nadam._single_tensor_nadam))[1])  # the 0.96 of torch's schedule
MOMENTUM_DECAYS = (PSI, 10 * PSI, 100 * PSI)  # the first is torch's default
LEVEL = 0.8  # a momentum coefficient to reach
SHOWN = (1, 10, 100, 1000, 10_000, 100_000)
MEASURED_STEPS = 100  # steps of torch.optim.NAdam whose mu_t we read back (the float32 product underflows after ~130)


def mu(t, beta1=BETA1, momentum_decay=PSI):
    """The momentum coefficient NAdam uses at step t (t = 1, 2, ...)."""
    return beta1 * (1 - 0.5 * BASE ** (t * momentum_decay))


def first_step_above(level, beta1=BETA1, momentum_decay=PSI):
    """The first step t at which mu_t exceeds level (level < beta1)."""
    exponent = math.log(2 * (1 - level / beta1)) / math.log(BASE)  # BASE^(t psi) < 2 (1 - level / beta1)
    return math.floor(exponent / momentum_decay) + 1


def measured_mu(steps=MEASURED_STEPS, momentum_decay=PSI):
    """mu_1 ... mu_steps as torch.optim.NAdam applies them: ratios of its stored mu_product."""
    torch.manual_seed(0)
    w = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.NAdam([w], momentum_decay=momentum_decay)
    products = [1.0]
    for _ in range(steps):
        w.grad = torch.randn(1)
        optimizer.step()
        products.append(optimizer.state[w]["mu_product"].item())
    return [after / before for before, after in zip(products, products[1:])]


# %% The schedule, read back from torch.optim.NAdam
seen = measured_mu()
gap = max(abs(s - mu(t)) for t, s in enumerate(seen, start=1))
formula = {t: mu(t) for t in SHOWN}
reaching = {psi: first_step_above(LEVEL, momentum_decay=psi) for psi in MOMENTUM_DECAYS}
print(f"mu_t read from torch.optim.NAdam's state (momentum_decay = {PSI}):")
print(f"  mu_1 = {seen[0]:.4f}, mu_{MEASURED_STEPS} = {seen[-1]:.4f}")
print(f"  largest gap to the formula over {MEASURED_STEPS} steps: {gap:.1e}")
print(f"the formula mu_t = beta1 (1 - 0.5 * {BASE}^(t psi)):")
print("  " + ", ".join(f"mu_{t:,} = {value:.4f}" for t, value in formula.items() if t <= 1000))
print("  " + ", ".join(f"mu_{t:,} = {value:.4f}" for t, value in formula.items() if t > 1000))
for psi, t in reaching.items():
    print(f"momentum_decay = {psi:<5g}: mu_t first exceeds {LEVEL} at step {t:,}")

# %% Plot
steps = np.unique(np.logspace(0, 5, 400).astype(int))
plt.figure("momentum-schedule", figsize=(6, 3.6))
for psi in MOMENTUM_DECAYS:
    label = f"ψ = {psi:g}" + (" (default)" if psi == PSI else "")
    plt.semilogx(steps, mu(steps, momentum_decay=psi), label=label)
shown = np.unique(np.logspace(0, math.log10(MEASURED_STEPS), 12).astype(int))
plt.scatter(shown, [seen[t - 1] for t in shown], s=14, color="black", zorder=3,
            label="read from torch.optim.NAdam")
plt.axhline(BETA1, color="gray", linestyle="--", linewidth=1)
plt.text(1.1, BETA1 + 0.012, f"β₁ = {BETA1}", color="gray")
plt.xlabel("step t")
plt.ylabel("momentum coefficient μₜ")
plt.title("NAdam's μₜ for momentum_decay ψ")
plt.ylim(0.4, 1.1)  # room above the curves for the legend
plt.grid(alpha=0.3, which="both")
plt.legend(loc="upper left", ncols=2)
plt.show()
