"""Exponentially weighted averages: the weights, their sum, and the bias of starting at zero

The average v_t = beta * v_(t-1) + (1 - beta) * theta_t gives the value i steps back the
weight (1 - beta) * beta^i. The snippet plots those weights for beta = 0.9 and for four betas,
prints how much weight the most recent N values hold (1 - beta^N), how many values it takes to
hold 90 % and 99 % of it, and shows the bias an average started at v_0 = 0 has on a constant
(and on a noisy) signal, with and without the bias correction that Adam uses. Last, it takes
one step of torch.optim.Adam to see that correction at work.
"""

# %%
import inspect
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

BETA = 0.9
BETAS = (0.98, 0.95, 0.9, 0.8)
N = 100  # how many of the most recent values the plots and sums cover
FAR_BACK = 40  # a value this many steps back, for the first plot
SHARES = (0.9, 0.99)
BIAS_BETA = 0.98  # the average whose start-up bias the last figure shows
BIAS_STEPS = 200
LEVEL = 1.0  # the constant signal, and the level of the noisy one
NOISE = 0.3  # the plotted signal: LEVEL plus Gaussian noise of this size (seeded)
SHOWN_STEPS = (1, 10, 100)
ROUNDING = 1e-14  # "to rounding error": the corrected average of a constant is this close to it
ADAM_LR = 0.01
ADAM_GRADIENT = (1.0, -2.0, 5.0)  # one gradient, in three coordinates
ADAM_SCALES = (1e-3, 1.0, 250.0)  # ... times each of these


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
newest_weight = float(weights(BETA)[0])
far_back_weight = float(weights(BETA)[FAR_BACK])
plt.figure("weights", figsize=(5, 3.2))
plt.plot(weights(BETA), "-o", markersize=3, color="C3", label=f"β = {BETA}: (1 − β)·β^i")
plt.xlabel("i (steps back from the newest)")
plt.ylabel("weight")
plt.grid(alpha=0.3)
plt.legend()
plt.show()

# %% Four betas: the larger beta, the flatter and longer the tail
newest_weights = [float(weights(beta)[0]) for beta in BETAS]
last_weights = [float(weights(beta)[-1]) for beta in BETAS]
plt.figure("four-betas", figsize=(5, 3.2))
for beta in BETAS:
    plt.plot(weights(beta), label=f"β = {beta}")
plt.xlabel("i (steps back from the newest)")
plt.ylabel("weight")
plt.grid(alpha=0.3)
plt.legend()
plt.show()

held_by_n = [held(beta, N) for beta in BETAS]
missing = [beta**N for beta in BETAS]  # the weight left on older values (or on v_0)
print(f"weight held by the {N} most recent values, sum = 1 - beta^{N}:")
for beta, share, rest in zip(BETAS, held_by_n, missing):
    print(f"  beta = {beta}: {share:.6f}  (1 - beta^{N} = {1 - rest:.6f}; missing {rest:.1e})")

# %% What "beta = 0.9 remembers about 10 steps" means
memory = 1 / (1 - BETA)  # the rule of thumb
recent = round(memory)
held_recent = held(BETA, recent)
older_share = 1 - held_recent
weight_back = float(weights(BETA, recent + 1)[recent] / weights(BETA)[0])  # of the newest one's
inverse_e = math.exp(-1)
average_age = mean_age(BETA)
terms = [terms_for(BETA, share) for share in SHARES]
print(f"beta = {BETA}: 1 / (1 - beta) = {memory:.3g}")
print(f"beta = {BETA}: the {recent} most recent values hold {held_recent:.1%} of the weight")
print(f"beta = {BETA}: the value {recent} steps back weighs {weight_back:.3f} of the newest one")
print(f"beta = {BETA}: the average age of what it holds is {average_age:.2f} steps")
for share, count in zip(SHARES, terms):
    print(f"beta = {BETA}: {count} values hold {share:.0%} of it")

# %% Starting at v_0 = 0: the bias and its correction
constant = [LEVEL] * BIAS_STEPS
raw = ema(constant, BIAS_BETA)
corrected = ema(constant, BIAS_BETA, correct=True)
raw_at = [raw[t - 1] for t in SHOWN_STEPS]
corrected_gap = max(abs(value - LEVEL) for value in corrected)
for t, value in zip(SHOWN_STEPS, raw_at):
    print(f"beta = {BIAS_BETA}, constant signal {LEVEL:g}: v_{t} = {value:.3f}, corrected {corrected[t - 1]:.3f}")
print(f"corrected average: at most {corrected_gap:.1e} from {LEVEL:g} over {BIAS_STEPS} steps")

noisy = LEVEL + NOISE * np.random.default_rng(0).standard_normal(BIAS_STEPS)
noisy_raw = ema(noisy, BIAS_BETA)
noisy_corrected = ema(noisy, BIAS_BETA, correct=True)
noisy_raw_at = noisy_raw[SHOWN_STEPS[-1] - 1]
noisy_corrected_gap = max(abs(value - LEVEL) for value in noisy_corrected)
print(f"noisy signal: average from 0 at step {SHOWN_STEPS[-1]}: {noisy_raw_at:.2f};")
print(f"  corrected: within {noisy_corrected_gap:.2f} of {LEVEL:g} at every step")
plt.figure("bias", figsize=(5, 3.6))
steps = np.arange(1, BIAS_STEPS + 1)
plt.plot(steps, noisy, ".", markersize=3, color="0.6", label=f"the signal: {LEVEL:g} + noise")
plt.plot(steps, noisy_raw, label=f"average from v₀ = 0, β = {BIAS_BETA}")
plt.plot(steps, noisy_corrected, label="divided by 1 − β^t")
plt.xlabel("t")
plt.ylabel("value")
plt.ylim(0, 2)
plt.legend(loc="lower right")
plt.grid(alpha=0.3)
plt.show()

# %% Adam corrects both of its averages: its first step is lr long, whatever the gradient's size
adam_betas = inspect.signature(torch.optim.Adam).parameters["betas"].default
uncorrected_first_step = (1 - adam_betas[0]) / math.sqrt(1 - adam_betas[1])  # in units of lr


def adam_first_step(gradient, lr=ADAM_LR):
    """The change one step of torch.optim.Adam (default betas and eps) makes to a zero parameter."""
    w = torch.zeros(len(gradient), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([w], lr=lr)
    w.grad = torch.tensor(gradient, dtype=torch.float64)
    optimizer.step()
    return w.detach().tolist()


first_steps = [adam_first_step([scale * g for g in ADAM_GRADIENT]) for scale in ADAM_SCALES]
print(f"torch.optim.Adam, lr = {ADAM_LR}, betas = {adam_betas}: first step for the gradient")
for scale, step in zip(ADAM_SCALES, first_steps):
    print(f"  {scale:g} x {ADAM_GRADIENT}: " + ", ".join(f"{s:+.6f}" for s in step))
print("without the correction it would be (1 - beta1) / sqrt(1 - beta2) =")
print(f"  {uncorrected_first_step:.3f} times as long")
