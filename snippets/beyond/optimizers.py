"""Lion, Schedule-Free AdamW, SOAP and ADOPT from scratch

Four optimizers that torch.optim does not ship, each written as one function that takes a
parameter, its gradient and a dict of state, and returns the new parameter. A small
torch.optim.Optimizer subclass applies such a function to every parameter of a model, so that the
four run the same problems in the same loops: a least-squares fit in mini-batches (the one the
tests compare with the reference packages), the handbook's ill-conditioned quadratic and
Rosenbrock function, and a 64-32-10 network on scikit-learn's digits. Then, for each optimizer,
the experiment behind the rule its users most often get wrong.
"""

# %%
import gzip
import importlib.util
import math
import pathlib

import matplotlib.pyplot as plt
import numpy as np
import torch

NAMES = {"lion": "Lion", "sf": "Schedule-Free AdamW", "soap": "SOAP", "adopt": "ADOPT"}
PACKAGES = {"lion": "lion-pytorch", "sf": "schedulefree", "soap": "pytorch-optimizer", "adopt": "torch-adopt"}
SEED = 0
STEPS = 30  # least-squares steps per setting, compared with the reference packages by the tests
BATCH = 8  # rows per step: the 32 rows in four mini-batches, in turn
SETTINGS = {  # optimizer -> setting -> keyword arguments, the same for the reference class
    "lion": {
        "defaults": {},
        "lr=0.01": {"lr": 0.01},
        "weight_decay=1": {"lr": 0.01, "weight_decay": 1.0},
        "betas=(0.95, 0.98)": {"lr": 0.01, "betas": (0.95, 0.98)},
    },
    "sf": {
        "defaults": {},
        "lr=0.05": {"lr": 0.05},
        "weight_decay=0.1": {"lr": 0.05, "weight_decay": 0.1},
        "warmup_steps=10": {"lr": 0.05, "warmup_steps": 10},
        "r=1, weight_lr_power=1": {"lr": 0.05, "r": 1.0, "weight_lr_power": 1.0},
        "betas=(0.5, 0.9)": {"lr": 0.05, "betas": (0.5, 0.9)},
    },
    "soap": {
        "defaults": {},
        "lr=0.05": {"lr": 0.05},
        "precondition_frequency=3": {"lr": 0.05, "precondition_frequency": 3},
        "precondition_frequency=1, weight_decay=0": {"lr": 0.05, "precondition_frequency": 1, "weight_decay": 0.0},
        "shampoo_beta=0.5, betas=(0.9, 0.99)": {"lr": 0.05, "shampoo_beta": 0.5, "betas": (0.9, 0.99)},
    },
    "adopt": {
        "defaults": {},
        "lr=0.05": {"lr": 0.05},
        "weight_decay=0.1": {"lr": 0.05, "weight_decay": 0.1},
        "weight_decay=0.1, decouple": {"lr": 0.05, "weight_decay": 0.1, "decouple": True},
        "no clipping": {"lr": 0.05, "clip_lambda": None},
        "betas=(0.5, 0.5)": {"lr": 0.05, "betas": (0.5, 0.5)},
    },
}
# Largest |difference| from the reference's iterates allowed over the STEPS steps: rounding only.
# SOAP's reference orthogonalizes in float32 whatever the parameter's dtype (see its page).
TOLERANCES = {
    "lion": {"float64": 1e-12, "float32": 1e-5},
    "sf": {"float64": 1e-12, "float32": 1e-5},
    "soap": {"float64": 1e-5, "float32": 1e-4, "float64_before_refresh": 1e-12, "float64_qr_in_float32": 1e-8},
    "adopt": {"float64": 1e-12, "float32": 1e-5},
}
SF_PAPER_GAP = 1e-3  # schedulefree's two AdamW classes end at least this far apart on least squares
ADOPT_CLIP_GAP = 1e-3  # pytorch-optimizer's ADOPT and torch-adopt end at least this far apart
STATE_SHAPE = (64, 32)  # the float32 parameter whose state is measured, as on the overview page
QUADRATIC = {"start": (-4.0, 1.5), "steps": 100, "condition": 25.0}  # the handbook's shared problems
ROSENBROCK = {"start": (-1.5, 2.0), "steps": 200}
COMMON_LR = 0.1  # every optimizer's lr on the two 2-D problems, as on the overview page
TURN = 45.0  # degrees: the quadratic and its start turned together
DIGITS_LR = 0.01  # every optimizer's lr on digits, the overview's lr for Adam
DIGITS_STEPS = 150  # full-batch steps
SEEDS = (0, 1, 2)
HELD_OUT = 360


# %% [markdown]
# ## The four rules
# Each function updates one tensor. `state` is the optimizer's dict for that tensor, empty before
# the first step. The keyword defaults are those of the reference package the page names.

# %% Lion
# --8<-- [start:lion]
def lion(theta, grad, state, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
    """Lion: the sign of a blend of momentum and gradient; the momentum itself is averaged with beta2."""
    beta1, beta2 = betas
    m = state.get("m", torch.zeros_like(theta))
    direction = torch.sign(beta1 * m + (1 - beta1) * grad)
    state["m"] = beta2 * m + (1 - beta2) * grad
    return theta * (1 - lr * weight_decay) - lr * direction
# --8<-- [end:lion]


# %% Schedule-Free AdamW
# --8<-- [start:schedule_free]
def schedule_free(y, grad, state, lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                  warmup_steps=0, r=0.0, weight_lr_power=2.0):
    """Schedule-Free AdamW. The parameter holds y, where the gradient is taken; the state holds z
    and the second moment v; the average x, the point to evaluate, is recovered from y and z."""
    beta1, beta2 = betas
    if not state:
        state.update(t=0, z=y.clone(), v=torch.zeros_like(y), lr_max=0.0, weight_sum=0.0)
    t = state["t"] = state["t"] + 1
    z = state["z"]
    x = (y - (1 - beta1) * z) / beta1  # because y = (1 - beta1) z + beta1 x
    gamma = lr * min(1.0, t / warmup_steps) if warmup_steps else lr
    state["lr_max"] = max(state["lr_max"], gamma)
    weight = t**r * state["lr_max"] ** weight_lr_power
    state["weight_sum"] += weight
    c = weight / state["weight_sum"]
    v = state["v"] = beta2 * state["v"] + (1 - beta2) * grad**2
    step = grad / ((v / (1 - beta2**t)).sqrt() + eps) + weight_decay * y
    z = state["z"] = z - gamma * step
    x = (1 - c) * x + c * z
    return (1 - beta1) * z + beta1 * x


def schedule_free_x(y, state, betas=(0.9, 0.999), **options):
    """The average x that Schedule-Free evaluates (what optimizer.eval() puts in the parameter)."""
    return (y - (1 - betas[0]) * state["z"]) / betas[0] if state else y
# --8<-- [end:schedule_free]


# %% SOAP
# --8<-- [start:soap]
def soap(theta, grad, state, lr=3e-3, betas=(0.95, 0.95), shampoo_beta=None, eps=1e-8,
         weight_decay=0.01, precondition_frequency=10):
    """SOAP: Adam in the eigenbasis of Shampoo's factors L = E[G G^T] and R = E[G^T G], for a
    matrix; plain Adam (with decoupled weight decay) for a vector."""
    beta1, beta2 = betas
    beta_s = beta2 if shampoo_beta is None else shampoo_beta
    matrix = theta.dim() == 2
    if not state:  # the first gradient only sets up the statistics and the eigenbases
        state.update(t=0, m=torch.zeros_like(theta), v=torch.zeros_like(theta))
        if matrix:
            state["L"] = (1 - beta_s) * grad @ grad.T
            state["R"] = (1 - beta_s) * grad.T @ grad
            state["QL"], state["QR"] = eigenvectors(state["L"]), eigenvectors(state["R"])
        return theta
    t = state["t"] = state["t"] + 1

    def rotate(a):  # into the eigenbasis
        return state["QL"].T @ a @ state["QR"] if matrix else a

    def rotate_back(a):
        return state["QL"] @ a @ state["QR"].T if matrix else a

    m = state["m"] = beta1 * state["m"] + (1 - beta1) * grad
    v = state["v"] = beta2 * state["v"] + (1 - beta2) * rotate(grad) ** 2
    step_size = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
    theta = theta - step_size * rotate_back(rotate(m) / (v.sqrt() + eps))
    theta = theta * (1 - lr * weight_decay)
    if matrix:
        state["L"] = beta_s * state["L"] + (1 - beta_s) * grad @ grad.T
        state["R"] = beta_s * state["R"] + (1 - beta_s) * grad.T @ grad
        if t % precondition_frequency == 0:  # refresh the eigenbases: one power iteration and a QR
            state["QL"], order = refreshed(state["L"], state["QL"])
            state["v"] = state["v"][order, :]
            state["QR"], order = refreshed(state["R"], state["QR"])
            state["v"] = state["v"][:, order]
    return theta


def eigenvectors(factor):
    """Eigenvectors of a symmetric matrix, largest eigenvalue first."""
    return torch.linalg.eigh(factor).eigenvectors.flip(1)


def refreshed(factor, basis):
    """One power iteration from the current basis, orthogonalized by QR. Columns are first sorted by
    the eigenvalue they estimate, and the order is returned so that v follows its columns."""
    order = torch.argsort(torch.diag(basis.T @ factor @ basis), descending=True)
    return torch.linalg.qr(factor @ basis[:, order]).Q, order
# --8<-- [end:soap]


# %% ADOPT
# --8<-- [start:adopt]
def adopt(theta, grad, state, lr=1e-3, betas=(0.9, 0.9999), eps=1e-6,
          clip_lambda=lambda t: t**0.25, weight_decay=0.0, decouple=False):
    """ADOPT: normalize the gradient by the second moment of the *previous* gradients, clip it, and
    only then average it into the momentum. No bias correction."""
    beta1, beta2 = betas
    if weight_decay and not decouple:
        grad = grad + weight_decay * theta
    if not state:  # the first gradient only initializes v
        state.update(t=0, m=torch.zeros_like(theta), v=grad**2)
        return theta
    t = state["t"] = state["t"] + 1
    if weight_decay and decouple:
        theta = theta * (1 - lr * weight_decay)
    normalized = grad / state["v"].sqrt().clamp(min=eps)
    if clip_lambda is not None:
        normalized = normalized.clamp(-clip_lambda(t), clip_lambda(t))
    m = state["m"] = beta1 * state["m"] + (1 - beta1) * normalized
    state["v"] = beta2 * state["v"] + (1 - beta2) * grad**2
    return theta - lr * m
# --8<-- [end:adopt]


# %% Applying a rule to every parameter
# --8<-- [start:optimizer]
class FromScratch(torch.optim.Optimizer):
    """A torch.optim.Optimizer whose step() applies `rule` (one of the functions above) to each
    parameter; the param_groups carry the rule's keyword arguments."""

    def __init__(self, params, rule, **options):
        super().__init__(params, options)
        self.rule = rule

    @torch.no_grad()
    def step(self, closure=None):
        loss = None if closure is None else torch.enable_grad()(closure)()
        for group in self.param_groups:
            options = {key: value for key, value in group.items() if key != "params"}
            for p in group["params"]:
                if p.grad is not None:
                    p.copy_(self.rule(p, p.grad, self.state[p], **options))
        return loss


class ScheduleFree(FromScratch):
    """Schedule-Free AdamW with its two extra calls: eval() puts x into the parameters, train()
    puts y back. Like the reference, it starts in eval mode and refuses to step there."""

    def __init__(self, params, **options):
        super().__init__(params, schedule_free, **options)
        self.training = False

    def step(self, closure=None):
        if not self.training:
            raise RuntimeError("call optimizer.train() before optimizer.step()")
        return super().step(closure)

    @torch.no_grad()
    def eval(self):
        if self.training:
            for group, p in self._parameters():
                p.copy_(schedule_free_x(p, self.state[p], group.get("betas", (0.9, 0.999))))
            self.training = False

    @torch.no_grad()
    def train(self):
        if not self.training:
            for group, p in self._parameters():
                beta1, state = group.get("betas", (0.9, 0.999))[0], self.state[p]
                p.copy_((1 - beta1) * state["z"] + beta1 * p if state else p)
            self.training = True

    def _parameters(self):
        return [(group, p) for group in self.param_groups for p in group["params"]]
# --8<-- [end:optimizer]


RULES = {"lion": lion, "sf": schedule_free, "soap": soap, "adopt": adopt}


def make(key, params, **options):
    """The from-scratch optimizer `key` (lion, sf, soap, adopt) on `params`, ready to step."""
    if key == "sf":
        optimizer = ScheduleFree(params, **options)
        optimizer.train()
        return optimizer
    return FromScratch(params, RULES[key], **options)


def evaluating(optimizer):
    """Put a Schedule-Free optimizer's parameters at x (its eval mode); others have no such mode."""
    if hasattr(optimizer, "eval"):
        optimizer.eval()


# %% The least-squares problem that the tests run against the references
def least_squares(dtype=torch.float64):
    """Seeded: X (32 x 4), Y (32 x 4) and the start [W (4 x 4), b (4)]. W is square: see the SOAP page."""
    generator = torch.Generator().manual_seed(SEED)
    X = torch.randn(32, 4, generator=generator, dtype=dtype)
    W_true = torch.randn(4, 4, generator=generator, dtype=dtype)
    Y = X @ W_true.T + 0.1 * torch.randn(32, 4, generator=generator, dtype=dtype)
    start = [0.5 * torch.randn(4, 4, generator=generator, dtype=dtype), torch.zeros(4, dtype=dtype)]
    return X, Y, start


def descend(build, steps=STEPS, dtype=torch.float64):
    """Iterates [W, b] at steps 0..steps of the optimizer that build(params) returns, on the
    least-squares problem in mini-batches; for an optimizer with eval(), also the points x it
    evaluates (eval() after each step, then train() again)."""
    X, Y, start = least_squares(dtype)
    params = [p.clone().requires_grad_() for p in start]
    optimizer = build(params)
    history, evaluated = [start], [start]
    for step in range(steps):
        rows = slice(BATCH * step % len(X), BATCH * step % len(X) + BATCH)  # the next mini-batch
        optimizer.zero_grad()
        ((X[rows] @ params[0].T + params[1] - Y[rows]) ** 2).mean().backward()
        optimizer.step()
        history.append([p.detach().clone() for p in params])
        if hasattr(optimizer, "eval"):
            optimizer.eval()
            evaluated.append([p.detach().clone() for p in params])
            optimizer.train()
    return (history, evaluated) if hasattr(optimizer, "eval") else history


least_squares_shape = list(least_squares()[2][0].shape)


def max_difference(first, second):
    """Largest absolute difference between two runs, over all steps and all elements."""
    return max((a - b).abs().max().item() for xs, ys in zip(first, second) for a, b in zip(xs, ys))


def least_squares_loss(params, dtype=torch.float64):
    X, Y, _ = least_squares(dtype)
    return ((X @ params[0].T + params[1] - Y) ** 2).mean().item()


print(f"least squares, {STEPS} steps in mini-batches of {BATCH}, float64: loss, start -> end")
for key, settings in SETTINGS.items():
    for setting, options in settings.items():
        run = descend(lambda params: make(key, params, **options))
        run = run[1] if key == "sf" else run  # Schedule-Free: the point x it evaluates
        print(f"  {NAMES[key]:<20} {setting:<40} {least_squares_loss(run[0]):.3f} -> "
              f"{least_squares_loss(run[-1]):.4f}")


# %% State per parameter element
def state_bytes(build, shape=STATE_SHAPE):
    """Bytes of state tensors (those with at least one dimension, also inside lists) per parameter
    element, after two steps (SOAP and ADOPT only set up on the first) on one float32 parameter."""
    generator = torch.Generator().manual_seed(SEED)
    p = torch.nn.Parameter(torch.randn(shape, generator=generator))
    target = torch.randn(shape, generator=generator)
    optimizer = build([p])
    for _ in range(2):
        optimizer.zero_grad()
        ((p - target) ** 2).sum().backward()
        optimizer.step()
    values = [v for value in optimizer.state[p].values() for v in (value if isinstance(value, list) else [value])]
    return sum(v.nbytes for v in values if torch.is_tensor(v) and v.dim() > 0) / p.numel()


bytes_per_element = {key: state_bytes(lambda params: make(key, params)) for key in RULES}
bytes_per_element["adamw"] = state_bytes(torch.optim.AdamW)
print(f"\nstate per element of a float32 {STATE_SHAPE[0]} x {STATE_SHAPE[1]} parameter:")
for key, size in bytes_per_element.items():
    print(f"  {NAMES.get(key, 'AdamW (torch.optim)'):<20} {size:>3g} B")


# %% The shared 2-D problems
def quadratic(p, angle=0.0):
    """f = (u^2 + 25 v^2) / 2, where (u, v) is (x, y) turned by `angle` degrees; minimum 0 at 0."""
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    u, v = c * p[..., 0] + s * p[..., 1], -s * p[..., 0] + c * p[..., 1]
    return (u**2 + QUADRATIC["condition"] * v**2) / 2


def turned(point, angle):
    """The start that plays the role of `point` once the quadratic is turned by `angle` degrees."""
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return (c * point[0] - s * point[1], s * point[0] + c * point[1])


def rosenbrock(p):
    """f = (1 - x)^2 + 100 (y - x^2)^2; minimum 0 at (1, 1)."""
    return (1 - p[..., 0]) ** 2 + 100 * (p[..., 1] - p[..., 0] ** 2) ** 2


def path(build, function, start, steps):
    """Losses f at steps 0..steps (at x for Schedule-Free) of a 1 x 2 float64 matrix parameter."""
    p = torch.nn.Parameter(torch.tensor([start], dtype=torch.float64))
    optimizer = build([p])
    losses = [function(p).item()]
    for _ in range(steps):
        optimizer.zero_grad()
        function(p).sum().backward()
        optimizer.step()
        if hasattr(optimizer, "eval"):
            optimizer.eval()
            losses.append(function(p).item())
            optimizer.train()
        else:
            losses.append(function(p).item())
    return losses


shared = {
    key: {
        "quadratic": path(lambda ps: make(key, ps, lr=COMMON_LR), quadratic, QUADRATIC["start"], QUADRATIC["steps"]),
        "rosenbrock": path(lambda ps: make(key, ps, lr=COMMON_LR), rosenbrock, ROSENBROCK["start"], ROSENBROCK["steps"]),
    }
    for key in RULES
}
print(f"\nlr = {COMMON_LR}, otherwise the defaults: f after the last step (Schedule-Free: at x)")
print(f"  {'':<20} {'quadratic':>12} {'Rosenbrock':>12}")
for key, runs in shared.items():
    print(f"  {NAMES[key]:<20} {runs['quadratic'][-1]:>12.3g} {runs['rosenbrock'][-1]:>12.3g}")


# %% Digits: a 64-32-10 network, full batch
def load_digits():
    """8x8 digit images (1797 x 64, values 0-16) and labels, from the data file scikit-learn ships."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        raise SystemExit("This snippet reads the digits data that ships with scikit-learn: pip install scikit-learn")
    path = pathlib.Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    with gzip.open(path) as file:
        data = np.loadtxt(file, delimiter=",")
    return data[:, :-1], data[:, -1].astype(int)


def split(held_out=HELD_OUT, seed=0):
    """Pixels scaled to [0, 1]; a fixed random split into training and held-out images."""
    images, labels = load_digits()
    x, y = torch.tensor(images / 16, dtype=torch.float32), torch.tensor(labels)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    return x[order[held_out:]], y[order[held_out:]], x[order[:held_out]], y[order[:held_out]]


DATA = split()


def network(seed, batch_norm=False):
    torch.manual_seed(seed)
    middle = [torch.nn.BatchNorm1d(32)] if batch_norm else []
    return torch.nn.Sequential(torch.nn.Linear(64, 32), *middle, torch.nn.ReLU(), torch.nn.Linear(32, 10))


def scores(model, data=DATA):
    """(training loss, held-out loss, held-out accuracy) of the model as it stands, in eval mode."""
    x_train, y_train, x_test, y_test = data
    model.eval()
    with torch.no_grad():
        train_loss = torch.nn.functional.cross_entropy(model(x_train), y_train).item()
        test_loss = torch.nn.functional.cross_entropy(model(x_test), y_test).item()
        accuracy = (model(x_test).argmax(dim=1) == y_test).float().mean().item()
    model.train()
    return train_loss, test_loss, accuracy


def train(build, seed=0, steps=DIGITS_STEPS, batch_norm=False, data=DATA):
    """Train full-batch; return the model, its optimizer (Schedule-Free left in train mode) and
    the RMS of the last update divided by lr."""
    x_train, y_train = data[0], data[1]
    model = network(seed, batch_norm)
    optimizer = build(model.parameters())
    for _ in range(steps):
        before = [p.detach().clone() for p in model.parameters()]
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x_train), y_train).backward()
        optimizer.step()
    change = torch.cat([(p.detach() - b).flatten() for p, b in zip(model.parameters(), before)])
    return model, optimizer, change.pow(2).mean().sqrt().item() / optimizer.param_groups[0]["lr"]


def final_scores(build, seed=0, **options):
    model, optimizer, _ = train(build, seed, **options)
    evaluating(optimizer)
    return scores(model)


digits = {
    key: np.array([final_scores(lambda ps: make(key, ps, lr=DIGITS_LR), seed) for seed in SEEDS])
    for key in RULES
}
print(f"\ndigits, lr = {DIGITS_LR}, {DIGITS_STEPS} full-batch steps, seeds {SEEDS} (mean):")
print(f"  {'':<20} {'training loss':>14} {'held-out accuracy':>18}")
for key, runs in digits.items():
    print(f"  {NAMES[key]:<20} {runs[:, 0].mean():>14.3g} {100 * runs[:, 2].mean():>16.1f} %")

# What the overview's comparison needs, one row per optimizer
comparison = [
    {
        "optimizer": NAMES[key],
        "package": PACKAGES[key],
        "bytes_per_element": bytes_per_element[key],
        "quadratic": shared[key]["quadratic"][-1],
        "rosenbrock": shared[key]["rosenbrock"][-1],
        "digits_loss": float(digits[key][:, 0].mean()),
        "digits_accuracy": float(digits[key][:, 2].mean()),
    }
    for key in RULES
]


# %% Lion: its lr and weight decay against AdamW's
LION_SWEEP = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)  # lr, seed 0, no weight decay for either
BUILDERS = {
    "AdamW": lambda lr, weight_decay=0.0: lambda ps: torch.optim.AdamW(ps, lr=lr, weight_decay=weight_decay),
    "Lion": lambda lr, weight_decay=0.0: lambda ps: make("lion", ps, lr=lr, weight_decay=weight_decay),
}
lion_sweep = {name: [train(build(lr)) for lr in LION_SWEEP] for name, build in BUILDERS.items()}
sweep_loss = {name: [scores(model)[0] for model, _, _ in runs] for name, runs in lion_sweep.items()}
update_rms = {name: [rms for _, _, rms in runs] for name, runs in lion_sweep.items()}  # last update / lr
best_lr = {name: LION_SWEEP[int(np.argmin(losses))] for name, losses in sweep_loss.items()}
best_lr_ratio = best_lr["AdamW"] / best_lr["Lion"]
at_adamw_best = LION_SWEEP.index(best_lr["AdamW"])
lion_penalty = sweep_loss["Lion"][at_adamw_best] / min(sweep_loss["Lion"])  # AdamW's best lr, in Lion
lion_rms_range = [min(update_rms["Lion"]), max(update_rms["Lion"])]
adamw_rms_at_best = update_rms["AdamW"][at_adamw_best]
sweep_rows = [  # the pages' tables: column names are the headers, the same in every language
    {"lr": lr, "AdamW loss": sweep_loss["AdamW"][i], "Lion loss": sweep_loss["Lion"][i],
     "AdamW RMS/lr": update_rms["AdamW"][i], "Lion RMS/lr": update_rms["Lion"][i]}
    for i, lr in enumerate(LION_SWEEP)
]
print(f"digits, seed 0, {DIGITS_STEPS} full-batch steps, weight_decay=0: training loss")
print(f"  {'lr':>6} {'AdamW':>10} {'Lion':>10}   last update RMS / lr: AdamW, Lion")
for i, lr in enumerate(LION_SWEEP):
    print(f"  {lr:>6g} {sweep_loss['AdamW'][i]:>10.3g} {sweep_loss['Lion'][i]:>10.3g}"
          f"   {update_rms['AdamW'][i]:>8.3f} {update_rms['Lion'][i]:>8.3f}")
print(f"best lr: AdamW {best_lr['AdamW']:g}, Lion {best_lr['Lion']:g}; Lion at {best_lr['AdamW']:g}: "
      f"{lion_penalty:.0f} times its best loss")

plt.figure("lion-lr-sweep", figsize=(6, 4))
for name, losses in sweep_loss.items():
    plt.loglog(LION_SWEEP, losses, "-o", label=name)
plt.xlabel("learning rate")
plt.ylabel(f"training loss after {DIGITS_STEPS} steps")
plt.title("digits, full batch, no weight decay")
plt.grid(alpha=0.3, which="both")
plt.legend()
plt.show()

# %% Weight decay is lr x weight_decay per step: the weights of blank pixels show it
DECAY = {"lr": 0.03, "weight_decay": 0.1, "factor": 3}  # AdamW's settings; Lion's lr is lr / factor
blank = (DATA[0] == 0).all(dim=0)  # pixels that are 0 in every training image: no gradient ever
decay_settings = {
    "AdamW": ("AdamW", DECAY["lr"], DECAY["weight_decay"]),
    "Lion, same weight_decay": ("Lion", DECAY["lr"] / DECAY["factor"], DECAY["weight_decay"]),
    "Lion, weight_decay x factor": ("Lion", DECAY["lr"] / DECAY["factor"], DECAY["weight_decay"] * DECAY["factor"]),
}


def blank_weight_shrink(name, lr, weight_decay, seed=0):
    """Final / initial norm of the first-layer weights that read the blank pixels."""
    start = network(seed)[0].weight.detach()[:, blank].norm()
    model, _, _ = train(BUILDERS[name](lr, weight_decay), seed)
    return (model[0].weight.detach()[:, blank].norm() / start).item()


decay_shrink = {label: blank_weight_shrink(*setting) for label, setting in decay_settings.items()}
blank_pixels = int(blank.sum())
lion_same_shrink = decay_shrink["Lion, same weight_decay"]
lion_scaled_shrink = decay_shrink["Lion, weight_decay x factor"]
decay_rows = [
    {"optimizer": name, "lr": lr, "weight_decay": weight_decay, "final/initial": decay_shrink[label],
     "(1 − lr·weight_decay)^t": (1 - lr * weight_decay) ** DIGITS_STEPS}
    for label, (name, lr, weight_decay) in decay_settings.items()
]
print(f"\n{int(blank.sum())} pixels are blank in every training image; the norm of their weights,")
print(f"final / initial, and (1 - lr weight_decay)^{DIGITS_STEPS}:")
for label, (name, lr, weight_decay) in decay_settings.items():
    print(f"  {label:<28} lr={lr:<5.3g} wd={weight_decay:<4.3g} {decay_shrink[label]:.4f}"
          f"  {(1 - lr * weight_decay) ** DIGITS_STEPS:.4f}")


# %% Schedule-Free: evaluate at x, and recompute BatchNorm's statistics there
SF_EVERY = 10  # steps between evaluations


def schedule_free_curves(seed=0):
    """Held-out loss at y (optimizer left in train mode) and at x (after optimizer.eval()), every SF_EVERY steps."""
    x_train, y_train = DATA[0], DATA[1]
    model = network(seed)
    optimizer = make("sf", model.parameters(), lr=DIGITS_LR)
    at_y, at_x = [], []
    for step in range(DIGITS_STEPS + 1):
        if step % SF_EVERY == 0:
            at_y.append(scores(model)[1])
            optimizer.eval()
            at_x.append(scores(model)[1])
            optimizer.train()
        if step < DIGITS_STEPS:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x_train), y_train).backward()
            optimizer.step()
    return at_y, at_x


sf_at_y, sf_at_x = schedule_free_curves()
print(f"Schedule-Free AdamW, lr = {DIGITS_LR}: held-out loss at y (train) and x (eval)")
for i in range(0, len(sf_at_y), 3):
    print(f"  step {i * SF_EVERY:>4}: y {sf_at_y[i]:.4f}   x {sf_at_x[i]:.4f}")

plt.figure("sf-x-and-y", figsize=(6, 4))
plt.semilogy(range(0, DIGITS_STEPS + 1, SF_EVERY), sf_at_y, "-o", label="at y: no optimizer.eval()")
plt.semilogy(range(0, DIGITS_STEPS + 1, SF_EVERY), sf_at_x, "-s", label="at x: after optimizer.eval()")
plt.xlabel("full-batch step")
plt.ylabel("held-out loss")
plt.title(f"Schedule-Free AdamW on digits, lr = {DIGITS_LR}")
plt.grid(alpha=0.3, which="both")
plt.legend()
plt.show()


def recalibrate(model, x_train=DATA[0]):
    """Recompute every BatchNorm's running statistics at the current weights: one pass over the
    training set in train mode, averaging all of it (momentum=None), without gradients."""
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm1d):
            module.reset_running_stats()
            module.momentum = None
    model.train()
    with torch.no_grad():
        model(x_train)


def batch_norm_mismatch(model, x_train=DATA[0]):
    """Relative distance between the BatchNorm's running mean and the mean it sees at these weights."""
    running = model[1].running_mean
    with torch.no_grad():
        actual = model[0](x_train).mean(dim=0)
    return ((running - actual).norm() / actual.norm()).item()


bn_model, bn_optimizer, _ = train(lambda ps: make("sf", ps, lr=DIGITS_LR), batch_norm=True)
bn_scores = {"at y, statistics of y": scores(bn_model)}
mismatch_at_y = batch_norm_mismatch(bn_model)
bn_optimizer.eval()
mismatch_at_x = batch_norm_mismatch(bn_model)
bn_scores["at x, statistics of y"] = scores(bn_model)
recalibrate(bn_model)
mismatch_recalibrated = batch_norm_mismatch(bn_model)
bn_scores["at x, recalibrated"] = scores(bn_model)
bn_rows = [
    {"weights": weights, "BatchNorm statistics": statistics, "mean off by": mismatch,
     "training loss": train_loss, "held-out loss": test_loss, "accuracy": accuracy}
    for (weights, statistics), (train_loss, test_loss, accuracy), mismatch
    in zip((("y", "from training"), ("x", "from training"), ("x", "recalibrated")), bn_scores.values(),
           (mismatch_at_y, mismatch_at_x, mismatch_recalibrated))
]
print("\nwith BatchNorm: its running mean against the mean it sees, relative:")
print(f"  weights at y {mismatch_at_y:.2e}, at x {mismatch_at_x:.2e}, at x after recalibrating {mismatch_recalibrated:.1e}")
for label, (train_loss, test_loss, accuracy) in bn_scores.items():
    print(f"  {label:<22} loss {train_loss:.4f}, held out {test_loss:.4f}, {100 * accuracy:.1f} %")


# %% SOAP: turn the problem and the start, and Adam's path changes but SOAP's does not
soap_turned = {
    name: {angle: path(build, lambda p: quadratic(p, angle), turned(QUADRATIC["start"], angle), QUADRATIC["steps"])
           for angle in (0.0, TURN)}
    for name, build in {"Adam": lambda ps: torch.optim.Adam(ps, lr=COMMON_LR),
                        "SOAP": lambda ps: make("soap", ps, lr=COMMON_LR)}.items()
}
turn_ratio = {name: runs[TURN][-1] / runs[0.0][-1] for name, runs in soap_turned.items()}
turned_rows = [
    {"optimizer": name, "f": runs[0.0][-1], "f turned": runs[TURN][-1], "ratio": turn_ratio[name]}
    for name, runs in soap_turned.items()
]
print(f"quadratic, lr = {COMMON_LR}, {QUADRATIC['steps']} steps: f at the end, as given and turned by {TURN:g} degrees")
for name, runs in soap_turned.items():
    print(f"  {name:<5} {runs[0.0][-1]:.4g} -> {runs[TURN][-1]:.4g}  (x {turn_ratio[name]:.4g})")

plt.figure("soap-turned", figsize=(6, 4))
for name, runs in soap_turned.items():
    for angle, style in ((0.0, "-"), (TURN, "--")):
        plt.semilogy(runs[angle], style, label=f"{name}, turned {angle:g}°")
plt.xlabel("step")
plt.ylabel("f")
plt.title(f"the quadratic (x² + 25y²)/2, lr = {COMMON_LR}")
plt.grid(alpha=0.3, which="both")
plt.legend()
plt.show()


# %% ADOPT: beta2 on Rosenbrock
ADOPT_BETA2 = (0.5, 0.9, 0.999, 0.9999)
adopt_beta2 = {
    name: {beta2: path(lambda ps: build(ps, beta2), rosenbrock, ROSENBROCK["start"], ROSENBROCK["steps"])
           for beta2 in ADOPT_BETA2}
    for name, build in {"ADOPT": lambda ps, b: make("adopt", ps, lr=COMMON_LR, betas=(0.9, b)),
                        "Adam": lambda ps, b: torch.optim.Adam(ps, lr=COMMON_LR, betas=(0.9, b))}.items()
}


def first_gradient_memory(beta2=0.9999, steps=ROSENBROCK["steps"]):
    """ADOPT on Rosenbrock: sqrt(v) after `steps` steps, divided by |the first gradient|, per coordinate."""
    p = torch.nn.Parameter(torch.tensor([ROSENBROCK["start"]], dtype=torch.float64))
    optimizer = make("adopt", [p], lr=COMMON_LR, betas=(0.9, beta2))
    first = None
    for _ in range(steps):
        optimizer.zero_grad()
        rosenbrock(p).sum().backward()
        first = p.grad.abs().clone() if first is None else first
        optimizer.step()
    return (optimizer.state[p]["v"].sqrt() / first)[0]


adopt_memory = first_gradient_memory()
beta2_rows = [
    {"β₂": beta2, "ADOPT f": adopt_beta2["ADOPT"][beta2][-1], "Adam f": adopt_beta2["Adam"][beta2][-1]}
    for beta2 in ADOPT_BETA2
]
first_gradient = torch.func.grad(lambda p: rosenbrock(p).sum())(torch.tensor([ROSENBROCK["start"]], dtype=torch.float64))[0]
print(f"Rosenbrock from {ROSENBROCK['start']}, lr = {COMMON_LR}, betas = (0.9, beta2): f after {ROSENBROCK['steps']} steps")
print(f"  {'beta2':>7} {'ADOPT':>10} {'Adam':>10}")
for beta2 in ADOPT_BETA2:
    print(f"  {beta2:>7g} {adopt_beta2['ADOPT'][beta2][-1]:>10.3g} {adopt_beta2['Adam'][beta2][-1]:>10.3g}")
print(f"first gradient {first_gradient.tolist()}; beta2 = 0.9999, after {ROSENBROCK['steps']} steps:")
print(f"  sqrt(v) / |first gradient| = {adopt_memory[0]:.3f}, {adopt_memory[1]:.3f}")

plt.figure("adopt-beta2", figsize=(6, 4))
for beta2 in ADOPT_BETA2:
    plt.semilogy(adopt_beta2["ADOPT"][beta2], label=f"β₂ = {beta2:g}")
plt.xlabel("step")
plt.ylabel("f")
plt.title(f"ADOPT on Rosenbrock, lr = {COMMON_LR}")
plt.grid(alpha=0.3, which="both")
plt.legend()
plt.show()
