"""SGD's update rule from scratch, option by option, against torch.optim.SGD

A least-squares problem in four weights (float64). The rule is written out once, with weight
decay, maximize, momentum, dampening and Nesterov, and run beside torch.optim.SGD for 100 steps
under several settings. Then three of its consequences: the first step skips dampening, weight
decay is the gradient of (lambda / 2) ||w||^2, and maximize is minimizing the negated function.
"""

# %%
import numpy as np
import torch

torch.manual_seed(0)
FEATURES = torch.randn(32, 4, dtype=torch.float64)
TARGETS = torch.randn(32, dtype=torch.float64)
W0 = torch.randn(4, dtype=torch.float64)
LR = 0.1
STEPS = 100
SETTINGS = (
    {},
    {"momentum": 0.9},
    {"momentum": 0.9, "dampening": 0.5},
    {"momentum": 0.9, "nesterov": True},
    {"weight_decay": 0.1},
    {"momentum": 0.8, "dampening": 0.3, "weight_decay": 0.05},
    {"momentum": 0.9, "nesterov": True, "weight_decay": 0.05},
)


def loss(w):
    """f(w) = ||Xw - y||^2 / (2n)."""
    return 0.5 * ((FEATURES @ w - TARGETS) ** 2).mean()


def gradient(w):
    """f's gradient by hand: X^T (Xw - y) / n."""
    return FEATURES.T @ (FEATURES @ w - TARGETS) / len(TARGETS)


def reference(grad=gradient, w0=W0, lr=LR, steps=STEPS, momentum=0.0, dampening=0.0,
              weight_decay=0.0, nesterov=False, maximize=False):
    """The update written out. Returns the iterates w_0 ... w_steps and the buffers b_1 ... b_steps."""
    w, b, path, buffers = w0.clone(), None, [w0.clone()], []
    for t in range(1, steps + 1):
        g = -grad(w) if maximize else grad(w)
        g = g + weight_decay * w  # weight decay: the gradient of (weight_decay / 2) ||w||^2
        if momentum != 0:
            b = g if t == 1 else momentum * b + (1 - dampening) * g  # no dampening on step 1
            g = g + momentum * b if nesterov else b
            buffers.append(b)
        w = w - lr * g
        path.append(w)
    return torch.stack(path), buffers


def torch_sgd(objective=loss, w0=W0, lr=LR, steps=STEPS, **settings):
    """torch.optim.SGD on `objective`. Returns w_0 ... w_steps and its momentum buffers."""
    w = w0.clone().requires_grad_()
    optimizer = torch.optim.SGD([w], lr=lr, **settings)
    path, buffers = [w.detach().clone()], []
    for _ in range(steps):
        optimizer.zero_grad()
        objective(w).backward()
        optimizer.step()
        path.append(w.detach().clone())
        if "momentum_buffer" in optimizer.state[w]:
            buffers.append(optimizer.state[w]["momentum_buffer"].clone())
    return torch.stack(path), buffers


def gap(a, b):
    return (a - b).abs().max().item()


# %% The rule by hand beside torch.optim.SGD
def ulp_gap(mine, theirs):
    """Largest |difference| over all steps, in units in the last place of the largest value."""
    if not len(mine):
        return 0.0
    a, b = torch.stack(list(mine)), torch.stack(list(theirs))
    return gap(a, b) / np.spacing(b.abs().max().item())


print(f"{'settings':<55} {'iterates':>9} {'buffers':>8}   (largest difference, in ulp)")
for settings in SETTINGS:
    shown = ", ".join(f"{key}={value}" for key, value in settings.items()) or "defaults"
    (mine, my_buffers), (theirs, their_buffers) = reference(**settings), torch_sgd(**settings)
    print(f"{shown:<55} {ulp_gap(mine, theirs):>9.1f} {ulp_gap(my_buffers, their_buffers):>8.1f}")
print(f"over {STEPS} steps; the iterates have size up to {torch_sgd()[0].abs().max().item():.2f}")

# %% Dampening is skipped on the first step
_, buffers = torch_sgd(momentum=0.9, dampening=0.5, steps=2)
g1 = gradient(W0)
print(f"dampening = 0.5: b_1 = {buffers[0].numpy().round(6)}")
print(f"              g_1 = {g1.numpy().round(6)}  (not 0.5 g_1)")

# %% Weight decay is the gradient of (lambda / 2) ||w||^2
LAMBDA = 0.1
VARIANTS = ({}, {"momentum": 0.9}, {"momentum": 0.9, "nesterov": True})
decayed, _ = torch_sgd(momentum=0.9, weight_decay=LAMBDA)
penalized, _ = torch_sgd(lambda w: loss(w) + LAMBDA / 2 * (w * w).sum(), momentum=0.9)
print(f"weight_decay = {LAMBDA} vs loss + {LAMBDA}/2 ||w||^2: largest difference {gap(decayed, penalized):.1e}")
worst = max(
    gap(torch_sgd(weight_decay=lam, **v)[0], torch_sgd(lambda w, lam=lam: loss(w) + lam / 2 * (w * w).sum(), **v)[0])
    for lam in (0.1, 0.01)
    for v in VARIANTS
)
print(f"  lambda in (0.1, 0.01), without momentum, with momentum 0.9, with Nesterov: largest difference {worst:.1e}")
full, _ = torch_sgd(lambda w: loss(w) + LAMBDA * (w * w).sum())
print(f"penalty {LAMBDA} ||w||^2 instead: largest difference from weight_decay = {LAMBDA}: "
      f"{gap(torch_sgd(weight_decay=LAMBDA)[0], full):.3f}")

# %% The buffer is the average of the gradients divided by 1 - m
for m in (0.5, 0.9, 0.99):
    path, buffers = torch_sgd(momentum=m, steps=50)
    average, worst = torch.zeros_like(W0), 0.0
    for t in range(50):
        average = m * average + (1 - m) * gradient(path[t])
        worst = max(worst, gap((1 - m) * buffers[t], average))
    print(f"m = {m}: largest |(1 - m) momentum_buffer - average from 0| over 50 steps: {worst:.1e}")

# %% maximize = True on g is minimizing -g
concave = lambda w: -loss(w)  # noqa: E731 - a function to maximize
maximized, _ = torch_sgd(concave, momentum=0.9, maximize=True)
minimized, _ = torch_sgd(momentum=0.9)
print(f"maximize -f vs minimize f: largest difference {gap(maximized, minimized):.1e}")
same = all(torch.equal(torch_sgd(concave, maximize=True, **v)[0], torch_sgd(**v)[0]) for v in VARIANTS)
print(f"  without momentum, with momentum 0.9, with Nesterov: bit for bit the same: {same}")
by_hand, _ = reference(grad=lambda w: -gradient(w), momentum=0.9, maximize=True)
print(f"maximize -f, by hand vs torch.optim.SGD: largest difference {gap(by_hand, maximized):.1e}")
maximized_decay, _ = torch_sgd(concave, momentum=0.9, maximize=True, weight_decay=LAMBDA)
print(f"with weight_decay = {LAMBDA} too: largest difference from minimizing f + {LAMBDA}/2 ||w||^2: "
      f"{gap(maximized_decay, penalized):.1e}")
