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
ULP_BOUND = 3  # the loop and torch.optim.SGD agree to this many units in the last place
TOLERANCE = 1e-15  # for comparisons of iterates (of size about 1) that should agree to rounding
MOMENTUM = 0.9
DAMPED = {"momentum": MOMENTUM, "dampening": 0.5}
LAMBDA = 0.1  # weight decay
LAMBDAS = (LAMBDA, 0.01)
VARIANTS = ({}, {"momentum": MOMENTUM}, {"momentum": MOMENTUM, "nesterov": True})  # plain, momentum, Nesterov
MOMENTA = (0.5, 0.9, 0.99)  # for the buffer-as-average check
AVERAGE_STEPS = 50
AVERAGE_TOLERANCE = 1e-16


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
    return float(gap(a, b) / np.spacing(b.abs().max().item()))


def describe(settings):
    return ", ".join(f"{key}={value}" for key, value in settings.items()) or "defaults"


ulp_rows = []  # per setting: the largest gap of the iterates and of the buffers, in ulp
for settings in SETTINGS:
    (mine, my_buffers), (theirs, their_buffers) = reference(**settings), torch_sgd(**settings)
    ulp_rows.append({"settings": describe(settings), "iterates": ulp_gap(mine, theirs),
                     "buffers": ulp_gap(my_buffers, their_buffers)})
settings_count = len(SETTINGS)
worst_ulp = max(max(row["iterates"], row["buffers"]) for row in ulp_rows)
largest_iterate = max(torch_sgd(**settings)[0].abs().max().item() for settings in SETTINGS)
print(f"largest difference over {STEPS} steps, in ulp of the largest value")
print(f"{'settings':<48} {'iterates':>9} {'buffers':>8}")
for row in ulp_rows:
    print(f"{row['settings']:<48} {row['iterates']:>9.2f} {row['buffers']:>8.2f}")
print(f"worst: {worst_ulp:g} ulp; the iterates have size up to {largest_iterate:.2f}")

# %% Dampening is skipped on the first step
_, buffers = torch_sgd(**DAMPED, steps=2)
g1 = gradient(W0)
second_gradient_weight = 1 - DAMPED["dampening"]  # b_2 = momentum b_1 + (1 - dampening) g_2
print(f"dampening = {DAMPED['dampening']}: b_1 = {np.array2string(buffers[0].numpy(), precision=6)}")
print(f"               g_1 = {np.array2string(g1.numpy(), precision=6)}")
print(f"  b_1 equals g_1 bit for bit: {torch.equal(buffers[0], g1)}")


# %% Weight decay is the gradient of (lambda / 2) ||w||^2
def penalized(lam, coefficient=0.5):
    """The loss plus coefficient * lam * ||w||^2."""
    return lambda w: loss(w) + coefficient * lam * (w * w).sum()


weight_decay_gap = max(
    gap(torch_sgd(weight_decay=lam, **variant)[0], torch_sgd(penalized(lam), **variant)[0])
    for lam in LAMBDAS
    for variant in VARIANTS
)
print(f"weight_decay = lambda vs loss + lambda/2 ||w||^2, lambda in {LAMBDAS},")
print(f"  without momentum, with momentum, with Nesterov: largest difference {weight_decay_gap:.1e}")
full_penalty_gap = gap(torch_sgd(weight_decay=LAMBDA)[0], torch_sgd(penalized(LAMBDA, 1.0))[0])
print(f"penalty {LAMBDA} ||w||^2 instead: largest difference from weight_decay = {LAMBDA}: "
      f"{full_penalty_gap:.3f}")

# %% The buffer is the average of the gradients divided by 1 - m
buffer_average_gap = 0.0
for m in MOMENTA:
    path, buffers = torch_sgd(momentum=m, steps=AVERAGE_STEPS)
    average, worst = torch.zeros_like(W0), 0.0
    for t in range(AVERAGE_STEPS):
        average = m * average + (1 - m) * gradient(path[t])
        worst = max(worst, gap((1 - m) * buffers[t], average))
    buffer_average_gap = max(buffer_average_gap, worst)
    print(f"m = {m}: largest |(1 - m) buffer - average from 0| over {AVERAGE_STEPS} steps: {worst:.1e}")

# %% maximize = True on -f is minimizing f
concave = lambda w: -loss(w)  # noqa: E731 - a function to maximize
maximize_bit_for_bit = all(
    torch.equal(torch_sgd(concave, maximize=True, **variant)[0], torch_sgd(**variant)[0]) for variant in VARIANTS
)
print("maximize -f vs minimize f, without momentum, with momentum, with Nesterov:")
print(f"  bit for bit the same: {maximize_bit_for_bit}")
by_hand, _ = reference(grad=lambda w: -gradient(w), momentum=MOMENTUM, maximize=True)
maximize_gap = gap(by_hand, torch_sgd(concave, momentum=MOMENTUM, maximize=True)[0])
print(f"maximize -f, by hand vs torch.optim.SGD: largest difference {maximize_gap:.1e}")
maximized_decay, _ = torch_sgd(concave, momentum=MOMENTUM, maximize=True, weight_decay=LAMBDA)
maximize_decay_gap = gap(maximized_decay, torch_sgd(penalized(LAMBDA), momentum=MOMENTUM)[0])
print(f"with weight_decay = {LAMBDA} too: largest difference from minimizing")
print(f"  f + {LAMBDA}/2 ||w||^2: {maximize_decay_gap:.1e}")
decayed_norm = maximized_decay[-1].norm().item()
plain_norm = torch_sgd(momentum=MOMENTUM)[0][-1].norm().item()
print(f"  final ||w||: {decayed_norm:.4f} with weight decay, {plain_norm:.4f} without")
