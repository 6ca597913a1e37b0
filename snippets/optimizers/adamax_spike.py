"""Adam and Adamax meet a gradient spike

A parameter sees small random gradients (standard deviation NOISE) and, once, at step SPIKE, a
gradient of size 1. The snippet records, for torch.optim.Adam and torch.optim.Adamax with their
default betas, each step in units of lr and the denominator each divides by: Adam's
sqrt(v_t / (1 - beta2^t)) + eps, and Adamax's running infinity norm u_t.
"""

# %%
import matplotlib.pyplot as plt
import torch

SEED = 0
STEPS = 1500
SPIKE = 500  # 0-based index of the step that sees the spike
NOISE = 0.01
LR = 1e-3


def gradients(steps=STEPS, spike=SPIKE, noise=NOISE, seed=SEED):
    """Gaussian noise with one gradient of 1 at index `spike` (seeded)."""
    g = noise * torch.randn(steps, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    g[spike] = 1.0
    return g.tolist()


def run(optimizer_class, grads, lr=LR, **options):
    """(steps / lr, denominators) for one scalar parameter fed the gradients `grads`."""
    theta = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = optimizer_class([theta], lr=lr, **options)
    beta2 = optimizer.defaults["betas"][1] if "betas" not in options else options["betas"][1]
    sizes, denominators = [], []
    for t, g in enumerate(grads, start=1):
        before = theta.item()
        theta.grad = torch.full_like(theta, g)
        optimizer.step()
        sizes.append((theta.item() - before) / lr)
        state = optimizer.state[theta]
        if "exp_inf" in state:  # Adamax
            denominators.append(state["exp_inf"].item())
        else:  # Adam, as it computes the denominator (eps 1e-8)
            denominators.append((state["exp_avg_sq"].item() / (1 - beta2**t)) ** 0.5 + optimizer.defaults["eps"])
    return sizes, denominators


# %% The spike
grads = gradients()
runs = {cls.__name__: run(cls, grads) for cls in (torch.optim.Adam, torch.optim.Adamax)}
for name, (sizes, denominators) in runs.items():
    largest = max(abs(s) for s in sizes)
    print(f"{name:<7} largest |step| = {largest:.3f} lr; at the spike |step| = {abs(sizes[SPIKE]):.3f} lr")
    print(f"{'':<7} denominator just before the spike {denominators[SPIKE - 1]:.4f}, at it {denominators[SPIKE]:.4f}, "
          f"{STEPS - SPIKE - 1} steps after it {denominators[-1]:.4f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), num="spike")
for name, (sizes, denominators) in runs.items():
    left.semilogy(denominators, label=name)
    right.plot(sizes, label=name, alpha=0.8)
left.set_xlabel("step t")
left.set_ylabel("denominator (log scale)")
left.set_title(r"Adam: $\sqrt{\hat v_t}+\epsilon$;  Adamax: $u_t$")
right.set_xlabel("step t")
right.set_ylabel(r"step $(\theta_t - \theta_{t-1})\,/\,\mathrm{lr}$")
right.set_title(f"Noise of size {NOISE:g}, one gradient of 1 at step {SPIKE + 1}")
for axes in (left, right):
    axes.grid(alpha=0.3, which="both")
    axes.legend()
plt.show()
