"""PyTorch's momentum, written out and checked against torch.optim.SGD

torch.optim.SGD keeps one momentum buffer per parameter: v <- m v + g, then w <- w - lr v,
with the buffer set to the first gradient on the first step and no (1 - m) factor. The snippet
runs that recurrence by hand beside the optimizer on f(x) = 4x^2 from x0 = 2, then compares it
with gradient descent on an exponentially weighted average of the gradients (lr / (1 - m) in
place of lr), and with PyTorch's own way to get such an average, dampening = m.
"""

# %%
import matplotlib.pyplot as plt
import torch

X0 = 2.0
LR = 0.01
M = 0.9
STEPS = 100
SWEEP_LRS = (0.001, 0.01, 0.03, 0.1)
SWEEP_MOMENTA = (0.5, 0.63, 0.9, 0.99)
TOLERANCE = 1e-14  # what "the same up to rounding" allows (relative to the largest buffer, or to |x|)
PLOTTED = 60  # iterations in the figure


def f(x):
    return 4 * x**2


def gradient(x):
    """f'(x) = 8x, by hand, so that the recurrences below need no autograd."""
    return 8 * x


def heavy_ball(lr=LR, m=M, x0=X0, steps=STEPS):
    """PyTorch's recurrence by hand: v_1 = g_1, v_t = m v_(t-1) + g_t, x_t = x_(t-1) - lr v_t.

    Returns the iterates x_0 ... x_steps and the buffers v_1 ... v_steps.
    """
    x, v, xs, vs = x0, None, [x0], []
    for _ in range(steps):
        g = gradient(x)
        v = g if v is None else m * v + g
        x = x - lr * v
        xs.append(x)
        vs.append(v)
    return xs, vs


def ema_descent(lr, beta=M, x0=X0, steps=STEPS):
    """Descent on an average of the gradients: u_t = beta u_(t-1) + (1 - beta) g_t from u_0 = 0,
    x_t = x_(t-1) - lr u_t. Returns x_0 ... x_steps and u_1 ... u_steps."""
    x, u, xs, us = x0, 0.0, [x0], []
    for _ in range(steps):
        u = beta * u + (1 - beta) * gradient(x)
        x = x - lr * u
        xs.append(x)
        us.append(u)
    return xs, us


def torch_sgd(lr=LR, x0=X0, steps=STEPS, **options):
    """torch.optim.SGD on f from x0 (float64). Returns x_0 ... x_steps and its momentum buffers."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr, **options)
    xs, vs = [x.item()], []
    for _ in range(steps):
        optimizer.zero_grad()
        f(x).backward()
        optimizer.step()
        xs.append(x.item())
        vs.append(optimizer.state[x]["momentum_buffer"].item())
    return xs, vs


# %% By hand beside torch.optim.SGD
hand_x, hand_v = heavy_ball()
torch_x, torch_v = torch_sgd(momentum=M)
first_buffer = torch_v[0]
print(f"lr = {LR}, momentum = {M}, from x0 = {X0:g}")
print(f"{'t':>3} {'v_t by hand':>14} {'momentum_buffer':>16} {'x_t by hand':>14} {'x_t by SGD':>14}")
for t in (1, 2, 3, 4, 5, 50, 100):
    print(f"{t:>3} {hand_v[t - 1]:>14.8f} {torch_v[t - 1]:>16.8f} {hand_x[t]:>14.8f} {torch_x[t]:>14.8f}")
gap = max(abs(a - b) for a, b in zip(hand_x + hand_v, torch_x + torch_v))
print(f"largest difference over {STEPS} steps (iterates and buffers): {gap:.1e}")
step_gain = 1 / (1 - M)  # a constant gradient's step grows to lr g / (1 - m)


def relative_gap(lr, m):
    """Largest difference between hand and SGD (iterates and buffers), over the largest buffer."""
    (hx, hv), (tx, tv) = heavy_ball(lr, m), torch_sgd(lr, momentum=m)
    return max(abs(a - b) for a, b in zip(hx + hv, tx + tv)) / max(abs(v) for v in hv)


worst = max(relative_gap(lr, m) for lr in SWEEP_LRS for m in SWEEP_MOMENTA)
print(f"lr in {SWEEP_LRS}, m in {SWEEP_MOMENTA}:")
print(f"  largest difference / largest buffer = {worst:.1e}")

# %% The same iterates as descent on an average of the gradients, with lr / (1 - m)
averaged_lr = LR / (1 - M)
ema_x, ema_u = ema_descent(lr=averaged_lr)
print(f"SGD(lr={LR}, momentum={M}) vs descent on the average from u_0 = 0, lr = {averaged_lr:g}:")
print(f"  largest |x| difference {max(abs(a - b) for a, b in zip(torch_x, ema_x)):.1e}")
rescaled = max(
    max(abs(a - b) for a, b in zip(torch_sgd(LR, momentum=m)[0], ema_descent(LR / (1 - m), beta=m)[0]))
    for m in SWEEP_MOMENTA
)
print(f"  for m in {SWEEP_MOMENTA}: largest |x| difference {rescaled:.1e}")

# %% PyTorch's dampening = m: an average that starts at g_1, not at 0
damped_x, damped_v = torch_sgd(lr=averaged_lr, momentum=M, dampening=M)
damped_first_buffer = damped_v[0]
first_step_ratio = (X0 - damped_x[1]) / (X0 - torch_x[1])
damped_lowest, plain_lowest = min(damped_x[: PLOTTED + 1]), min(torch_x[: PLOTTED + 1])
print(f"SGD(lr={averaged_lr:g}, momentum={M}, dampening={M}): first buffer {damped_first_buffer:g} = g_1,")
print(f"  x_1 = {damped_x[1]:.3g} instead of {torch_x[1]:.3g} ({first_step_ratio:.3g} times as far); "
      f"lowest x {damped_lowest:.2f} instead of {plain_lowest:.2f}")

plt.figure("momentum-sweep", figsize=(5.2, 4.4))
plt.plot(torch_x[: PLOTTED + 1], "-o", markersize=3, label=f"SGD, lr {LR}, momentum {M}")
plt.plot(ema_x[: PLOTTED + 1], "--", color="C2", label=f"average of gradients, lr {averaged_lr:g}")
plt.plot(damped_x[: PLOTTED + 1], "-", color="C3", label=f"SGD, lr {averaged_lr:g}, momentum and\ndampening {M}")
plt.axhline(0, color="0.5", linewidth=0.8)
plt.xlabel("iteration t")
plt.ylabel("x_t")
plt.grid(alpha=0.3)
plt.legend(loc="lower right")
plt.show()
