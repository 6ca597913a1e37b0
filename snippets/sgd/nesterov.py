"""PyTorch's Nesterov momentum beside Sutskever's look-ahead form

Sutskever et al. (2013) write Nesterov momentum with a velocity v and a gradient taken at the
look-ahead point w + m v. PyTorch steps along g + m b with a buffer b of gradients. The snippet
runs both on f(x, y) = 4x^2 + 0.04y^2 from (2, 20) and shows that PyTorch's parameters are
Sutskever's look-ahead points, as long as the learning rate stays constant.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

COEFFICIENTS = (4.0, 0.04)  # f(x, y) = 4x^2 + 0.04y^2
CURVATURES = 2 * torch.tensor(COEFFICIENTS, dtype=torch.float64)  # f = (8x^2 + 0.08y^2) / 2
START = (2.0, 20.0)
LR = 0.05
M = 0.9
STEPS = 60
TOLERANCE = 1e-13  # the two forms agree to rounding, on values up to 20
VELOCITY_TOLERANCE = 1e-15
HALVE_AFTER = 30  # the learning rate is halved after this step
SHOWN_STEPS = 20  # the figure shows the first steps, where the x coordinate still moves


def f(w):
    return 0.5 * (CURVATURES * w**2).sum()


def gradient(w):
    return CURVATURES * w


def sutskever(lrs, m=M, w0=torch.tensor(START, dtype=torch.float64)):
    """v_t = m v_(t-1) - lr_t grad f(w_(t-1) + m v_(t-1)), w_t = w_(t-1) + v_t, from v_0 = 0.

    `lrs` holds one learning rate per step. Returns w_0 ... w_T and v_0 ... v_T.
    """
    w, v = w0.clone(), torch.zeros_like(w0)
    ws, vs = [w], [v]
    for lr in lrs:
        v = m * v - lr * gradient(w + m * v)
        w = w + v
        ws.append(w)
        vs.append(v)
    return torch.stack(ws), torch.stack(vs)


def pytorch(lrs, m=M, w0=torch.tensor(START, dtype=torch.float64)):
    """torch.optim.SGD(momentum=m, nesterov=True), lr set before each step from `lrs`.

    Returns the parameters p_0 ... p_T and the buffers b_1 ... b_T.
    """
    p = w0.clone().requires_grad_()
    optimizer = torch.optim.SGD([p], lr=lrs[0], momentum=m, nesterov=True)
    ps, bs = [p.detach().clone()], []
    for lr in lrs:
        optimizer.param_groups[0]["lr"] = lr
        optimizer.zero_grad()
        f(p).backward()
        optimizer.step()
        ps.append(p.detach().clone())
        bs.append(optimizer.state[p]["momentum_buffer"].clone())
    return torch.stack(ps), torch.stack(bs)


def gap(a, b):
    return (a - b).abs().max().item()


# %% Constant learning rate: PyTorch's parameters are the look-ahead points
constant = [LR] * STEPS
ws, vs = sutskever(constant)
ps, bs = pytorch(constant)
lookahead_gap = gap(ps, ws + M * vs)
recovered_gap = gap(ws[1:], ps[1:] + LR * M * bs)
velocity_gap = gap(vs[1:], -LR * bs)
largest_value = ps.abs().max().item()
lookahead_ulps = float(max(lookahead_gap, recovered_gap) / np.spacing(largest_value))
iterate_gap = gap(ps, ws)
print(f"lr = {LR}, m = {M}, {STEPS} steps from {START}:")
print(f"  largest |p_t - (w_t + m v_t)|     = {lookahead_gap:.1e}")
print(f"  largest |w_t - (p_t + lr m b_t)|  = {recovered_gap:.1e}")
print(f"    = {lookahead_ulps:.0f} ulp of the largest value, {largest_value:g}")
print(f"  largest |v_t + lr b_t|            = {velocity_gap:.1e}")
print(f"  largest |p_t - w_t|               = {iterate_gap:.2f}")

# %% A learning rate that changes: the two forms part
halved = [LR] * HALVE_AFTER + [LR / 2] * (STEPS - HALVE_AFTER)
ws_h, vs_h = sutskever(halved)
ps_h, _ = pytorch(halved)
gaps_h = (ps_h - (ws_h + M * vs_h)).abs().amax(1)
halved_gap_before = gaps_h[: HALVE_AFTER + 1].max().item()
halved_gap = gaps_h.max().item()
print(f"lr halved after step {HALVE_AFTER}: largest |p_t - (w_t + m v_t)|")
print(f"  up to step {HALVE_AFTER}: {halved_gap_before:.1e}; after it: {halved_gap:.2f}")

shown = slice(0, SHOWN_STEPS + 1)
sutskever_low = ws[shown, 0].min().item()
lookahead_low = (ws + M * vs)[shown, 0].min().item()
plt.figure("nesterov", figsize=(7, 4.2))
plt.plot(ws[shown, 0], "-", color="C0", label="Sutskever: w_t")
plt.plot((ws + M * vs)[shown, 0], "-", color="C1", linewidth=4, alpha=0.5, label="Sutskever: look-ahead w_t + m v_t")
plt.plot(ps[shown, 0], "o", markersize=4, color="C3", label="torch.optim.SGD(nesterov=True): p_t")
plt.xticks(range(0, SHOWN_STEPS + 1, 2))
plt.axhline(0, color="0.5", linewidth=0.8)
plt.xlabel("iteration t")
plt.ylabel("x coordinate")
plt.grid(alpha=0.3)
plt.legend()
plt.show()
