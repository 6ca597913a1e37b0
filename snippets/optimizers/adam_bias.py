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
SHOWN = (1, 2, 10, 100, STEPS)  # steps printed
LONG = 6000  # steps of the longer RMSprop run, to see where its step settles


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


RUNS = {  # name -> its legend
    "adam": "torch.optim.Adam",
    "uncorrected": "Adam without bias correction",
    "rmsprop": f"RMSprop(momentum={BETAS[0]}, alpha={BETAS[1]})",
}
runs = {
    "adam": steps_taken(torch.optim.Adam, lr=LR, betas=BETAS),
    "uncorrected": uncorrected_steps(),
    "rmsprop": steps_taken(torch.optim.RMSprop, lr=LR, momentum=BETAS[0], alpha=BETAS[1]),
}
peak_step = {name: max(range(STEPS), key=sizes.__getitem__) + 1 for name, sizes in runs.items()}
peak = {name: sizes[peak_step[name] - 1] for name, sizes in runs.items()}
first = {name: sizes[0] for name, sizes in runs.items()}
last = {name: sizes[-1] for name, sizes in runs.items()}
rmsprop_long = steps_taken(torch.optim.RMSprop, steps=LONG, lr=LR, momentum=BETAS[0], alpha=BETAS[1])
settles = rmsprop_long[-1]
adam_shortfall = max(1 - size for size in runs["adam"])  # how far below lr Adam's steps fall, relative
eps = torch.optim.Adam([torch.zeros(1)]).defaults["eps"]

# %% Step sizes in units of lr
print(f"{'step / lr at step':<36}" + "".join(f"{t:>8}" for t in SHOWN))
for name, sizes in runs.items():
    print(f"{RUNS[name]:<36}" + "".join(f"{sizes[t - 1]:>8.3f}" for t in SHOWN))
for name in ("uncorrected", "rmsprop"):
    print(f"largest step of {RUNS[name]}: {peak[name]:.2f} lr at step {peak_step[name]}")
print(f"RMSprop's step at step {LONG}: {settles:.3f} lr")
print(f"Adam's steps fall short of lr by at most {adam_shortfall:.1e} (eps = {eps:g})")

plt.figure("step-sizes", figsize=(7, 4.2))
for name, sizes in runs.items():
    plt.loglog(range(1, STEPS + 1), sizes, label=RUNS[name])
plt.xlabel("step t")
plt.ylabel(r"step size $|\theta_t - \theta_{t-1}|\,/\,\mathrm{lr}$")
plt.title(f"Constant gradient g = {GRADIENT:g}, β₁ = {BETAS[0]}, β₂ = {BETAS[1]}")
plt.ylim(top=2000)  # room for the legend above the curves
plt.grid(alpha=0.3, which="both")
plt.legend(loc="upper right")
plt.show()
