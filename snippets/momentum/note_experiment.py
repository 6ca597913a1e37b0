"""The source note's momentum experiment, rerun and measured

100 iterations of torch.optim.SGD on f(x) = 4x^2 from x0 = 2: lr 0.01 and 0.03 without
momentum, then lr 0.01 with momentum 0.9 and with momentum 0.63. The snippet prints the loss at
fixed iterations, the first iteration at which the loss is below 1e-3 and the one from which it
stays there, and how often (and first when) x changes sign, and plots the losses on a log scale beside x itself.
"""

# %%
import matplotlib.pyplot as plt
import torch

X0 = 2.0
ITERATIONS = 100
RUNS = ((0.01, 0.0), (0.03, 0.0), (0.01, 0.9), (0.01, 0.63))  # (lr, momentum)
TOLERANCE = 1e-3
REPORT_AT = (10, 20, 50, 100)


def f(x):
    return 4 * x**2


def run(lr, momentum, x0=X0, iterations=ITERATIONS):
    """torch.optim.SGD from x0. Returns x_0 ... x_iterations (float64)."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr, momentum=momentum)
    xs = [x.item()]
    for _ in range(iterations):
        optimizer.zero_grad()
        f(x).backward()
        optimizer.step()
        xs.append(x.item())
    return xs


def losses(xs):
    return [4 * x * x for x in xs]


def first_below(values, tolerance=TOLERANCE):
    """The first index whose value is below the tolerance (None if none is)."""
    return next((k for k, value in enumerate(values) if value < tolerance), None)


def stays_below(values, tolerance=TOLERANCE):
    """The first index from which every value is below the tolerance (None if there is none)."""
    k = len(values)
    while k > 0 and values[k - 1] < tolerance:
        k -= 1
    return k if k < len(values) else None


def sign_changes(xs):
    """The steps t (from x_(t-1) to x_t) at which x changes sign."""
    return [t for t in range(1, len(xs)) if xs[t - 1] * xs[t] < 0]


# %% The four runs
runs = {(lr, momentum): run(lr, momentum) for lr, momentum in RUNS}
header = " ".join(f"{'loss@' + str(k):>10}" for k in REPORT_AT)
print(f"{'lr':>5} {'m':>5} {header} {'<1e-3 at':>9} {'stays from':>10} {'sign changes':>12} {'first at':>8}")
for (lr, momentum), xs in runs.items():
    loss = losses(xs)
    cells = " ".join(f"{loss[k]:>10.3g}" for k in REPORT_AT)
    print(f"{lr:>5} {momentum:>5} {cells} {first_below(loss):>9} {stays_below(loss):>10} "
          f"{len(sign_changes(xs)):>12} {str((sign_changes(xs) or ['-'])[0]):>8}")

# %% The losses on a log scale, and x itself
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), num="runs")
for (lr, momentum), xs in runs.items():
    label = f"lr = {lr}, m = {momentum}"
    left.semilogy(losses(xs), label=label)
    right.plot(xs, label=label)
left.axhline(TOLERANCE, color="0.5", linestyle=":", linewidth=1)
left.set_xlabel("iteration")
left.set_ylabel("loss f(x) (log scale)")
left.grid(alpha=0.3, which="both")
left.legend(fontsize="small")
right.axhline(0, color="0.5", linewidth=0.8)
right.set_xlabel("iteration")
right.set_ylabel("x")
right.grid(alpha=0.3)
plt.show()
