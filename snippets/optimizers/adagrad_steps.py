"""Adagrad's steps only shrink

Two runs on one parameter. First, a constant gradient of three very different sizes: Adagrad's
step is lr / sqrt(t) at step t whatever the size. Second, a target that moves: the loss
(theta - c)^2 / 2 with c = 1, then c = -1 from step JUMP on. Adagrad's accumulated sum of squared
gradients keeps its steps small after the jump; RMSprop, which forgets old gradients, follows.
"""

# %%
import matplotlib.pyplot as plt
import torch

LR = 0.05
GRADIENTS = (0.01, 1.0, 100.0)  # sizes of the constant gradient
STEPS = 1000
JUMP = 500  # the step at which the target moves
TARGETS = (1.0, -1.0)  # c before the jump, and from it on
WITHIN = 0.05  # how close counts as having reached the target
SHOWN = (1, 100, STEPS)  # steps printed


def constant_gradient_steps(gradients=GRADIENTS, steps=STEPS, lr=LR, **options):
    """{gradient: [|theta_t - theta_{t-1}| for t = 1..steps]} for torch.optim.Adagrad under constant
    gradients. One coordinate per gradient: Adagrad updates each coordinate on its own."""
    theta = torch.zeros(len(gradients), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adagrad([theta], lr=lr, **options)
    sizes = []
    for _ in range(steps):
        before = theta.detach().clone()
        theta.grad = torch.tensor(gradients, dtype=torch.float64)
        optimizer.step()
        sizes.append((theta.detach() - before).abs().tolist())
    return {g: [row[i] for row in sizes] for i, g in enumerate(gradients)}


def track(optimizer_class, steps=STEPS, jump=JUMP, lr=LR, targets=TARGETS):
    """theta_0..theta_steps on the loss (theta - c)^2 / 2, c = targets[0] before step `jump`,
    targets[1] from it on."""
    theta = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = optimizer_class([theta], lr=lr)
    path = [theta.item()]
    for t in range(steps):
        target = targets[0] if t < jump else targets[1]
        theta.grad = theta.detach() - target  # the gradient of (theta - c)^2 / 2
        optimizer.step()
        path.append(theta.item())
    return path


def steps_to_reach(path, target, start=0, within=WITHIN):
    """Steps after `start` until the path is first within `within` of target (None if never)."""
    return next((t - start for t in range(start, len(path)) if abs(path[t] - target) < within), None)


# %% Constant gradient: the same steps whatever its size
runs = constant_gradient_steps()
distance = {g: sum(sizes) for g, sizes in runs.items()}
shown_sizes = {g: [sizes[t - 1] for t in SHOWN] for g, sizes in runs.items()}
print("step size at step " + "".join(f"{t:>10}" for t in SHOWN) + "    distance")
for g, sizes in runs.items():
    print(f"gradient {g:<9g}" + "".join(f"{size:>10.3g}" for size in shown_sizes[g]) + f"{distance[g]:>12.4g}")

# %% A target that moves
paths = {cls.__name__: track(cls) for cls in (torch.optim.Adagrad, torch.optim.RMSprop)}
reached = {name: steps_to_reach(path, TARGETS[0]) for name, path in paths.items()}
back = {name: steps_to_reach(path, TARGETS[1], start=JUMP) for name, path in paths.items()}
final = {name: path[-1] for name, path in paths.items()}
remaining = STEPS - JUMP  # steps after the jump
print(f"\ntarget c = {TARGETS[0]:g}, then {TARGETS[1]:g} from step {JUMP}; steps to come within {WITHIN:g}:")
print(f"  {'':<8} {'before':>6} {'after the jump':>16} {'theta at step ' + str(STEPS):>20}")
for name in paths:
    again = f"{back[name]}" if back[name] is not None else f"not in {STEPS - JUMP}"
    print(f"  {name:<8} {reached[name]:>6} {again:>16} {final[name]:>20.3f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), num="steps")
t = range(1, STEPS + 1)
for (g, sizes), style in zip(runs.items(), ("-", "--", ":")):
    left.loglog(t, sizes, style, label=f"constant gradient {g:g}")
left.loglog(t, [LR / k**0.5 for k in t], color="0.6", linewidth=6, alpha=0.3, zorder=0, label=r"lr / $\sqrt{t}$")
left.set_xlabel("step t")
left.set_ylabel(r"step size $|\theta_t - \theta_{t-1}|$")
left.set_title(f"Adagrad, lr = {LR}")
left.grid(alpha=0.3, which="both")
left.legend()
for name, path in paths.items():
    right.plot(path, label=name)
right.plot([TARGETS[0]] * JUMP + [TARGETS[1]] * (STEPS + 1 - JUMP), color="0.5", linestyle=":", label="target c")
right.set_xlabel("step t")
right.set_ylabel(r"$\theta_t$")
right.set_title(f"Loss (θ − c)²/2, c jumps at step {JUMP}, lr = {LR}")
right.grid(alpha=0.3)
right.legend()
plt.show()
