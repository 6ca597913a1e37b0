"""RAdam's first steps and its rectifier

Minimizes f(x) = c x, whose gradient is the constant c, with torch.optim.RAdam and
torch.optim.Adam, and records how far each step moves x. For steps 1-5 RAdam takes plain
momentum steps, lr times the gradient's running average, so their size scales with c; from
step 6 it takes Adam's normalized step times the rectifier r_t, which the right panel plots.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

LR = 1e-3
GRADIENT_SCALES = (0.01, 1.0, 100.0)
STEPS = 12
BETA2S = (0.999, 0.99)  # the first is torch's default
SHOWN_R = (100, 1000, 10_000)  # steps at which the rectifier is printed
LEVEL = 0.9  # a rectifier to reach


def step_sizes(cls, scale, steps=STEPS, lr=LR, **hyperparameters):
    """|x_t - x_{t-1}| for t = 1 ... steps, minimizing f(x) = scale * x from x = 0."""
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = cls([x], lr=lr, **hyperparameters)
    sizes = []
    for _ in range(steps):
        optimizer.zero_grad()
        (scale * x).sum().backward()
        before = x.item()
        optimizer.step()
        sizes.append(abs(x.item() - before))
    return sizes


def rho(t, beta2):
    rho_inf = 2 / (1 - beta2) - 1
    return rho_inf - 2 * t * beta2**t / (1 - beta2**t)


def rectifier(t, beta2):
    rho_inf, rho_t = 2 / (1 - beta2) - 1, rho(t, beta2)
    return math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))


def first_rectified_step(beta2):
    return next(t for t in range(1, 1000) if rho(t, beta2) > 5)


def first_step_with_rectifier_above(level, beta2):
    t = first_rectified_step(beta2)
    while rectifier(t, beta2) < level:
        t += 1
    return t


# %% Step sizes
sizes = {cls.__name__: {scale: step_sizes(cls, scale) for scale in GRADIENT_SCALES}
         for cls in (torch.optim.RAdam, torch.optim.Adam)}
print(f"|step| of RAdam and Adam (lr = {LR}) on f(x) = c x:")
print(f"  {'step':<15}" + "".join(f"{t:>8}" for t in range(1, 8)))
for scale in GRADIENT_SCALES:
    for name, by_scale in sizes.items():
        print(f"  {name + f', c = {scale:g}':<15}" + "".join(f"{s:>8.2g}" for s in by_scale[scale][:7]))

# %% The rectifier
first_rectified = {beta2: first_rectified_step(beta2) for beta2 in BETA2S}
rho_around = {beta2: (rho(t - 1, beta2), rho(t, beta2)) for beta2, t in first_rectified.items()}
r_first = {beta2: rectifier(t, beta2) for beta2, t in first_rectified.items()}
r_at = {beta2: [rectifier(t, beta2) for t in SHOWN_R] for beta2 in BETA2S}
reaches = {beta2: first_step_with_rectifier_above(LEVEL, beta2) for beta2 in BETA2S}
rectified_step = LR * r_first[BETA2S[0]]  # the first rectified step, whatever the gradient
last_unrectified = first_rectified[BETA2S[0]] - 1  # the momentum steps before it
ratio = (1 - BETA2S[1]) / (1 - BETA2S[0])  # how much larger 1 - beta2 is in the second
for beta2 in BETA2S:
    t = first_rectified[beta2]
    print(f"beta2 = {beta2}: rho_{t - 1} = {rho_around[beta2][0]:.3f}, rho_{t} = {rho_around[beta2][1]:.3f}, "
          f"first rectified step {t}")
    print(f"  r_{t} = {r_first[beta2]:.4f}, " + ", ".join(f"r_{s:,} = {r:.4f}" for s, r in zip(SHOWN_R, r_at[beta2])))
    print(f"  r_t >= {LEVEL} from t = {reaches[beta2]:,}")

# %% Plot
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), num="warmup")
steps = range(1, STEPS + 1)
for index, scale in enumerate(GRADIENT_SCALES):
    left.semilogy(steps, sizes["RAdam"][scale], "-o", markersize=4,
                  color=f"C{index}", label=f"RAdam, gradient {scale:g}")
left.semilogy(steps, sizes["Adam"][1.0], "--", color="black",
              label="Adam, any gradient")
left.axvspan(0.5, 5.5, color="gray", alpha=0.15)
left.text(0.8, 1.5e-4, "ρₜ ≤ 5:\nmomentum steps", va="center")
left.set_ylim(5e-6, 5)
left.set_xlabel("step t")
left.set_ylabel("|xₜ − xₜ₋₁|")
left.set_title(f"step sizes, lr = {LR}")
left.grid(alpha=0.3, which="both")
left.legend(loc="upper right")

ts = np.unique(np.logspace(np.log10(6), 4.5, 300).astype(int))
for beta2 in BETA2S:
    right.semilogx(ts, [rectifier(int(t), beta2) for t in ts], label=f"β₂ = {beta2}")
right.axhline(1, color="gray", linestyle="--", linewidth=1)
right.set_xlabel("step t")
right.set_ylabel("rectifier rₜ")
right.set_title("rectifier from step 6 on")
right.grid(alpha=0.3, which="both")
right.legend()
plt.show()
