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


def eta(t, lr=1e-2, lambd=1e-4, alpha=0.75):
    """The step size ASGD uses in step t + 1."""
    return lr / (1 + lambd * lr * t) ** alpha


# %% Average from step t0 + 2 on, against the default
early = run(t0=T0)
default = run()
print(f"lr = {LR}, batch {BATCH}, {STEPS} steps; distance to the least-squares solution:")
print(f"  w  (last iterate)                      {early[0][-1]:.4f}")
print(f"  w, mean distance over the last 500     {sum(early[0][-500:]) / 500:.4f}")
print(f"  ax with t0 = {T0}                       {early[1][-1]:.4f}")
print(f"  ax with the default t0 = 1e6           {default[1][-1]:.4f}")
print(f"default t0: ax equal to w at every step: {default[0] == default[1]}")
print(f"w with t0 = {T0} equal to w with t0 = 1e6: {torch.equal(early[2], default[2])}")
print(f"default step size: eta = {eta(0):g} in step 1, {eta(10**4):.6f} after 10^4 steps,")
print(f"  {eta(10**6):.5f} after 10^6")

# %% Plot
plt.figure("averaging", figsize=(7, 3.8))
steps = range(1, STEPS + 1)
plt.semilogy(steps, early[0], color="C0", alpha=0.7, linewidth=0.8,
             label="iterate w (and ax with the default t0 = 1e6)")
plt.semilogy(steps, early[1], color="C3", label=f"average ax, t0 = {T0}")
plt.axvline(T0 + 2, color="gray", linestyle="--", linewidth=1)
plt.text(T0 + 30, 1.0, f"averaging starts\nat step t0 + 2 = {T0 + 2}", fontsize=9, va="top")
plt.xlabel("step")
plt.ylabel("distance to the solution")
plt.title(f"ASGD on noisy least squares, lr = {LR}, batch {BATCH}")
plt.grid(alpha=0.3, which="both")
plt.legend(loc="upper right")
plt.ylim(5e-3, 3)
plt.show()
