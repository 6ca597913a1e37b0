"""Fourteen optimizers from scratch, each checked against torch.optim

Every optimizer of the handbook's optimizer pages is written here as one function that
applies its update rule to one tensor, with no in-place tricks. One harness runs each
function beside its torch.optim class on a small seeded problem, in every setting listed
with it, in float64 and in float32, and records the largest difference between the two
sets of iterates.
"""

# %%
import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

SEED = 0
STEPS = 30  # steps of each run
DTYPES = {"float64": torch.float64, "float32": torch.float32}
SMOOTH = {"float64": 1e-12, "float32": 1e-4}  # the tolerance of most members, per dtype
float32_eps = torch.finfo(torch.float32).eps  # the relative rounding of a float32 operation


@dataclass(frozen=True)
class Member:
    """One optimizer of the family: what it is checked against, on what, how closely."""

    optimizer: type  # the torch.optim class
    step: object  # the update: step(theta, grad, state, **options) -> new theta
    problem: object  # problem(dtype) -> (starting parameters, loss(params, t))
    settings: list  # constructor options to compare, the defaults ({}) first
    tolerance: dict = field(default_factory=lambda: SMOOTH)  # 0: identical; None: no claim
    compared: tuple = ()  # state entries compared too, under the same key on both sides
    torch_options: dict = field(default_factory=dict)  # what torch needs and step does not


FAMILY = {}  # name -> Member, filled in below, one optimizer per section


# %% [markdown]
# ## What the update rules share
#
# Most optimizers negate the gradient when maximizing and add weight decay to it (an L2
# term), or shrink the parameter instead (decoupled weight decay); most keep exponential
# averages and a step counter.

# %%
# --8<-- [start:helpers]
def gradient(theta, grad, lr=0.0, weight_decay=0.0, maximize=False, decoupled=False):
    """(theta, g): the gradient negated to maximize, plus weight_decay * theta (L2);
    or, decoupled, g left alone and theta shrunk by 1 - lr * weight_decay."""
    g = -grad if maximize else grad
    if weight_decay and decoupled:
        return theta * (1 - lr * weight_decay), g
    if weight_decay:
        return theta, g + weight_decay * theta
    return theta, g


def average(state, key, value, beta):
    """state[key] <- beta * state[key] + (1 - beta) * value, from 0."""
    state[key] = beta * state.get(key, 0) + (1 - beta) * value
    return state[key]


def count(state):
    """The step number t = 1, 2, ..., kept in state["t"]."""
    state["t"] = state.get("t", 0) + 1
    return state["t"]
# --8<-- [end:helpers]


# %% [markdown]
# ## The problems
#
# Each returns the starting parameters and a loss of the parameters and the step number.

# %%
def predict(W, b, X):
    """X @ W.T + b, written elementwise: on tensors this small, BLAS costs more."""
    return (X.unsqueeze(1) * W).sum(-1) + b


def least_squares(dtype):
    """A 3x5 weight and a bias of 3 fitted to 32 noisy samples (seeded)."""
    generator = torch.Generator().manual_seed(SEED)
    X = torch.randn(32, 5, generator=generator, dtype=dtype)
    W_true = torch.randn(3, 5, generator=generator, dtype=dtype)
    Y = predict(W_true, 0, X) + 0.1 * torch.randn(32, 3, generator=generator, dtype=dtype)
    W = 0.5 * torch.randn(3, 5, generator=generator, dtype=dtype)
    return [W, torch.zeros(3, dtype=dtype)], lambda params, t=None: (
        (predict(*params, X) - Y) ** 2).mean()


def two_layers(dtype):
    """A tall 10x6 and a wide 4x10 matrix: tanh(X W1^T) W2^T fitted to random targets."""
    generator = torch.Generator().manual_seed(SEED)
    X = torch.randn(16, 6, generator=generator, dtype=dtype)
    Y = torch.randn(16, 4, generator=generator, dtype=dtype)
    shapes = ((10, 6), (4, 10))
    start = [torch.randn(shape, generator=generator, dtype=dtype) / 3 for shape in shapes]
    return start, lambda params, t=None: (
        (torch.tanh(X @ params[0].T) @ params[1].T - Y) ** 2).mean()


def rosenbrock(dtype):
    """(1 - x)^2 + 100 (y - x^2)^2 from the classic start (-1.2, 1): a curved valley."""
    def loss(params, t=None):
        x, y = params[0]
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    return [torch.tensor([-1.2, 1.0], dtype=dtype)], loss


def lookups(dtype):
    """An embedding table of 10 rows of 3, four random rows looked up per step, each
    pulled towards a target of its own: a sparse gradient that leaves most rows out."""
    generator = torch.Generator().manual_seed(SEED)
    table = torch.randn(10, 3, generator=generator, dtype=dtype)
    targets = torch.randn(10, 3, generator=generator, dtype=dtype)
    batches = [torch.randint(0, 10, (4,), generator=generator) for _ in range(STEPS)]

    def loss(params, t=None):
        rows = torch.arange(10) if t is None else batches[t]  # None: the whole table
        return ((F.embedding(rows, params[0], sparse=True) - targets[rows]) ** 2).sum()

    return [table], loss


# %% [markdown]
# ## The update rules, one section per optimizer

# %%
# --8<-- [start:adagrad]
def adagrad_step(theta, grad, state, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10, maximize=False):
    """One Adagrad step: divide by the root of the sum of all squared gradients."""
    theta, g = gradient(theta, grad, weight_decay=weight_decay, maximize=maximize)
    t = count(state)
    G = state["G"] = state.get("G", initial_accumulator_value) + g * g
    lr_t = lr / (1 + (t - 1) * lr_decay)
    return theta - lr_t * g / (G.sqrt() + eps)


FAMILY["adagrad"] = Member(
    torch.optim.Adagrad, adagrad_step, least_squares,
    settings=[{}, {"lr": 0.5}, {"lr": 0.5, "lr_decay": 0.05},
              {"lr": 0.5, "weight_decay": 0.1}, {"lr": 0.5, "maximize": True},
              {"lr": 0.5, "initial_accumulator_value": 1.0}, {"lr": 0.5, "eps": 0.1}],
)
# --8<-- [end:adagrad]


# --8<-- [start:rmsprop]
def rmsprop_step(theta, grad, state, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0,
                 momentum=0.0, centered=False, maximize=False):
    """One RMSprop step: divide by the root of an average of squared gradients."""
    theta, g = gradient(theta, grad, weight_decay=weight_decay, maximize=maximize)
    v = average(state, "v", g * g, alpha)
    if centered:  # a variance instead of a second moment
        v = v - average(state, "g_avg", g, alpha) ** 2
    step = g / (v.sqrt() + eps)
    if momentum > 0:  # momentum on the normalised step, with weight 1
        step = state["b"] = momentum * state.get("b", 0) + step
    return theta - lr * step


FAMILY["rmsprop"] = Member(
    torch.optim.RMSprop, rmsprop_step, least_squares,
    settings=[{}, {"weight_decay": 0.1}, {"lr": 1e-3}, {"lr": 1e-3, "momentum": 0.9},
              {"centered": True}, {"lr": 1e-3, "centered": True, "momentum": 0.9},
              {"maximize": True}, {"alpha": 0.9, "eps": 0.1}],
)
# --8<-- [end:rmsprop]


# --8<-- [start:adadelta]
def adadelta_step(theta, grad, state, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0,
                  maximize=False):
    """One Adadelta step: the RMS of past updates over the RMS of gradients."""
    theta, g = gradient(theta, grad, weight_decay=weight_decay, maximize=maximize)
    v = average(state, "v", g * g, rho)  # average of g^2
    u = state.get("u", torch.zeros_like(theta))  # average of delta^2, the steps before
    delta = (u + eps).sqrt() / (v + eps).sqrt() * g
    average(state, "u", delta * delta, rho)  # delta before lr scales it
    return theta - lr * delta


FAMILY["adadelta"] = Member(
    torch.optim.Adadelta, adadelta_step, least_squares,
    settings=[{}, {"lr": 0.5}, {"rho": 0.5}, {"eps": 1e-3}, {"weight_decay": 0.1},
              {"maximize": True}],
)
# --8<-- [end:adadelta]


# --8<-- [start:adam]
def adam_step(theta, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
              weight_decay=0.0, amsgrad=False, maximize=False,
              decoupled_weight_decay=False):
    """One Adam step: a bias-corrected average of g over the root of one of g^2."""
    beta1, beta2 = betas
    theta, g = gradient(theta, grad, lr, weight_decay, maximize, decoupled_weight_decay)
    t = count(state)
    m, v = average(state, "m", g, beta1), average(state, "v", g * g, beta2)
    if amsgrad:  # the running maximum of the uncorrected average
        v = state["v_max"] = torch.maximum(state.get("v_max", v), v)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (v_hat.sqrt() + eps)


FAMILY["adam"] = Member(
    torch.optim.Adam, adam_step, least_squares,
    # beta2 = 0.9 lets v fall within the run: the running maximum makes a difference
    settings=[{}, {"lr": 0.05}, {"lr": 0.05, "betas": (0.9, 0.9)},
              {"lr": 0.05, "betas": (0.9, 0.9), "amsgrad": True},
              {"lr": 0.05, "weight_decay": 0.1},
              {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True},
              {"lr": 0.05, "maximize": True},
              {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-3}],
)
# --8<-- [end:adam]


# --8<-- [start:adamw]
def adamw_step(theta, grad, state, weight_decay=1e-2, **options):
    """One AdamW step: Adam's, with decoupled weight decay (and its own default)."""
    return adam_step(theta, grad, state, weight_decay=weight_decay,
                     decoupled_weight_decay=True, **options)


FAMILY["adamw"] = Member(
    torch.optim.AdamW, adamw_step, least_squares,
    settings=[{}, {"lr": 0.05}, {"lr": 0.05, "weight_decay": 0.0},
              {"lr": 0.05, "weight_decay": 1.0}, {"lr": 0.05, "maximize": True},
              {"lr": 0.05, "betas": (0.9, 0.9), "amsgrad": True}],
)
# --8<-- [end:adamw]


# --8<-- [start:adamax]
def adamax_step(theta, grad, state, lr=2e-3, betas=(0.9, 0.999), eps=1e-8,
                weight_decay=0.0, maximize=False):
    """One Adamax step: divide by a decaying maximum of |g| instead of Adam's RMS."""
    beta1, beta2 = betas
    theta, g = gradient(theta, grad, weight_decay=weight_decay, maximize=maximize)
    u = state.get("u", torch.zeros_like(theta))
    u = state["u"] = torch.maximum(beta2 * u, g.abs() + eps)
    m = average(state, "m", g, beta1)
    return theta - lr / (1 - beta1 ** count(state)) * m / u


FAMILY["adamax"] = Member(
    torch.optim.Adamax, adamax_step, least_squares,
    settings=[{}, {"lr": 0.05}, {"lr": 0.05, "weight_decay": 0.1},
              {"lr": 0.05, "eps": 0.1}, {"lr": 0.05, "maximize": True},
              {"lr": 0.05, "betas": (0.5, 0.9)}],
)
# --8<-- [end:adamax]


# --8<-- [start:nadam]
def nadam_step(theta, grad, state, lr=2e-3, betas=(0.9, 0.999), eps=1e-8,
               weight_decay=0.0, momentum_decay=4e-3, decoupled_weight_decay=False,
               maximize=False, mu_product_dtype=torch.float32):
    """One NAdam step: Adam's denominator, a Nesterov look-ahead in the numerator.
    torch keeps the product of the mu_t in float32 (mu_product_dtype rounds it so)."""
    beta1, beta2 = betas
    theta, g = gradient(theta, grad, lr, weight_decay, maximize, decoupled_weight_decay)
    t = count(state)
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    start = torch.tensor(1.0, dtype=mu_product_dtype)
    product = state["mu_product"] = state.get("mu_product", start) * mu
    product = product.item()
    m, v = average(state, "m", g, beta1), average(state, "v", g * g, beta2)
    denominator = (v / (1 - beta2**t)).sqrt() + eps
    numerator = (1 - mu) / (1 - product) * g + mu_next / (1 - product * mu_next) * m
    return theta - lr * numerator / denominator


FAMILY["nadam"] = Member(
    torch.optim.NAdam, nadam_step, least_squares,
    tolerance={"float64": 1e-12, "float32": 1e-3},
    settings=[{}, {"lr": 0.05, "betas": (0.8, 0.99)}, {"lr": 0.01, "weight_decay": 0.1},
              {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
              {"lr": 0.01, "momentum_decay": 0.5}, {"lr": 0.01, "maximize": True}],
)
# --8<-- [end:nadam]


# --8<-- [start:radam]
def rectifier(t, beta2):
    """(rho_t, r_t): the length of the approximated moving average at step t, and the
    rectifier (None while rho_t <= 5)."""
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    if rho_t <= 5:
        return rho_t, None
    return rho_t, math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t))


def radam_step(theta, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
               weight_decay=0.0, decoupled_weight_decay=False, maximize=False):
    """One RAdam step: a rectified Adam step, or a momentum step while rho_t <= 5."""
    beta1, beta2 = betas
    theta, g = gradient(theta, grad, lr, weight_decay, maximize, decoupled_weight_decay)
    t = count(state)
    m_hat = average(state, "m", g, beta1) / (1 - beta1**t)
    v = average(state, "v", g * g, beta2)
    _, r = rectifier(t, beta2)
    if r is None:  # too few samples for the variance: SGD with momentum
        return theta - lr * m_hat
    return theta - lr * m_hat * r * math.sqrt(1 - beta2**t) / (v.sqrt() + eps)


FAMILY["radam"] = Member(
    torch.optim.RAdam, radam_step, least_squares,
    tolerance={"float64": 1e-14, "float32": 1e-4},
    settings=[{}, {"lr": 0.05, "betas": (0.8, 0.99)}, {"lr": 0.01, "betas": (0.9, 0.8)},
              {"lr": 0.01, "weight_decay": 0.1},
              {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
              {"lr": 0.01, "maximize": True}],
)
# --8<-- [end:radam]


# --8<-- [start:sparseadam]
def sparseadam_step(theta, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                    maximize=False):
    """One SparseAdam step: Adam on the rows the sparse gradient holds, no others."""
    beta1, beta2 = betas
    grad = grad.coalesce()  # a row looked up twice: one entry, the two summed
    rows, g = grad.indices()[0], -grad.values() if maximize else grad.values()
    t = count(state)  # counts the table's steps, not the row's
    m = state.get("m", torch.zeros_like(theta)).clone()
    v = state.get("v", torch.zeros_like(theta)).clone()
    m[rows] = beta1 * m[rows] + (1 - beta1) * g
    v[rows] = beta2 * v[rows] + (1 - beta2) * g * g
    state["m"], state["v"] = m, v
    step_size = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
    theta = theta.clone()
    theta[rows] -= step_size * m[rows] / (v[rows].sqrt() + eps)
    return theta


FAMILY["sparseadam"] = Member(
    torch.optim.SparseAdam, sparseadam_step, lookups,
    tolerance={"float64": 1e-15, "float32": 1e-4},
    settings=[{}, {"lr": 0.05}, {"lr": 0.05, "betas": (0.5, 0.9)},
              {"lr": 0.01, "eps": 1e-2}, {"lr": 0.05, "maximize": True}],
)
# --8<-- [end:sparseadam]


# --8<-- [start:asgd]
def asgd_step(theta, grad, state, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6,
              weight_decay=0.0, maximize=False, scalar_dtype=torch.float32):
    """One ASGD step: SGD whose step size decays, and a running mean ax of the
    iterates. torch stores eta and mu as float32 tensors (scalar_dtype rounds so)."""
    def stored(x):
        return torch.tensor(x, dtype=scalar_dtype).item()

    theta, g = gradient(theta, grad, weight_decay=weight_decay, maximize=maximize)
    eta, mu = state.get("eta", stored(lr)), state.get("mu", 1.0)  # from the step before
    theta = (1 - lambd * eta) * theta - eta * g  # lambd shrinks theta as well
    ax = state.get("ax", 0)
    state["ax"] = ax + mu * (theta - ax)  # a copy of theta while mu = 1
    t = count(state)
    state["eta"] = stored(lr / (1 + lambd * lr * t) ** alpha)  # for the next step
    state["mu"] = stored(1 / max(1, t - t0))
    return theta


FAMILY["asgd"] = Member(
    torch.optim.ASGD, asgd_step, least_squares,
    settings=[{}, {"lr": 0.05}, {"lr": 0.05, "lambd": 0.01, "alpha": 0.5},
              {"lr": 0.05, "t0": 5}, {"lr": 0.05, "t0": 5, "weight_decay": 0.1},
              {"lr": 0.05, "t0": 5, "maximize": True}],
    compared=("ax",),
)
# --8<-- [end:asgd]


# --8<-- [start:rprop]
def rprop_step(theta, grad, state, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50),
               maximize=False):
    """One Rprop step: each element steps its own size against the gradient's sign."""
    _, g = gradient(theta, grad, maximize=maximize)
    prev = state.get("prev", torch.zeros_like(theta))  # last gradient, 0 after a flip
    agree = torch.sign(g * prev)  # +1 same sign, -1 flipped, 0
    factor = torch.ones_like(theta)  # in theta's dtype: 1.2 in float32 is not float64's
    factor[agree > 0], factor[agree < 0] = etas[1], etas[0]
    size = state.get("size", torch.full_like(theta, lr))
    size = state["size"] = (size * factor).clamp(*step_sizes)
    g = state["prev"] = torch.where(agree < 0, 0.0, g)  # flipped: no move in this step
    return theta - size * torch.sign(g)


FAMILY["rprop"] = Member(
    torch.optim.Rprop, rprop_step, least_squares,
    tolerance={"float64": 0.0, "float32": 0.0},
    settings=[{}, {"lr": 0.1}, {"lr": 0.1, "etas": (0.3, 1.5)},
              {"lr": 0.01, "step_sizes": (1e-3, 0.05)}, {"lr": 0.5},
              {"lr": 0.5, "step_sizes": (1e-6, 0.2)}, {"lr": 0.1, "maximize": True}],
)
# --8<-- [end:rprop]


# --8<-- [start:lbfgs]
def lbfgs_step(theta, grad, state, lr=1.0, history_size=100):
    """One L-BFGS iteration with a fixed step: the direction -H g from the last
    history_size pairs (s, y) by the two-loop recursion; the first: steepest descent."""
    g = grad.flatten()
    if "d" not in state:
        d, t = -g, min(1.0, 1.0 / g.abs().sum().item()) * lr
        state["pairs"], state["gamma"] = [], 1.0  # (s, y, 1 / y.s), oldest first
    else:
        s, y = state["t"] * state["d"], g - state["g"]
        if y @ s > 1e-10:  # keep pairs with positive curvature, the last history_size
            kept = state["pairs"][-(history_size - 1):] if history_size > 1 else []
            state["pairs"] = kept + [(s, y, 1.0 / (y @ s))]
            state["gamma"] = (y @ s) / (y @ y)  # scale of the initial inverse Hessian
        q, alphas = -g, []
        for s_i, y_i, rho_i in reversed(state["pairs"]):  # newest to oldest
            alphas.append(rho_i * (s_i @ q))
            q = q - alphas[-1] * y_i
        d = state["gamma"] * q
        for (s_i, y_i, rho_i), alpha in zip(state["pairs"], reversed(alphas)):
            d = d + (alpha - rho_i * (y_i @ d)) * s_i
        t = lr
    state.update(d=d, t=t, g=g)
    return theta + t * d.view_as(theta)


FAMILY["lbfgs"] = Member(
    torch.optim.LBFGS, lbfgs_step, rosenbrock,
    tolerance={"float64": 1e-9, "float32": None},
    settings=[{}, {"lr": 0.5}, {"lr": 0.8, "history_size": 5}, {"history_size": 2},
              {"history_size": 1}],
    torch_options={"max_iter": 1},  # one iteration per step(), as the function takes
)
# --8<-- [end:lbfgs]


# --8<-- [start:adafactor]
def rms(x):
    return (x.norm() / math.sqrt(x.numel())).item()


def adafactor_step(theta, grad, state, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3),
                   d=1.0, weight_decay=0.0, maximize=False):
    """One Adafactor step: a factored second moment for matrices, a step relative to
    the size of theta."""
    eps1 = torch.finfo(theta.dtype).eps if eps[0] is None else eps[0]
    t = count(state)
    weight = t**beta2_decay  # 1 - beta2_t
    alpha = max(eps[1], rms(theta)) * min(lr, 1 / math.sqrt(t))
    theta, g = gradient(theta, grad, lr, weight_decay, maximize, decoupled=True)
    if g.dim() > 1:  # row and column means of g^2: n + m numbers
        R, C = state.get("R", 0), state.get("C", 0)
        R = state["R"] = R + weight * ((g * g).mean(-1, keepdim=True) - R)
        C = state["C"] = C + weight * ((g * g).mean(-2, keepdim=True) - C)
        V = R @ C / R.mean(-2, keepdim=True).clamp(min=eps1)
    else:  # a vector: the full second moment
        V = state["V"] = state.get("V", 0) + weight * (g * g - state.get("V", 0))
    U = g / V.clamp(min=eps1 * eps1).sqrt()
    return theta - alpha * U / max(1.0, rms(U) / d)  # the update's RMS clipped to d


FAMILY["adafactor"] = Member(
    torch.optim.Adafactor, adafactor_step, least_squares,
    tolerance={"float64": 1e-15, "float32": 1e-4},
    settings=[{}, {"lr": 0.05}, {"lr": 0.05, "beta2_decay": -0.5},
              {"lr": 0.05, "d": 2.0}, {"lr": 0.05, "maximize": True},
              {"lr": 0.05, "weight_decay": 0.1, "eps": (1e-3, 1e-3)}],
)
# --8<-- [end:adafactor]


# --8<-- [start:muon]
def newton_schulz(m, coefficients=(3.4445, -4.7750, 2.0315), steps=5, eps=1e-7):
    """Orthogonalize m approximately, in bfloat16: its singular values towards 1."""
    a, b, c = coefficients
    tall = m.size(0) > m.size(1)
    x = m.bfloat16().T if tall else m.bfloat16()  # the wide orientation
    x = x / x.norm().clamp(min=eps)  # singular values now <= 1
    for _ in range(steps):  # b gram + c gram^2, then a x + (...) x: one rounding each
        gram = x @ x.T
        x = torch.addmm(x, torch.addmm(gram, gram, gram, beta=b, alpha=c), x, beta=a)
    return x.T if tall else x


def muon_step(theta, grad, state, lr=1e-3, weight_decay=0.1, momentum=0.95,
              nesterov=True, ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7,
              ns_steps=5, adjust_lr_fn=None):
    """One Muon step: momentum, orthogonalized, its step size set by the shape."""
    buffer = state.get("buffer", torch.zeros_like(grad))
    buffer = state["buffer"] = torch.lerp(buffer, grad, 1 - momentum)
    update = torch.lerp(grad, buffer, momentum) if nesterov else buffer
    o = newton_schulz(update, ns_coefficients, ns_steps, eps)
    rows, cols = theta.shape
    if adjust_lr_fn == "match_rms_adamw":
        adjusted = lr * (0.2 * math.sqrt(max(rows, cols)))  # this order, as torch's
    else:  # None or "original"
        adjusted = lr * math.sqrt(max(1, rows / cols))
    theta, _ = gradient(theta, grad, lr, weight_decay, decoupled=True)
    return torch.add(theta, o, alpha=-adjusted)  # one rounding, as torch's add_


FAMILY["muon"] = Member(
    torch.optim.Muon, muon_step, two_layers,
    tolerance={"float64": 0.0, "float32": 0.0},
    settings=[{}, {"lr": 0.02}, {"lr": 0.02, "momentum": 0.9, "nesterov": False},
              {"lr": 0.02, "weight_decay": 0.0, "adjust_lr_fn": "match_rms_adamw"},
              {"lr": 0.02, "ns_steps": 3}],
)
# --8<-- [end:muon]


# %% [markdown]
# ## The harness: each update rule beside torch.optim

# %%
# --8<-- [start:harness]
def run_scratch(name, options, dtype=torch.float64, steps=STEPS):
    """The iterates (and compared state entries) of the member's step, steps 0..steps."""
    member = FAMILY[name]
    params, loss = member.problem(dtype)
    sign = -1 if options.get("maximize") else 1  # maximize the negated loss: same minimum
    states = [{} for _ in params]
    history = [params + [torch.zeros_like(p) for p in params for _ in member.compared]]
    for t in range(steps):
        leaves = [p.detach().requires_grad_() for p in params]
        grads = torch.autograd.grad(sign * loss(leaves, t), leaves)
        params = [member.step(p, g, s, **options) for p, g, s in zip(params, grads, states)]
        history.append(params + [s[key] for s in states for key in member.compared])
    return history


def run_torch(name, options, dtype=torch.float64, steps=STEPS, optimizer=None, l2=0.0):
    """The same from the member's torch.optim class (or `optimizer`), on the loss plus
    l2 / 2 times the sum of squared parameters."""
    member = FAMILY[name]
    start, loss = member.problem(dtype)
    params = [p.clone().requires_grad_() for p in start]
    opt = (optimizer or member.optimizer)(params, **member.torch_options, **options)
    sign = -1 if options.get("maximize") else 1
    history = [start + [torch.zeros_like(p) for p in start for _ in member.compared]]
    for t in range(steps):
        def closure():
            opt.zero_grad()
            value = sign * loss(params, t)
            if l2:
                value = value + l2 / 2 * sum((p**2).sum() for p in params)
            value.backward()
            return value

        opt.step(closure)
        history.append([p.detach().clone() for p in params]
                       + [opt.state[p][key].clone() for p in params for key in member.compared])
    return history


def max_difference(first, second):
    """Largest absolute difference between two runs, over all steps and all elements."""
    return max((a - b).abs().max().item() for xs, ys in zip(first, second, strict=True)
               for a, b in zip(xs, ys, strict=True))
# --8<-- [end:harness]


def label(options):
    """The setting as a reader types it: lr=0.05, betas=(0.9, 0.9)."""
    return ", ".join(f"{key}={value!r}" for key, value in options.items()) or "defaults"


def compare(name):
    """One row per setting: the loss at the start and the end (float64), and the largest
    difference per dtype."""
    rows = []
    for options in FAMILY[name].settings:
        start, loss = FAMILY[name].problem(torch.float64)
        end = loss(run_torch(name, options)[-1][:len(start)]).item()
        row = {"setting": label(options), "start": loss(start).item(), "end": end}
        for dtype_name, dtype in DTYPES.items():
            scratch, reference = run_scratch(name, options, dtype), run_torch(name, options, dtype)
            row[dtype_name] = max_difference(scratch, reference)
        rows.append(row)
    return rows


# %% Every member against torch.optim
TOLERANCES = {name: member.tolerance for name, member in FAMILY.items()}
results = {name: compare(name) for name in FAMILY}
worst = {name: {d: max(row[d] for row in rows) for d in DTYPES} for name, rows in results.items()}

print(f"{STEPS} steps per run. Largest |from scratch - torch.optim| over each optimizer's")
print("settings, and the largest it is allowed (0: none, bit for bit; -: not held):")
print(f"  {'optimizer':<12} {'settings':>8} {'float64':>10} {'allowed':>9} {'float32':>10} {'allowed':>9}")
for name, member in FAMILY.items():
    allowed = {d: "-" if t is None else f"{t:.0e}" if t else "0" for d, t in member.tolerance.items()}
    print(f"  {member.optimizer.__name__:<12} {len(member.settings):>8} {worst[name]['float64']:>10.1e} "
          f"{allowed['float64']:>9} {worst[name]['float32']:>10.1e} {allowed['float32']:>9}")
