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
DEFAULT_EPS = 1e-6  # Adadelta's default, one of EPSILONS
GRADIENTS = (1.0, 100.0)
SHOWN = (1, 10, 100, STEPS)
CURVATURES = (0.1, 1.0, 10.0)
START = 1.0  # every coordinate of theta_0
BELOW = 1e-3  # the loss the page counts steps to
ADADELTA_LR = 1.0  # Adadelta's default
ADAM_LR = 1e-3  # Adam's default
RUNS = {  # name -> (optimizer class, lr) on the quadratic
    "adadelta": (torch.optim.Adadelta, ADADELTA_LR),
    "adadelta_adam_lr": (torch.optim.Adadelta, ADAM_LR),
    "adam": (torch.optim.Adam, ADAM_LR),
}


def constant_gradient_steps(epsilons=EPSILONS, gradients=GRADIENTS, steps=STEPS, **options):
    """{eps: {gradient: [|theta_t - theta_{t-1}| for t = 1..steps]}} of torch.optim.Adadelta."""
    thetas = [torch.zeros(len(gradients), dtype=torch.float64, requires_grad=True) for _ in epsilons]
    groups = [{"params": [theta], "eps": eps} for theta, eps in zip(thetas, epsilons)]
    optimizer = torch.optim.Adadelta(groups, **options)
    sizes = {eps: {g: [] for g in gradients} for eps in epsilons}
    for _ in range(steps):
        before = [theta.detach().clone() for theta in thetas]
        for theta in thetas:
            theta.grad = torch.tensor(gradients, dtype=torch.float64)
        optimizer.step()
        for eps, theta, old in zip(epsilons, thetas, before):
            for g, size in zip(gradients, (theta.detach() - old).abs().tolist()):
                sizes[eps][g].append(size)
    return sizes


def quadratic_run(optimizer_class, steps=STEPS, curvatures=CURVATURES, **options):
    """Losses f(theta_0..theta_steps) and the final theta, from theta_0 = (START, ..., START)."""
    h = torch.tensor(curvatures, dtype=torch.float64)
    theta = torch.full((len(curvatures),), START, dtype=torch.float64, requires_grad=True)
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
predicted = {eps: (eps / (1 - RHO)) ** 0.5 for eps in EPSILONS}  # the first step, when g^2 >> eps
growth = {eps: sizes[GRADIENTS[0]][-1] / sizes[GRADIENTS[0]][0] for eps, sizes in steps.items()}
print(f"{'step size at step':<24}" + "".join(f"{t:>9}" for t in SHOWN) + "  sqrt(eps/(1-rho))")
for eps, by_gradient in steps.items():
    for g, sizes in by_gradient.items():
        print(f"eps={eps:<6g} gradient {g:<5g}" + "".join(f"{sizes[t - 1]:>9.3g}" for t in SHOWN)
              + f"{predicted[eps]:>12.3g}")
first_steps = {eps: sizes[GRADIENTS[0]][0] for eps, sizes in steps.items()}
last_steps = {eps: sizes[GRADIENTS[0]][-1] for eps, sizes in steps.items()}

# %% The quadratic: lr = 1 against lr = 0.001
runs = {name: quadratic_run(cls, lr=lr) for name, (cls, lr) in RUNS.items()}
labels = {name: f"{cls.__name__}, lr = {lr:g}" for name, (cls, lr) in RUNS.items()}
losses = {label: run[0] for label, run in runs.items()}
final_theta = {label: run[1].tolist() for label, run in runs.items()}
lowest = {label: min(range(len(run)), key=run.__getitem__) for label, run in losses.items()}
lowest_loss = {label: run[lowest[label]] for label, run in losses.items()}
final_loss = {label: run[-1] for label, run in losses.items()}
below = {label: next((t for t, loss in enumerate(run) if loss < BELOW), None) for label, run in losses.items()}
print(f"\nf(theta) = sum h_i theta_i^2 / 2, h = {CURVATURES}, from theta_i = {START:g}:")
for label, run in losses.items():
    first = f"below {BELOW:g} at step {below[label]}" if below[label] is not None else f"never below {BELOW:g}"
    print(f"  {labels[label]}: loss {run[0]:.3g} -> {run[-1]:.3g} at step {STEPS}; {first};")
    rounded = ", ".join(f"{x:.4g}" for x in final_theta[label])
    print(f"  {'':<4}lowest {run[lowest[label]]:.2g} at step {lowest[label]}; theta at step {STEPS}: {rounded}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), num="steps")
t = range(1, STEPS + 1)
for number, eps in enumerate(EPSILONS):
    left.loglog(t, steps[eps][GRADIENTS[0]], color=f"C{number}", label=f"eps = {eps:g}")
    left.loglog(t, steps[eps][GRADIENTS[1]], "--", color="black", linewidth=0.8)
left.plot([], [], "--", color="black", linewidth=0.8, label=f"gradient {GRADIENTS[1]:g}")
left.set_xlabel("step t")
left.set_ylabel(r"step size $|\theta_t - \theta_{t-1}|$")
left.set_title(f"Adadelta, lr = {ADADELTA_LR:g}, constant gradient")
left.grid(alpha=0.3, which="both")
left.set_ylim(top=3)  # room for the legend above the curves
left.legend(loc="upper left", ncols=2)
for name, run in losses.items():
    right.semilogy(run, label=labels[name])
right.set(xlabel="step t", ylabel="loss f(θ)", title="f(θ) = Σ h_i θ_i² / 2")
right.grid(alpha=0.3, which="both")
right.legend(loc="lower left")
plt.show()
