"""Exponentially weighted averages: the weights, their sum, and the bias of starting at zero

The average v_t = beta * v_(t-1) + (1 - beta) * theta_t gives the value i steps back the
weight (1 - beta) * beta^i. The snippet plots those weights for beta = 0.9 and for four betas,
prints how much weight the most recent N values hold (1 - beta^N), how many values it takes to
hold 90 % and 99 % of it, and shows the bias an average started at v_0 = 0 has on a constant
(and on a noisy) signal, with and without the bias correction that Adam uses.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

BETA = 0.9
BETAS = (0.98, 0.95, 0.9, 0.8)
N = 100  # how many of the most recent values the plots and sums cover
SHARES = (0.9, 0.99)
BIAS_BETA = 0.98  # the average whose start-up bias the last figure shows
BIAS_STEPS = 200
NOISE = 0.3  # the plotted signal: 1 plus Gaussian noise of this size (seeded)


def weights(beta, n=N):
    """The weight (1 - beta) * beta^i of the value i steps back, for i = 0 ... n - 1."""
    return (1 - beta) * beta ** np.arange(n)


def held(beta, n):
    """How much of the total weight the n most recent values hold: sum of weights = 1 - beta^n."""
    return float(np.sum(weights(beta, n)))


def terms_for(beta, share):
    """The smallest n whose n most recent values hold at least `share` of the weight."""
    return math.ceil(math.log(1 - share) / math.log(beta) - 1e-12)


def mean_age(beta, n=10_000):
    """The weighted mean of i, how many steps back the averaged values are: beta / (1 - beta)."""
    w = weights(beta, n)
    return float(np.sum(np.arange(n) * w) / np.sum(w))


def ema(values, beta, correct=False):
    """v_t = beta v_(t-1) + (1 - beta) theta_t from v_0 = 0; divided by 1 - beta^t if `correct`."""
    v, averages = 0.0, []
    for t, theta in enumerate(values, start=1):
        v = beta * v + (1 - beta) * theta
        averages.append(v / (1 - beta**t) if correct else v)
    return averages


# %% The weights for beta = 0.9
plt.figure("weights", figsize=(6, 3.2))
plt.plot(weights(BETA), "-o", markersize=3, color="C3", label=f"β = {BETA}: (1 − β)·β^i")
plt.xlabel("i (steps back from the newest value)")
plt.ylabel("weight")
plt.grid(alpha=0.3)
plt.legend()
plt.show()

# %% Four betas: the larger beta, the flatter and longer the tail
plt.figure("four-betas", figsize=(6, 3.2))
for beta in BETAS:
    plt.plot(weights(beta), label=f"β = {beta}")
plt.xlabel("i (steps back from the newest value)")
plt.ylabel("weight")
plt.grid(alpha=0.3)
plt.legend()
plt.show()

print(f"weight held by the {N} most recent values, sum = 1 - beta^{N}:")
for beta in BETAS:
    print(f"  beta = {beta}: {held(beta, N):.6f}  (1 - beta^{N} = {1 - beta**N:.6f}; missing {beta**N:.1e})")

# %% What "beta = 0.9 remembers about 10 steps" means
print(f"beta = {BETA}: the 10 most recent values hold {held(BETA, 10):.1%} of the weight")
print(f"beta = {BETA}: the value 10 steps back weighs {BETA**10:.3f} of the newest one")
print(f"beta = {BETA}: the average age of what it holds is {mean_age(BETA):.2f} steps")
for share in SHARES:
    print(f"beta = {BETA}: {terms_for(BETA, share)} values hold {share:.0%} of it")

# %% Starting at v_0 = 0: the bias and its correction
constant = [1.0] * BIAS_STEPS
raw = ema(constant, BIAS_BETA)
corrected = ema(constant, BIAS_BETA, correct=True)
for t in (1, 10, 100):
    print(f"beta = {BIAS_BETA}, constant signal 1: v_{t} = {raw[t - 1]:.3f}, corrected {corrected[t - 1]:.3f}")

noisy = 1 + NOISE * np.random.default_rng(0).standard_normal(BIAS_STEPS)
plt.figure("bias", figsize=(6, 3.2))
steps = np.arange(1, BIAS_STEPS + 1)
plt.plot(steps, noisy, ".", markersize=3, color="0.6", label="the signal: 1 + noise")
plt.plot(steps, ema(noisy, BIAS_BETA), label=f"average from v₀ = 0, β = {BIAS_BETA}")
plt.plot(steps, ema(noisy, BIAS_BETA, correct=True), label="divided by 1 − β^t")
plt.xlabel("t")
plt.ylabel("value")
plt.ylim(0, 2)
plt.legend(loc="lower right")
plt.grid(alpha=0.3)
plt.show()
