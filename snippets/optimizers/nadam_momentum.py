"""NAdam's momentum schedule: how slowly mu_t warms up

NAdam replaces Adam's constant beta1 by a schedule mu_t = beta1 (1 - 0.5 * 0.96^(t psi)),
psi = momentum_decay. The snippet reads mu_t back from torch.optim.NAdam's state (the ratio of
successive mu_product values), checks it against the formula, and plots the schedule for the
default psi = 0.004 and two larger values.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

BETA1 = 0.9
MOMENTUM_DECAYS = (0.004, 0.04, 0.4)  # the first is torch's default
MEASURED_STEPS = 100  # steps of torch.optim.NAdam whose mu_t we read back (the float32 product underflows after ~130)


def mu(t, beta1=BETA1, momentum_decay=0.004):
    """The momentum coefficient NAdam uses at step t (t = 1, 2, ...)."""
    return beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))


def first_step_above(level, beta1=BETA1, momentum_decay=0.004):
    """The first step t at which mu_t exceeds level (level < beta1)."""
    exponent = math.log(2 * (1 - level / beta1)) / math.log(0.96)  # 0.96^(t psi) < 2 (1 - level / beta1)
    return math.floor(exponent / momentum_decay) + 1


def measured_mu(steps=MEASURED_STEPS, momentum_decay=0.004):
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
print("mu_t read from torch.optim.NAdam's state (momentum_decay = 0.004):")
print(f"  mu_1 = {seen[0]:.4f}, mu_{MEASURED_STEPS} = {seen[-1]:.4f}")
print(f"  largest gap to the formula over {MEASURED_STEPS} steps: "
      f"{max(abs(s - mu(t)) for t, s in enumerate(seen, start=1)):.1e}")
print("the formula:")
for t in (1, 10, 100, 1000, 10000, 100000):
    print(f"  mu_{t:<6} = {mu(t):.4f}")
for psi in MOMENTUM_DECAYS:
    print(f"momentum_decay = {psi:<5}: mu_t first exceeds 0.8 at step "
          f"{first_step_above(0.8, momentum_decay=psi)}")

# %% Plot
steps = np.unique(np.logspace(0, 5, 400).astype(int))
plt.figure("momentum-schedule", figsize=(6, 3.6))
for psi in MOMENTUM_DECAYS:
    label = f"momentum_decay = {psi}" + (" (default)" if psi == 0.004 else "")
    plt.semilogx(steps, mu(steps, momentum_decay=psi), label=label)
shown = np.unique(np.logspace(0, math.log10(MEASURED_STEPS), 12).astype(int))
plt.scatter(shown, [seen[t - 1] for t in shown], s=14, color="black", zorder=3,
            label="read from torch.optim.NAdam")
plt.axhline(BETA1, color="gray", linestyle="--", linewidth=1)
plt.text(1.1, BETA1 + 0.012, "β₁ = 0.9", color="gray")
plt.xlabel("step t")
plt.ylabel("momentum coefficient μₜ")
plt.ylim(0.4, 0.97)
plt.grid(alpha=0.3, which="both")
plt.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))
plt.show()
