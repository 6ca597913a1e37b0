"""Why the runs look the way they do: the per-step rate of momentum on a quadratic

On f(x) = (L/2) x^2 PyTorch's momentum makes x follow x_(t+1) = (1 + m - lr L) x_t - m x_(t-1).
Its two characteristic roots decide everything: real roots (m below the critical damping
m* = (1 - sqrt(lr L))^2) give a smooth decay at the larger root's rate, complex roots give an
oscillation that shrinks by sqrt(m) per step. The snippet sweeps m for lr = 0.01 on
f(x) = 4x^2 (L = 8), measures the rate from the iterates and draws it over the prediction,
beside the rate of lr = 0.03 without momentum.
"""

# %%
import cmath
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

L = 8.0  # f(x) = 4x^2 = (L/2) x^2
LR = 0.01
COMPARED_LR = 0.03  # the larger learning rate of the source note's runs, without momentum
X0 = 2.0
ITERATIONS = 100  # as in the source note's runs
SWEEP_FROM, SWEEP_TO, SWEEP_COUNT = 0.0, 0.98, 50
SWEEP = np.round(np.linspace(SWEEP_FROM, SWEEP_TO, SWEEP_COUNT), 2)
MARKED = (0.0, 0.63, 0.9)
WINDOW = (200, 1200)  # the rate is measured between these two iterations
RATE_TOLERANCE = 0.005  # how close (relative) measured and predicted rates must be


def roots(m, lr=LR, curvature=L):
    """The characteristic roots of x_(t+1) = (1 + m - a) x_t - m x_(t-1), a = lr * L."""
    b = 1 + m - lr * curvature
    root = cmath.sqrt(b * b - 4 * m)
    return (b + root) / 2, (b - root) / 2


def predicted_rate(m, lr=LR, curvature=L):
    """The size of the larger root: how much |x| shrinks per step once the start is forgotten."""
    return max(abs(r) for r in roots(m, lr, curvature))


def critical_momentum(lr=LR, curvature=L):
    """m* = (1 - sqrt(lr L))^2: the largest m with real roots, where the rate is smallest."""
    return (1 - math.sqrt(lr * curvature)) ** 2


def half_period(m, lr=LR, curvature=L):
    """For complex roots sqrt(m) e^(+-i theta): x changes sign about every pi / theta steps."""
    return math.pi / abs(cmath.phase(roots(m, lr, curvature)[0]))


def iterates(m, lr=LR, x0=X0, steps=WINDOW[1], curvature=L):
    """PyTorch's momentum by hand (v_1 = g_1, v = m v + g, x = x - lr v). Returns x_0 ... x_steps."""
    x, v, xs = x0, None, [x0]
    for _ in range(steps):
        g = curvature * x
        v = g if v is None else m * v + g
        x = x - lr * v
        xs.append(x)
    return xs


def measured_rate(m, lr=LR, window=WINDOW):
    """Average shrink per step of the state (x_t, x_(t-1)) between the two iterations of `window`."""
    xs = iterates(m, lr, steps=window[1])
    size = lambda t: math.hypot(xs[t], xs[t - 1])  # noqa: E731
    first, last = window
    return (size(last) / size(first)) ** (1 / (last - first))


def sign_spacing(m, lr=LR, steps=WINDOW[1]):
    """The average number of steps between two sign changes of x, measured on the iterates."""
    xs = iterates(m, lr, steps=steps)
    crossings = [t for t in range(1, len(xs)) if xs[t - 1] * xs[t] < 0]
    return (crossings[-1] - crossings[0]) / (len(crossings) - 1)


def sgd_loss(lr, momentum, iterations=ITERATIONS, x0=X0):
    """f(x_iterations) for torch.optim.SGD on f(x) = (L/2) x^2 from x0."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr, momentum=momentum)
    for _ in range(iterations):
        optimizer.zero_grad()
        (L / 2 * x**2).backward()
        optimizer.step()
    return (L / 2 * x**2).item()


# %% The prediction beside the measurement
m_star = critical_momentum()
critical_rate = math.sqrt(m_star)
plain_rate = predicted_rate(0.0)
compared_rate = predicted_rate(0.0, lr=COMPARED_LR)
print(f"lr = {LR}, L = {L:g}: critical damping m* = (1 - sqrt({LR * L:g}))^2 = {m_star:.4f},")
print(f"  rate sqrt(m*) = {critical_rate:.4f}")
print(f"without momentum: rate |1 - lr L| = {plain_rate:.4f} (lr = {LR}), "
      f"{compared_rate:.4f} (lr = {COMPARED_LR})")
marked_rates = [predicted_rate(m) for m in MARKED]
marked_measured = [measured_rate(m) for m in MARKED]
half_periods = [half_period(m) if m > m_star else None for m in MARKED]
spacings = [sign_spacing(m) if m > m_star else None for m in MARKED]
for m, rate, measured, period in zip(MARKED, marked_rates, marked_measured, half_periods):
    print(f"m = {m}: predicted rate {rate:.4f}, measured {measured:.4f}")
    if period:
        print(f"  complex roots of size sqrt(m) = {math.sqrt(m):.4f}: "
              f"x changes sign every {period:.1f} steps")
m_tuned = round(m_star, 2)
tuned_loss, compared_loss = sgd_loss(LR, m_tuned), sgd_loss(COMPARED_LR, 0.0)
print(f"loss after {ITERATIONS} iterations: lr = {LR}, m = {m_tuned}: {tuned_loss:.2g};")
print(f"  lr = {COMPARED_LR}, m = 0: {compared_loss:.2g}")

predicted = [predicted_rate(m) for m in SWEEP]
measured = [measured_rate(m) for m in SWEEP]
worst_gap = max(abs(a / b - 1) for a, b in zip(measured, predicted))
print(f"largest relative gap, measured vs predicted, {len(SWEEP)} momenta: {worst_gap:.1e}")
fine = np.linspace(SWEEP_FROM, SWEEP_TO, 491)
fine_rates = [predicted_rate(m) for m in fine]
beating = [float(m) for m, rate in zip(fine, fine_rates) if rate < compared_rate]
top_rate = fine_rates[-1]
print(f"momenta with a rate below lr = {COMPARED_LR}'s: {beating[0]:.3f} to {beating[-1]:.3f}")

plt.figure("rate", figsize=(5.2, 4.6))
plt.plot(fine, fine_rates, label="predicted: the larger root")
plt.plot(SWEEP, measured, "o", markersize=4, color="C3", label=f"measured, {WINDOW[0]}–{WINDOW[1]}")
plt.axvline(m_star, color="0.4", linestyle="--", linewidth=1, label=f"m* = {m_star:.3f}")
plt.axhline(compared_rate, color="C2", linestyle=":", label=f"lr {COMPARED_LR}, no momentum")
plt.xlabel(f"momentum m (lr = {LR})")
plt.ylabel("rate: |x| shrinks by this per step")
plt.grid(alpha=0.3)
plt.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
plt.show()
