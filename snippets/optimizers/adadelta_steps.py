"""Adadelta's step size is set by eps, and its lr is a multiplier best left at 1

Left: constant gradients of two sizes, for three values of eps (one parameter group per eps, one
coordinate per gradient size; Adadelta updates each coordinate on its own). The step does not
depend on the gradient's size: it starts near sqrt(eps / (1 - rho)) and grows slowly.
Right: a small quadratic, f(theta) = sum_i h_i theta_i^2 / 2 with curvatures h = 0.1, 1, 10,
minimised by Adadelta at its default lr, by Adadelta at Adam's default lr, and by Adam.
"""

# %%
import matplotlib.pyplot as plt
import torch

STEPS = 1000
RHO = 0.9  # Adadelta's default
EPSILONS = (1e-8, 1e-6, 1e-4)
GRADIENTS = (1.0, 100.0)
SHOWN = (1, 10, 100, 1000)
CURVATURES = (0.1, 1.0, 10.0)
RUNS = {  # label -> (optimizer class, keyword arguments) on the quadratic
    "Adadelta, lr=1 (default)": (torch.optim.Adadelta, {"lr": 1.0}),
    "Adadelta, lr=0.001": (torch.optim.Adadelta, {"lr": 1e-3}),
    "Adam, lr=0.001 (default)": (torch.optim.Adam, {"lr": 1e-3}),
}


def constant_gradient_steps(epsilons=EPSILONS, gradients=GRADIENTS, steps=STEPS, **options):
    """{(eps, gradient): [|theta_t - theta_{t-1}| for t = 1..steps]} of torch.optim.Adadelta."""
    thetas = [torch.zeros(len(gradients), dtype=torch.float64, requires_grad=True) for _ in epsilons]
    groups = [{"params": [theta], "eps": eps} for theta, eps in zip(thetas, epsilons)]
    optimizer = torch.optim.Adadelta(groups, **options)
    sizes = {(eps, g): [] for eps in epsilons for g in gradients}
    for _ in range(steps):
        before = [theta.detach().clone() for theta in thetas]
        for theta in thetas:
            theta.grad = torch.tensor(gradients, dtype=torch.float64)
        optimizer.step()
        for eps, theta, old in zip(epsilons, thetas, before):
            for g, size in zip(gradients, (theta.detach() - old).abs().tolist()):
                sizes[eps, g].append(size)
    return sizes


def quadratic_run(optimizer_class, steps=STEPS, curvatures=CURVATURES, **options):
    """Losses f(theta_0..theta_steps) and the final theta, from theta_0 = (1, 1, 1)."""
    h = torch.tensor(curvatures, dtype=torch.float64)
    theta = torch.ones(len(curvatures), dtype=torch.float64, requires_grad=True)
    optimizer = optimizer_class([theta], **options)
    losses = []
    for _ in range(steps):
        losses.append(0.5 * (h * theta.detach() ** 2).sum().item())
        theta.grad = h * theta.detach()  # the gradient of f, written out
        optimizer.step()
    losses.append(0.5 * (h * theta.detach() ** 2).sum().item())
    return losses, theta.detach()


# %% Constant gradient: the step depends on eps, not on the gradient
steps = constant_gradient_steps()
print(f"{'step size at step':<26}" + "".join(f"{t:>10}" for t in SHOWN) + "   sqrt(eps / (1 - rho))")
for (eps, g), sizes in steps.items():
    print(f"eps={eps:<6g}, gradient {g:<5g}" + "".join(f"{sizes[t - 1]:>10.3g}" for t in SHOWN)
          + f"   {(eps / (1 - RHO)) ** 0.5:>10.3g}")

# %% The quadratic: lr = 1 against lr = 0.001
runs = {label: quadratic_run(cls, **options) for label, (cls, options) in RUNS.items()}
print()
for label, (losses, theta) in runs.items():
    print(f"{label}: loss {losses[0]:.3f} -> {losses[100]:.3g} (step 100) -> {losses[500]:.3g} (step 500)"
          f" -> {losses[-1]:.3g} (step {STEPS})")
    lowest = min(range(len(losses)), key=lambda t: losses[t])
    rounded = [round(x, 4) for x in theta.tolist()]
    print(f"{'':<4}lowest loss {losses[lowest]:.2g} at step {lowest}; theta at step {STEPS} = {rounded}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), num="steps")
t = range(1, STEPS + 1)
for number, eps in enumerate(EPSILONS):
    for g, style in zip(GRADIENTS, ("-", "--")):
        left.loglog(t, steps[eps, g], style, color=f"C{number}", label=f"eps = {eps:g}, gradient {g:g}")
left.set_xlabel("step t")
left.set_ylabel(r"step size $|\theta_t - \theta_{t-1}|$")
left.set_title(f"Adadelta (lr = 1, rho = {RHO}), constant gradient")
left.grid(alpha=0.3, which="both")
left.legend(fontsize="small")
for label, (losses, _) in runs.items():
    right.semilogy(losses, label=label)
right.set_xlabel("step t")
right.set_ylabel("loss f(θ) (log scale)")
right.set_title(f"f(θ) = Σ h_i θ_i² / 2, h = {CURVATURES}")
right.grid(alpha=0.3, which="both")
right.legend(fontsize="small")
plt.show()
