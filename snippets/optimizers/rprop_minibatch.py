"""Rprop needs the full batch

Least squares on 512 noisy samples whose features differ in scale by a factor of 10.
Rprop on the full batch converges to the least-squares solution; on mini-batches the sign of
each gradient element flips at random near the solution, every flip halves that element's
step size, and the step sizes sink to their floor (1e-6) long before the loss is small.
"""

# %%
import matplotlib.pyplot as plt
import torch

N, D = 512, 10
STEPS = 300
BATCHES = (512, 64, 8)  # 512 = the full batch
SPREAD = 10  # the features' scales run from 1 to this
CONVERGED = 100  # the step by which the full batch has converged
LAST = 150  # the last steps, over which the mini-batches stall
FACTOR = 3  # "near the floor": within this factor of it
FLOOR = torch.optim.Rprop([torch.zeros(1)]).defaults["step_sizes"][0]  # read from torch

torch.manual_seed(0)
X = torch.randn(N, D, dtype=torch.float64) * torch.logspace(0, 1, D, base=SPREAD, dtype=torch.float64)
Y = X @ torch.randn(D, dtype=torch.float64) + 0.5 * torch.randn(N, dtype=torch.float64)
W_STAR = torch.linalg.solve(X.T @ X, X.T @ Y)  # the least-squares solution (normal equations)


def full_loss(w):
    return ((X @ w - Y) ** 2).mean()


BEST = full_loss(W_STAR).item()  # the smallest full-batch loss there is


def run(batch, steps=STEPS, seed=1, **hyperparameters):
    """Full-batch excess loss and median step size after each step of Rprop on batches of `batch` rows."""
    generator = torch.Generator().manual_seed(seed)
    w = torch.zeros(D, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Rprop([w], **hyperparameters)
    excess, median_step = [], []
    for _ in range(steps):
        rows = torch.randint(0, N, (batch,), generator=generator) if batch < N else torch.arange(N)
        optimizer.zero_grad()
        ((X[rows] @ w - Y[rows]) ** 2).mean().backward()
        optimizer.step()
        with torch.no_grad():
            excess.append(full_loss(w).item() - BEST)
        median_step.append(optimizer.state[w]["step_size"].median().item())
    return excess, median_step


# %% Full batch against mini-batches
runs = {batch: run(batch) for batch in BATCHES}
excess_loss = {batch: losses for batch, (losses, _) in runs.items()}
converged = excess_loss[N][CONVERGED - 1]  # the full batch's excess loss at step CONVERGED
after_converged = max(excess_loss[N][CONVERGED - 1:])
before_last = {batch: losses[-LAST - 1] for batch, losses in excess_loss.items()}  # where the last LAST steps start
final = {batch: losses[-1] for batch, losses in excess_loss.items()}
median_last = {batch: max(median[-LAST:]) for batch, (_, median) in runs.items()}  # largest median step size
print(f"Rprop, default hyperparameters, {STEPS} steps; full-batch loss above its minimum:")
print(f"  {'batch':>5} {'step 50':>9} {'step 100':>9} {'step 300':>9} {'median step size':>17}")
for batch, (losses, median_step) in runs.items():
    print(f"  {batch:>5} {losses[49]:>9.1e} {losses[99]:>9.1e} {losses[-1]:>9.1e} {median_step[-1]:>17.1e}")
print(f"largest median step size over the last {LAST} steps:")
print("  " + ", ".join(f"{median_last[b]:.1e} (batch {b})" for b in BATCHES))

# %% Plot
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), num="minibatch")
for batch, (losses, median_step) in runs.items():
    label = "full batch (512)" if batch == N else f"mini-batch {batch}"
    left.semilogy(range(1, STEPS + 1), losses, label=label)
    right.semilogy(range(1, STEPS + 1), median_step, label=label)
left.set_xlabel("step")
left.set_ylabel("full-batch loss − minimum")
left.set_title("Rprop on noisy least squares")
left.grid(alpha=0.3, which="both")
left.legend()
right.axhline(FLOOR, color="gray", linestyle="--", linewidth=1)
right.text(STEPS, FLOOR * 1.6, f"floor {FLOOR:g}", ha="right", color="gray")
right.set_xlabel("step")
right.set_ylabel("median step size")
right.set_title("step sizes")
right.grid(alpha=0.3, which="both")
right.legend()
plt.show()
