"""PyTorch's Nesterov momentum beside Sutskever's look-ahead form

Sutskever et al. (2013) write Nesterov momentum with a velocity v and a gradient taken at the
look-ahead point w + m v. PyTorch steps along g + m b with a buffer b of gradients. The snippet
runs both on f(x, y) = 4x^2 + 0.04y^2 from (2, 20) and shows that PyTorch's parameters are
Sutskever's look-ahead points, as long as the learning rate stays constant.
"""

# %%
import matplotlib.pyplot as plt
import torch

CURVATURES = torch.tensor([8.0, 0.08], dtype=torch.float64)  # f(x, y) = 4x^2 + 0.04y^2
START = torch.tensor([2.0, 20.0], dtype=torch.float64)
LR = 0.05
M = 0.9
STEPS = 60


def f(w):
    return 0.5 * (CURVATURES * w**2).sum()


def gradient(w):
    return CURVATURES * w


def sutskever(lrs, m=M, w0=START):
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


def pytorch(lrs, m=M, w0=START):
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
print(f"lr = {LR}, m = {M}, {STEPS} steps from (2, 20):")
print(f"  largest |p_t - (w_t + m v_t)|      = {gap(ps, ws + M * vs):.1e}")
print(f"  largest |p_t - w_t|                = {gap(ps, ws):.2f}")
print(f"  largest |w_t - (p_t + lr m b_t)|  = {gap(ws[1:], ps[1:] + LR * M * bs):.1e}")
print(f"  largest |v_t + lr b_t|             = {gap(vs[1:], -LR * bs):.1e}")

# %% A learning rate that changes: the two forms part
halved = [LR] * (STEPS // 2) + [LR / 2] * (STEPS - STEPS // 2)
ws_h, vs_h = sutskever(halved)
ps_h, _ = pytorch(halved)
print(f"lr halved after step {STEPS // 2}: largest |p_t - (w_t + m v_t)| = {gap(ps_h, ws_h + M * vs_h):.2f}")

SHOWN = 21  # the first 20 steps, where the x coordinate still moves
plt.figure("nesterov", figsize=(7, 3.6))
plt.plot(ws[:SHOWN, 0], "-", color="C0", label="Sutskever: w_t")
plt.plot((ws + M * vs)[:SHOWN, 0], "-", color="C1", linewidth=4, alpha=0.5, label="Sutskever: look-ahead w_t + m v_t")
plt.plot(ps[:SHOWN, 0], "o", markersize=4, color="C3", label="torch.optim.SGD(nesterov=True): p_t")
plt.xticks(range(0, SHOWN, 2))
plt.axhline(0, color="0.5", linewidth=0.8)
plt.xlabel("iteration t")
plt.ylabel("x coordinate")
plt.grid(alpha=0.3)
plt.legend(fontsize="small")
plt.show()
