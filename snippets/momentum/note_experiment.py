"""The source note's momentum experiment, rerun and measured

100 iterations of torch.optim.SGD on f(x) = 4x^2 from x0 = 2: lr 0.01 and 0.03 without
momentum, then lr 0.01 with momentum 0.9 and with momentum 0.63. The snippet prints the loss at
fixed iterations, the first iteration at which the loss is below 1e-3 and the one from which it
stays there, and how often (and first when) x changes sign; it compares the runs iteration by
iteration, and plots the losses on a log scale above x itself.
"""

# %%
import matplotlib.pyplot as plt
import torch

X0 = 2.0
ITERATIONS = 100
SMALL_LR, LARGE_LR = 0.01, 0.03
HIGH_MOMENTUM, LOW_MOMENTUM = 0.9, 0.63
RUNS = ((SMALL_LR, 0.0), (LARGE_LR, 0.0), (SMALL_LR, HIGH_MOMENTUM), (SMALL_LR, LOW_MOMENTUM))  # (lr, m)
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


def turning_points(xs):
    """The values of x where it turns back: each local minimum and maximum, in order."""
    return [xs[t] for t in range(1, len(xs) - 1) if (xs[t] - xs[t - 1]) * (xs[t + 1] - xs[t]) < 0]


def lower(one, other):
    """The iterations after the start at which the loss of `one` is below that of `other`."""
    return [k for k in range(1, len(one)) if one[k] < other[k]]


def first_stretch(ks):
    """The first and last of the leading run of consecutive numbers in ks."""
    end = 0
    while end + 1 < len(ks) and ks[end + 1] == ks[end] + 1:
        end += 1
    return [ks[0], ks[end]]


# %% The four runs
runs = {(lr, momentum): run(lr, momentum) for lr, momentum in RUNS}
table = []
for (lr, momentum), xs in runs.items():
    loss, changes = losses(xs), sign_changes(xs)
    table.append({
        "lr": lr, "momentum": momentum, "final": loss[-1],
        "first_below": first_below(loss), "stays_below": stays_below(loss),
        "sign_changes": len(changes), "first_sign_change": changes[0] if changes else None,
    })
header = " ".join(f"{'loss@' + str(k):>9}" for k in REPORT_AT)
print(f"{'lr':>4} {'m':>4} {header} {'<1e-3':>5} {'stays':>5} {'signs':>5}")
for row, xs in zip(table, runs.values()):
    cells = " ".join(f"{losses(xs)[k]:>9.3g}" for k in REPORT_AT)
    print(f"{row['lr']:>4g} {row['momentum']:>4g} {cells} {row['first_below']:>5} "
          f"{row['stays_below']:>5} {row['sign_changes']:>5}")
print(f"<1e-3: first iteration with the loss below {TOLERANCE:g}; stays: below from there on;")
print("signs: how often x changes sign")

# %% Iteration by iteration
plain, large = losses(runs[(SMALL_LR, 0.0)]), losses(runs[(LARGE_LR, 0.0)])
high, low = losses(runs[(SMALL_LR, HIGH_MOMENTUM)]), losses(runs[(SMALL_LR, LOW_MOMENTUM)])
large_ahead = lower(large, plain)  # every iteration, says the note
high_ahead = lower(high, plain)
high_ahead_first = first_stretch(high_ahead)
high_first_cross = [table[2]["first_sign_change"] - 1, table[2]["first_sign_change"]]  # x on either side
high_over_plain = table[2]["final"] / table[0]["final"]
low_ahead = lower(low, large)
low_ahead_first = first_stretch(low_ahead)
low_ahead_count = len(low_ahead)
low_over_large = table[3]["final"] / table[1]["final"]
highest = max(table, key=lambda row: row["final"])
high_turns = turning_points(runs[(SMALL_LR, HIGH_MOMENTUM)])
print(f"lr {LARGE_LR} below lr {SMALL_LR} (no momentum) at {len(large_ahead)} of {ITERATIONS} iterations")
print(f"m = {HIGH_MOMENTUM} below no momentum at {len(high_ahead)} iterations: "
      f"{high_ahead_first[0]} to {high_ahead_first[1]}, ..., the last {high_ahead[-1]}")
print(f"m = {LOW_MOMENTUM} below lr {LARGE_LR} at {len(low_ahead)} iterations: "
      f"{low_ahead_first[0]} to {low_ahead_first[1]}, ..., the last {low_ahead[-1]}")
print(f"after {ITERATIONS}: m = {HIGH_MOMENTUM} ends {high_over_plain:.0f} times above no momentum,")
print(f"  m = {LOW_MOMENTUM} ends {low_over_large:.0f} times above lr {LARGE_LR}")
print(f"m = {HIGH_MOMENTUM}: x turns back at " + ", ".join(f"{x:.2g}" for x in high_turns[:5]) + ", ...")

# %% The losses on a log scale, and x itself
fig, (top, bottom) = plt.subplots(2, 1, figsize=(5.5, 6.6), sharex=True, num="runs")
for (lr, momentum), xs in runs.items():
    label = f"lr {lr}, m {momentum:g}"
    top.semilogy(losses(xs), label=label)
    bottom.plot(xs, label=label)
top.axhline(TOLERANCE, color="0.5", linestyle=":", linewidth=1)
top.set_ylabel("loss f(x) (log scale)")
top.grid(alpha=0.3, which="both")
top.legend(loc="lower left")
bottom.axhline(0, color="0.5", linewidth=0.8)
bottom.set_xlabel("iteration")
bottom.set_ylabel("x")
bottom.grid(alpha=0.3)
fig.tight_layout()
plt.show()
