"""ASGD's average: what it buys, and why the defaults never compute it

Least squares on 512 noisy samples, optimized with mini-batches of 8. With a constant step
the iterate w keeps jumping around the solution; the running average ax of the iterates
settles much closer. The average starts at step t0 + 2; with the default t0 = 1e6 it is
just a copy of w.
"""

# %%
import matplotlib.pyplot as plt
import torch

N, D = 512, 5
BATCH = 8
LR = 0.05
STEPS = 2000
T0 = 100  # start averaging early; torch's default is 1e6
LAST = 500  # the iterate's distance is averaged over the last LAST steps
SHOWN_ETA = (10**4, 10**6)  # steps after which the default step size is printed
DEFAULTS = torch.optim.ASGD([torch.zeros(1)]).defaults  # read from torch: lr, lambd, alpha, t0

torch.manual_seed(0)
X = torch.randn(N, D, dtype=torch.float64)
Y = X @ torch.randn(D, dtype=torch.float64) + 0.5 * torch.randn(N, dtype=torch.float64)
W_STAR = torch.linalg.solve(X.T @ X, X.T @ Y)  # the least-squares solution (normal equations)


def run(steps=STEPS, seed=1, **hyperparameters):
    """Distances of w and of ax to the solution after each step, and the final w and ax."""
    generator = torch.Generator().manual_seed(seed)
    w = torch.zeros(D, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.ASGD([w], lr=LR, **hyperparameters)
    to_w, to_ax = [], []
    for _ in range(steps):
        rows = torch.randint(0, N, (BATCH,), generator=generator)
        optimizer.zero_grad()
        ((X[rows] @ w - Y[rows]) ** 2).mean().backward()
        optimizer.step()
        to_w.append((w.detach() - W_STAR).norm().item())
        to_ax.append((optimizer.state[w]["ax"] - W_STAR).norm().item())
    return to_w, to_ax, w.detach().clone(), optimizer.state[w]["ax"].clone()


def eta(t, lr=DEFAULTS["lr"], lambd=DEFAULTS["lambd"], alpha=DEFAULTS["alpha"]):
    """The step size ASGD uses in step t + 1."""
    return lr / (1 + lambd * lr * t) ** alpha


def one_step_with_zero_gradient(**hyperparameters):
    """The factor by which one step of ASGD multiplies a parameter whose gradient is zero."""
    w = torch.ones(3, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.ASGD([w], **hyperparameters)
    w.grad = torch.zeros_like(w)
    optimizer.step()
    return w[0].item()


# %% Average from step t0 + 2 on, against the default
early = run(t0=T0)
default = run()
last_w, mean_w, last_ax = early[0][-1], sum(early[0][-LAST:]) / LAST, early[1][-1]
closer = last_w / last_ax  # how many times closer the average ends than the last iterate
copied = T0 + 2  # through this step the average is a copy of the iterate
default_copies = default[0] == default[1]  # with the default t0, ax is w at every step
same_w = torch.equal(early[2], default[2])  # and w does not depend on t0: ax is never read back
print(f"lr = {LR}, batch {BATCH}, {STEPS} steps; distance to the least-squares solution:")
for name, distance in {"w (the last iterate)": last_w, f"w, mean over the last {LAST} steps": mean_w,
                       f"ax with t0 = {T0}": last_ax, f"ax with the default t0 = {DEFAULTS['t0']:,.0f}": default[1][-1]}.items():
    print(f"  {name:<40} {distance:.4f}")
print(f"default t0: ax equal to w at every step: {default_copies}")
print(f"w with t0 = {T0} equal to w with the default t0: {same_w}")
etas = [eta(t) for t in SHOWN_ETA]
print(f"default step size: eta = {eta(0):g} in step 1, {etas[0]:.6f} after {SHOWN_ETA[0]:,} steps,")
print(f"  {etas[1]:.5f} after {SHOWN_ETA[1]:,}")

# %% lambd shrinks the parameter, whatever weight_decay is
shrink = one_step_with_zero_gradient()
print(f"\none default step with a zero gradient multiplies the parameter by {shrink:.7f}")
print(f"  = 1 - lambd * lr = 1 - {DEFAULTS['lambd']:g} * {DEFAULTS['lr']:g}")

# %% Plot
plt.figure("averaging", figsize=(7, 3.8))
steps = range(1, STEPS + 1)
plt.semilogy(steps, early[0], color="C0", alpha=0.7, linewidth=0.8,
             label=f"iterate w (and ax with the default t0 = {DEFAULTS['t0']:g})")
plt.semilogy(steps, early[1], color="C3", label=f"average ax, t0 = {T0}")
plt.axvline(T0 + 2, color="gray", linestyle="--", linewidth=1)
plt.text(T0 + 30, 1.0, f"averaging starts\nat step t0 + 2 = {copied}", va="top")
plt.xlabel("step")
plt.ylabel("distance to the solution")
plt.title(f"ASGD on noisy least squares, lr = {LR}, batch {BATCH}")
plt.grid(alpha=0.3, which="both")
plt.legend(loc="upper right")
plt.ylim(5e-3, 3)
plt.show()
