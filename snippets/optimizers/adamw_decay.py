"""Weight decay with no loss gradient: Adam's L2 term against AdamW's decoupled decay

A parameter starts at 1 and the loss does not depend on it (its gradient is 0), so weight decay
is the only force on it. torch.optim.Adam adds weight_decay * theta to the gradient, and the
update then divides that by its own running size; torch.optim.AdamW multiplies theta by
(1 - lr * weight_decay) at each step. One parameter group per weight_decay in each optimizer.
"""

# %%
import matplotlib.pyplot as plt
import torch

LR = 1e-3  # Adam's and AdamW's default
STEPS = 1000
WEIGHT_DECAYS = (0.01, 0.1)
SHOWN = (1, 100, 500, STEPS)


def decay_paths(optimizer_class, weight_decays=WEIGHT_DECAYS, steps=STEPS, lr=LR):
    """{weight_decay: [theta_0, ..., theta_steps]} with a zero loss gradient, from theta_0 = 1."""
    thetas = [torch.ones(1, dtype=torch.float64, requires_grad=True) for _ in weight_decays]
    optimizer = optimizer_class(
        [{"params": [theta], "weight_decay": wd} for theta, wd in zip(thetas, weight_decays)], lr=lr
    )
    paths = {wd: [1.0] for wd in weight_decays}
    for _ in range(steps):
        for theta in thetas:
            theta.grad = torch.zeros_like(theta)
        optimizer.step()
        for wd, theta in zip(weight_decays, thetas):
            paths[wd].append(theta.item())
    return paths


# %% Adam's L2 against AdamW's decay
runs = {"Adam": decay_paths(torch.optim.Adam), "AdamW": decay_paths(torch.optim.AdamW)}
print(f"{'theta at step':<32}" + "".join(f"{t:>10}" for t in SHOWN))
for name, paths in runs.items():
    for wd, path in paths.items():
        print(f"{name + f', weight_decay={wd:g}':<32}" + "".join(f"{path[t]:>10.5f}" for t in SHOWN))
final = {name: {wd: path[-1] for wd, path in paths.items()} for name, paths in runs.items()}
exact = {wd: (1 - LR * wd) ** STEPS for wd in WEIGHT_DECAYS}  # what decoupled decay alone gives
decay_ratio = WEIGHT_DECAYS[1] / WEIGHT_DECAYS[0]
for wd in WEIGHT_DECAYS:
    print(f"(1 - lr * weight_decay)^{STEPS} for weight_decay={wd:g}: {exact[wd]:.5f}")

plt.figure("decay", figsize=(7, 3.8))
for (name, paths), style in zip(runs.items(), ("-", "--")):
    for number, (wd, path) in enumerate(paths.items()):
        width = 5 if (name, number) == ("Adam", 0) else 2  # wider, so that Adam's other curve shows on top
        plt.plot(path, style, color=f"C{number}", linewidth=width, alpha=0.8, label=f"{name}, weight_decay = {wd:g}")
plt.xlabel("step t")
plt.ylabel(r"$\theta_t$")
plt.title(f"Zero loss gradient, θ₀ = 1, lr = {LR:g}")
plt.ylim(0, 1.05)
plt.grid(alpha=0.3)
plt.legend()
plt.show()
