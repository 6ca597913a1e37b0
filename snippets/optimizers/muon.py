"""Muon: defaults, state, the 2-D rule, and a from-scratch implementation checked against torch.optim

Reads the defaults of torch.optim.Muon from its signature, measures its state, shows the error
for a parameter that is not a matrix and how Muon is paired with AdamW for the rest of a model,
and runs a from-scratch Muon beside torch.optim.Muon on a tall and a wide matrix for several
hyperparameter settings.
"""

# %%
import inspect
import math

import torch

STEPS = 12
SETTINGS = [  # hyperparameter settings for the comparison (unlisted ones keep their defaults)
    {},
    {"lr": 0.02},
    {"lr": 0.02, "momentum": 0.9, "nesterov": False},
    {"lr": 0.02, "weight_decay": 0.0, "adjust_lr_fn": "match_rms_adamw"},
    {"lr": 0.02, "ns_steps": 3},
]

torch.manual_seed(0)
X = torch.randn(16, 6)
Y = torch.randn(16, 4)
PARAMS0 = [torch.randn(10, 6) / 3, torch.randn(4, 10) / 3]  # a tall and a wide matrix


def loss_fn(w1, w2):
    """A two-layer network without biases, fitted to random targets."""
    return ((torch.tanh(X @ w1.T) @ w2.T - Y) ** 2).mean()


def grad_fn(params):
    params = [p.detach().requires_grad_(True) for p in params]
    loss_fn(*params).backward()
    return [p.grad for p in params]


def defaults(cls):
    """The keyword defaults of an optimizer class, read from its signature."""
    return {name: p.default for name, p in inspect.signature(cls).parameters.items() if name != "params"}


def error_for(parameter):
    """The exception torch.optim.Muon raises for this parameter, or None."""
    try:
        torch.optim.Muon([parameter])
    except Exception as error:  # noqa: BLE001 - we print whatever it raises
        return error
    return None


class TinyLanguageModel(torch.nn.Module):
    """Embedding, one hidden layer, output layer: the usual mix of 2-D and 1-D parameters."""

    def __init__(self, vocabulary=50, width=16):
        super().__init__()
        self.embed = torch.nn.Embedding(vocabulary, width)
        self.hidden = torch.nn.Linear(width, width)
        self.out = torch.nn.Linear(width, vocabulary)

    def forward(self, tokens):
        return self.out(torch.relu(self.hidden(self.embed(tokens))))


def split_for_muon(model):
    """Hidden 2-D weights for Muon; embeddings, the output layer and all biases for AdamW."""
    muon, adamw = [], []
    for name, p in model.named_parameters():
        hidden_matrix = p.ndim == 2 and not name.startswith(("embed", "out"))
        (muon if hidden_matrix else adamw).append((name, p))
    return muon, adamw


def train_pair(steps=30, seed=0):
    """Train TinyLanguageModel with Muon (hidden weight) and AdamW (the rest): losses per step."""
    torch.manual_seed(seed)
    model = TinyLanguageModel()
    tokens = torch.randint(0, 50, (64,))
    targets = (tokens * 7 + 3) % 50  # a fixed next-token rule to learn
    muon_params, adamw_params = split_for_muon(model)
    optimizers = [
        torch.optim.Muon([p for _, p in muon_params], lr=0.02),
        torch.optim.AdamW([p for _, p in adamw_params], lr=3e-3),
    ]
    losses = []
    for _ in range(steps):
        for optimizer in optimizers:
            optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(tokens), targets)
        loss.backward()
        for optimizer in optimizers:
            optimizer.step()
        losses.append(loss.item())
    return losses


# %% [markdown]
# ## Muon from scratch
#
# The update as torch 2.13 computes it (`_single_tensor_muon`), one matrix at a time. The
# Newton-Schulz iteration runs in bfloat16, as torch's does, so that the results can be
# compared bit for bit.

# %%
# --8<-- [start:scratch]
def newton_schulz(m, coefficients=(3.4445, -4.7750, 2.0315), steps=5,
                  eps=1e-7):
    """Approximately orthogonalize m: push its singular values towards 1."""
    a, b, c = coefficients
    x = m.bfloat16()
    tall = m.size(0) > m.size(1)
    if tall:
        x = x.T                                # work on the wide orientation
    x = x / x.norm().clamp(min=eps)            # singular values now <= 1
    for _ in range(steps):
        gram = x @ x.T
        # b * gram + c * gram @ gram, then a * x + (...) @ x, each in one
        # rounding step, as torch computes them
        poly = torch.addmm(gram, gram, gram, beta=b, alpha=c)
        x = torch.addmm(x, poly, x, beta=a)
    return x.T if tall else x


def adjusted_lr(lr, shape, adjust_lr_fn=None):
    rows, cols = shape
    if adjust_lr_fn == "match_rms_adamw":
        return lr * 0.2 * math.sqrt(max(rows, cols))
    return lr * math.sqrt(max(1, rows / cols))  # None or "original"


def muon(params0, steps, lr=1e-3, weight_decay=0.1, momentum=0.95,
         nesterov=True, ns_steps=5, adjust_lr_fn=None, grad=grad_fn):
    """Iterates of Muon for a list of matrices."""
    params = [p.clone() for p in params0]
    buffers = [torch.zeros_like(p) for p in params]
    iterates = [[p.clone() for p in params]]
    for _ in range(steps):
        grads = grad(params)
        for i, (p, g) in enumerate(zip(params, grads)):
            # lerp(a, b, w) = a + w (b - a): an exponential average of g
            buffers[i] = torch.lerp(buffers[i], g, 1 - momentum)
            m = buffers[i]
            if nesterov:
                m = torch.lerp(g, buffers[i], momentum)
            o = newton_schulz(m, steps=ns_steps)
            p = p * (1 - lr * weight_decay)             # decoupled decay
            step = adjusted_lr(lr, p.shape, adjust_lr_fn)
            # p - step * o in p's dtype with one rounding, as torch's add_
            params[i] = torch.add(p, o, alpha=-step)
        iterates.append([p.clone() for p in params])
    return iterates
# --8<-- [end:scratch]


def torch_iterates(params0, steps, **hyperparameters):
    """The same iterates from torch.optim.Muon."""
    params = [p.clone().requires_grad_(True) for p in params0]
    optimizer = torch.optim.Muon(params, **hyperparameters)
    iterates = [[p.detach().clone() for p in params]]
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(*params).backward()
        optimizer.step()
        iterates.append([p.detach().clone() for p in params])
    return iterates


def max_difference(ours, theirs):
    return max((a - b).abs().max().item()
               for mine, its in zip(ours, theirs, strict=True) for a, b in zip(mine, its, strict=True))


# %% Defaults, state, the 2-D rule
print(f"torch.optim.Muon defaults (torch {torch.__version__}):")
for name, value in defaults(torch.optim.Muon).items():
    print(f"  {name:<16} {value}")

w = torch.zeros(10, 6, requires_grad=True)
optimizer = torch.optim.Muon([w])
w.grad = torch.randn(10, 6)
optimizer.step()
print("\nstate of a 10 x 6 float32 matrix after one step:")
for name, value in optimizer.state[w].items():
    print(f"  {name}: shape {tuple(value.shape)} {value.dtype}, {value.numel() * value.element_size()} bytes")

model = TinyLanguageModel()
print("\ntorch.optim.Muon on each parameter of a small model:")
for name, p in model.named_parameters():
    error = error_for(p)
    print(f"  {name:<14} {str(tuple(p.shape)):<9} {'accepted' if error is None else type(error).__name__}")
print("the error for hidden.bias:")
print(f"  {error_for(model.hidden.bias)}")
muon_params, adamw_params = split_for_muon(model)
print("paired:\n  Muon:  " + ", ".join(n for n, _ in muon_params)
      + "\n  AdamW: " + ", ".join(n for n, _ in adamw_params))
losses = train_pair()
print(f"  30 steps of both: cross-entropy {losses[0]:.3f} -> {losses[-1]:.3f}")

# %% From scratch against torch.optim.Muon
print(f"\nfrom scratch vs torch.optim.Muon, {STEPS} steps, float32 10 x 6 and 4 x 10:")
print(f"  {'hyperparameters':<58} max |diff|")
for setting in SETTINGS:
    difference = max_difference(muon(PARAMS0, STEPS, **setting), torch_iterates(PARAMS0, STEPS, **setting))
    label = ", ".join(f"{k}={v}" for k, v in setting.items()) or "defaults"
    print(f"  {label:<58} {difference:.1e}")
