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
SPIKE_SIZE = 1.0
GROWTH = 1.01  # a gradient that grows by 1 % per step
CLOSE = 1e-6  # how close, in lr, a gradient shrinking by beta2 per step comes to the bound


def gradients(steps=STEPS, spike=SPIKE, noise=NOISE, seed=SEED):
    """Gaussian noise with one gradient of SPIKE_SIZE at index `spike` (seeded)."""
    g = noise * torch.randn(steps, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    g[spike] = SPIKE_SIZE
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
at_spike = {name: abs(sizes[SPIKE]) for name, (sizes, _) in runs.items()}
largest = {name: max(abs(s) for s in sizes) for name, (sizes, _) in runs.items()}
before = {name: denominators[SPIKE - 1] for name, (_, denominators) in runs.items()}
at = {name: denominators[SPIKE] for name, (_, denominators) in runs.items()}
end = {name: denominators[-1] for name, (_, denominators) in runs.items()}
after = STEPS - SPIKE - 1  # steps after the spike
for name in runs:
    print(f"{name:<7} largest |step| = {largest[name]:.3f} lr; at the spike |step| = {at_spike[name]:.3f} lr")
    print(f"{'':<7} denominator before the spike {before[name]:.4f}, at it {at[name]:.4f}, "
          f"at the end {end[name]:.4f}")

# %% The bound on Adamax's step, for gradients of many kinds
beta1, beta2 = torch.optim.Adamax([torch.zeros(1)]).defaults["betas"]
bound = (1 - beta1) / (1 - beta1 / beta2)  # the largest |step| / lr, with the default betas
memory_steps = 1 / (1 - beta2)  # beta2^memory_steps is about 1 / e
generator = torch.Generator().manual_seed(1)
sequences = {
    "noise and a spike": grads,
    "constant": [1.0] * STEPS,
    "heavy-tailed": (torch.randn(STEPS, generator=generator, dtype=torch.float64)  # normal / uniform
                     / torch.rand(STEPS, generator=generator, dtype=torch.float64)).tolist(),
    f"growing by {GROWTH - 1:.0%} per step": [GROWTH**t for t in range(STEPS)],
    "shrinking by beta2 per step": [beta2**t for t in range(2 * STEPS)],
}
longest = {name: max(abs(s) for s in run(torch.optim.Adamax, g)[0]) for name, g in sequences.items()}
print(f"\nthe bound (1 - beta1) / (1 - beta1 / beta2) = {bound:.6f};")
print("the longest |step| / lr of Adamax:")
for name, size in longest.items():
    print(f"  {name:<30} {size:.6f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), num="spike")
for name, (sizes, denominators) in runs.items():
    left.semilogy(denominators, label=name)
    right.plot(sizes, label=name, alpha=0.8)
left.set_xlabel("step t")
left.set_ylabel("denominator (log scale)")
left.set_title(r"Adam: $\sqrt{\hat v_t}+\epsilon$;  Adamax: $u_t$")
right.set_xlabel("step t")
right.set_ylabel(r"step $(\theta_t - \theta_{t-1})\,/\,\mathrm{lr}$")
right.set_title(f"Noise of size {NOISE:g}, a gradient of {SPIKE_SIZE:g} at step {SPIKE + 1}")
for axes in (left, right):
    axes.grid(alpha=0.3, which="both")
    axes.legend()
plt.show()
