"""Why Adam corrects its bias: the step size under a constant gradient

A single parameter sees the same gradient g = 1 at every step. The snippet measures how far
torch.optim.Adam moves it at each step, in units of lr, and compares that with the same
recurrences without bias correction and with torch.optim.RMSprop using momentum 0.9 and
alpha 0.999 (the same two decay rates). It prints a few steps of each and plots all three.
"""

# %%
import matplotlib.pyplot as plt
import torch

LR = 1e-3
GRADIENT = 1.0
STEPS = 1000
BETAS = (0.9, 0.999)
SHOWN = (1, 2, 10, 100, 1000)  # steps printed


def steps_taken(optimizer_class, steps=STEPS, gradient=GRADIENT, **options):
    """|theta_t - theta_{t-1}| / lr for t = 1..steps under a constant gradient."""
    theta = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = optimizer_class([theta], **options)
    sizes = []
    for _ in range(steps):
        before = theta.item()
        theta.grad = torch.full_like(theta, gradient)
        optimizer.step()
        sizes.append(abs(theta.item() - before) / options["lr"])
    return sizes


def uncorrected_steps(steps=STEPS, gradient=GRADIENT, betas=BETAS, eps=1e-8):
    """The same ratio for Adam's recurrences with the two bias corrections left out: m_t / (sqrt(v_t) + eps)."""
    beta1, beta2 = betas
    m = v = 0.0
    sizes = []
    for _ in range(steps):
        m = beta1 * m + (1 - beta1) * gradient
        v = beta2 * v + (1 - beta2) * gradient**2
        sizes.append(abs(m) / (v**0.5 + eps))
    return sizes


runs = {
    "torch.optim.Adam": steps_taken(torch.optim.Adam, lr=LR, betas=BETAS),
    "Adam without bias correction": uncorrected_steps(),
    "RMSprop(momentum=0.9, alpha=0.999)": steps_taken(torch.optim.RMSprop, lr=LR, momentum=BETAS[0], alpha=BETAS[1]),
}

# %% Step sizes in units of lr
print(f"{'step / lr at step':<36}" + "".join(f"{t:>9}" for t in SHOWN))
for name, sizes in runs.items():
    print(f"{name:<36}" + "".join(f"{sizes[t - 1]:>9.3f}" for t in SHOWN))
for name, sizes in list(runs.items())[1:]:
    peak = max(range(STEPS), key=lambda i: sizes[i])
    print(f"largest step of {name}: {sizes[peak]:.2f} lr at step {peak + 1}")

plt.figure("step-sizes", figsize=(7, 3.6))
for name, sizes in runs.items():
    plt.loglog(range(1, STEPS + 1), sizes, label=name)
plt.xlabel("step t")
plt.ylabel(r"step size $|\theta_t - \theta_{t-1}|\,/\,\mathrm{lr}$")
plt.title("Constant gradient g = 1, β₁ = 0.9, β₂ = 0.999")
plt.grid(alpha=0.3, which="both")
plt.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))
plt.show()
