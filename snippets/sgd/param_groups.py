"""Parameter groups: one optimizer, a learning rate per group

A linear model y = w.x + b fitted by least squares, with the weights in one parameter group
(lr = 0.1, momentum 0.9) and the bias in another (lr = 0.01, no momentum given, so the
optimizer's default applies). The snippet prints the groups as the optimizer filled them in,
then checks 50 steps against the rule applied by hand, group by group.
"""

# %%
import textwrap

import torch

torch.manual_seed(0)
FEATURES = torch.randn(64, 3, dtype=torch.float64)
TARGETS = FEATURES @ torch.tensor([1.5, -2.0, 0.5], dtype=torch.float64) + 0.3
DEFAULTS = {"lr": 0.05, "momentum": 0.0}  # what the optimizer is built with
GROUPS = ({"name": "weights", "lr": 0.1, "momentum": 0.9}, {"name": "bias", "lr": 0.01})
STEPS = 50
TOLERANCE = 1e-15  # torch.optim.SGD and the rule by hand agree to rounding


def loss(w, b):
    return 0.5 * ((FEATURES @ w + b - TARGETS) ** 2).mean()


def gradients(w, b):
    """The loss's gradient by hand: (X^T r / n, mean r) with r = Xw + b - y."""
    r = FEATURES @ w + b - TARGETS
    return FEATURES.T @ r / len(r), r.mean()


def with_groups(steps=STEPS):
    """torch.optim.SGD with the two groups. Returns the optimizer and (w, b) after every step."""
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    tensors = {"weights": [w], "bias": [b]}
    optimizer = torch.optim.SGD([{**group, "params": tensors[group["name"]]} for group in GROUPS], **DEFAULTS)
    history = [(w.detach().clone(), b.detach().clone())]
    for _ in range(steps):
        optimizer.zero_grad()
        loss(w, b).backward()
        optimizer.step()
        history.append((w.detach().clone(), b.detach().clone()))
    return optimizer, history


def by_hand(steps=STEPS):
    """The same two groups by hand: w with lr 0.1 and momentum 0.9, b with lr 0.01 and none."""
    (w_group, b_group), w, b, buffer = GROUPS, torch.zeros(3, dtype=torch.float64), torch.tensor(0.0, dtype=torch.float64), None
    history = [(w.clone(), b.clone())]
    for _ in range(steps):
        g_w, g_b = gradients(w, b)
        buffer = g_w.clone() if buffer is None else w_group["momentum"] * buffer + g_w
        w = w - w_group["lr"] * buffer
        b = b - b_group["lr"] * g_b
        history.append((w.clone(), b.clone()))
    return history


# %% The groups as the optimizer filled them in
optimizer, history = with_groups()
for group in optimizer.param_groups:
    shown = ", ".join(f"{key} {value}" for key, value in group.items() if key not in ("params", "name"))
    print(textwrap.fill(f"group {group['name']!r}: {shown}", width=78, subsequent_indent="    "))

# %% The same as the rule applied per group by hand
hand = by_hand()
largest_gap = max(max((a - c).abs().max().item(), (b - d).abs().item()) for (a, b), (c, d) in zip(history, hand))
final_w, final_b = history[-1]
print(f"largest difference over {STEPS} steps: {largest_gap:.1e}")
print(f"after {STEPS} steps: w = ({', '.join(f'{x:.4f}' for x in final_w.tolist())}), b = {final_b.item():.4f}")
print(f"  loss {loss(final_w, final_b).item():.2e}")
