"""Adam's first step, and Adam's weight_decay against AdamW's

Takes one step of several optimizers from w = 0 with gradients of every size from 1e-12 to 1e3
and prints how long the step is, in units of lr, in every coordinate: Adam's is lr whatever the
gradient's scale, until the gradient gets near eps. RMSprop, which corrects nothing, and Adam's
own averages without their bias correction take other first steps. Then it runs
Adam(weight_decay=0.01) and AdamW(weight_decay=0.01) on a loss whose gradient is zero, so that
the weight decay is all that moves the weights, and shows how differently the two apply it.
"""

# %%
import inspect
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

LR = 1e-3
SCALES = [10.0**k for k in range(-12, 4)]  # gradient sizes for the first step
SPREAD = 10.0  # a gradient of scale s has entries of size s / SPREAD ... s * SPREAD, random signs
COORDINATES = 1000  # coordinates per parameter
FIRST_STEP = ["SGD", "Adagrad", "RMSprop", "Adam", "Rprop"]  # compared on the first step, lr = LR
ADAM_SCALES = (1e-3, 1e3)  # where the page checks Adam's first step against its formula
FORMULA_RTOL = 1e-6  # float32 rounding: how closely a step must match its formula
TINY_GRADIENT = 1e-10  # a gradient below Adam's eps
RMSPROP_SCALES = (1e-2, 1.0, 1e3)  # entries from 1e-3 to 1e4
RMSPROP_MOMENTUM = 0.9  # Adam's beta1, as RMSprop's momentum
RMSPROP_RTOL = 1e-3  # how close RMSprop's first steps stay to their predicted size
PLATEAU_RTOL = 0.1  # the figure's description: a curve "sits at" a value when within 10 % of it
W0 = 1.0  # the weight the decay runs start from
WEIGHT_DECAY = 0.01
DECAY_STEPS = 2000
DECAY_RTOL = 1e-4  # float32 rounding over SHOWN_STEP steps: AdamW against (1 - lr weight_decay)^SHOWN_STEP
SHOWN_STEP = 1000  # the step the page quotes from the decay runs
DECOUPLED = {"lr": 1e-2, "weight_decay": 0.1}  # AdamW against Adam(decoupled_weight_decay=True)
DECOUPLED_STEPS = 100
DECADES = 4  # the quadratic's gradients span this many orders of magnitude
L2_GAP = 1e-2  # Adam(weight_decay) ends at least this far from AdamW
torch.manual_seed(0)


def default(name, argument):
    """The default of one argument of torch.optim.<name>, read from its signature."""
    return inspect.signature(getattr(torch.optim, name)).parameters[argument].default


adam_eps, adagrad_eps = default("Adam", "eps"), default("Adagrad", "eps")
adam_beta1, adam_beta2 = default("Adam", "betas")
rmsprop_alpha = default("RMSprop", "alpha")


def gradient(scale, n=COORDINATES, seed=0):
    """A float32 gradient whose entries have sizes from scale / SPREAD to scale * SPREAD and random signs."""
    generator = torch.Generator().manual_seed(seed)
    sizes = SPREAD ** (2 * torch.rand(n, generator=generator, dtype=torch.float64) - 1)
    signs = torch.randint(0, 2, (n,), generator=generator) * 2 - 1
    return (scale * sizes * signs).float()


def first_step(name, grad, lr=LR, **kwargs):
    """The first update w1 - w0 of optimizer `name` from w0 = 0 with this gradient."""
    w = torch.nn.Parameter(torch.zeros_like(grad))
    optimizer = getattr(torch.optim, name)([w], lr=lr, **kwargs)
    w.grad = grad.clone()
    optimizer.step()
    return w.detach().clone()


def first_step_ratio(name, grad, lr=LR, **kwargs):
    """|w1 - w0| / lr in every coordinate, in float64."""
    return first_step(name, grad, lr, **kwargs).abs().double() / lr


def uncorrected_adam_first_step(grad, lr=LR, betas=(adam_beta1, adam_beta2), eps=adam_eps):
    """Adam's first update with its two averages left uncorrected: -lr m1 / (sqrt(v1) + eps)."""
    m = (1 - betas[0]) * grad
    v = (1 - betas[1]) * grad**2
    return -lr * m / (v.sqrt() + eps)


# %% The first step, in units of lr, for gradients from 1e-12 to 1e3
def short(x):
    """A number in two significant digits, as a power of ten outside 0.01 ... 1000: 1e-5, 9.9e-3, 0.99."""
    if 0.01 <= abs(x) < 1000 and "e" not in f"{x:.2g}":
        return f"{x:.2g}"
    mantissa, _, exponent = f"{x:.1e}".partition("e")
    return mantissa.removesuffix(".0") + f"e{int(exponent)}"


lengths = {name: [] for name in FIRST_STEP}  # (smallest, largest) ratio per scale
print("|w1 - w0| / lr after one step from w = 0: smallest..largest coordinate")
print(f"{'scale':>7}" + "".join(f"{name:>14}" for name in FIRST_STEP))
for scale in SCALES:
    grad = gradient(scale)
    for name in FIRST_STEP:
        ratio = first_step_ratio(name, grad)
        lengths[name].append((ratio.min().item(), ratio.max().item()))
    cells = [f"{short(low)}..{short(high)}" for low, high in (lengths[name][-1] for name in FIRST_STEP)]
    print(f"{short(scale):>7}" + "".join(f"{cell:>14}" for cell in cells))


def plateau_from(low_high, rtol=PLATEAU_RTOL):
    """The smallest scale from which the curve (geometric mean of smallest and largest ratio) stays
    within rtol of its value at the largest scale."""
    curve = [math.sqrt(low * high) for low, high in low_high]
    start = len(curve)
    while start > 0 and abs(curve[start - 1] / curve[-1] - 1) <= rtol:
        start -= 1
    return SCALES[start]


plateau = {name: math.sqrt(lengths[name][-1][0] * lengths[name][-1][1]) for name in FIRST_STEP if name != "SGD"}
sits_from = {name: plateau_from(lengths[name]) for name in plateau}
print()
print(f"Where each curve sits within {PLATEAU_RTOL:.0%} of its value at large gradients:")
for name in plateau:
    print(f"    {name:<8} at {plateau[name]:.3g} from gradient scale {sits_from[name]:.0e} up")

fig, ax = plt.subplots(figsize=(7, 4.2), num="first-step")
styles = ["-o", "-s", "--^", "-D", ":v"]
for name, style in zip(FIRST_STEP, styles):
    low, high = np.array(lengths[name]).T
    scales = np.array(SCALES)
    ax.fill_between(scales, low, high, alpha=0.15)
    ax.loglog(scales, np.sqrt(low * high), style, markersize=4, label=name)
ax.axvline(adam_eps, color="0.5", linewidth=0.8)
ax.annotate(f"Adam's eps = {adam_eps:g}", (adam_eps, 1e-10), xytext=(4, 0), textcoords="offset points", color="0.35")
ax.set_xlabel(f"gradient scale (entries from 1/{SPREAD:g} to {SPREAD:g} times this)")
ax.set_ylabel("first step |w₁ − w₀| / lr")
ax.set_title(f"First step from w = 0, lr = {LR:g}, PyTorch defaults otherwise")
ax.grid(alpha=0.3, which="both")
ax.legend()
plt.show()

# %% Adam's first step is lr, short by eps / (|g| + eps)
adam_entries = [ADAM_SCALES[0] / SPREAD, ADAM_SCALES[1] * SPREAD]
adam_shortfall = 0.0  # the most any coordinate's first step falls short of lr
adam_formula_gap = 0.0  # the largest relative distance from lr g / (|g| + eps)
for scale in SCALES[SCALES.index(ADAM_SCALES[0]) : SCALES.index(ADAM_SCALES[1]) + 1]:
    grad = gradient(scale)
    step = first_step("Adam", grad).double()
    predicted = -LR * grad.double() / (grad.double().abs() + adam_eps)
    adam_formula_gap = max(adam_formula_gap, ((step - predicted).abs() / predicted.abs()).max().item())
    adam_shortfall = max(adam_shortfall, 1 - (step.abs() / LR).min().item())
eps_over_smallest = adam_eps / adam_entries[0]
half_at_eps = first_step_ratio("Adam", torch.full((10,), adam_eps)).max().item()
at_tiny = first_step_ratio("Adam", torch.full((10,), TINY_GRADIENT)).max().item()
print()
print(f"Adam, entries {adam_entries[0]:g} to {adam_entries[1]:g}:")
print(f"    first step within {adam_formula_gap:.1e} (relative) of lr g / (|g| + eps)")
print(f"    at most {adam_shortfall:.2e} short of lr; eps / smallest |g| = {eps_over_smallest:.0e}")
print(f"Adam's first step at |g| = eps = {adam_eps:g}: {half_at_eps:.4g} lr")
print(f"Adam's first step at |g| = {TINY_GRADIENT:g}: {at_tiny:.3g} lr")

# %% RMSprop corrects nothing; neither would Adam without its bias correction
rmsprop_first = {}  # alpha -> (smallest, largest) first step / lr over RMSPROP_SCALES
for alpha, extra in ((rmsprop_alpha, {}), (adam_beta2, {"momentum": RMSPROP_MOMENTUM})):
    ratios = torch.cat([first_step_ratio("RMSprop", gradient(scale), alpha=alpha, **extra) for scale in RMSPROP_SCALES])
    rmsprop_first[f"{alpha:g}"] = [ratios.min().item(), ratios.max().item()]
rmsprop_default_first = rmsprop_first[f"{rmsprop_alpha:g}"][1]
rmsprop_adam_first = rmsprop_first[f"{adam_beta2:g}"][1]
rmsprop_entries = [RMSPROP_SCALES[0] / SPREAD, RMSPROP_SCALES[-1] * SPREAD]
uncorrected = (uncorrected_adam_first_step(gradient(1.0)).abs() / LR).double()
uncorrected_first = uncorrected.max().item()
momentum_sum_factor = rmsprop_adam_first / uncorrected_first  # RMSprop's momentum sums where Adam averages
print()
print(f"First step / lr for entries {rmsprop_entries[0]:g} to {rmsprop_entries[1]:g}:")
for alpha, (low, high) in rmsprop_first.items():
    momentum = "" if alpha == f"{rmsprop_alpha:g}" else f", momentum={RMSPROP_MOMENTUM:g}"
    print(f"    RMSprop(alpha={alpha}{momentum}): {low:.4g} to {high:.4g}")
print(f"    Adam's averages without bias correction: {uncorrected_first:.4g}")
print(f"    RMSprop with momentum over uncorrected Adam: {momentum_sum_factor:.4g}")


# %% Adam(weight_decay) against AdamW(weight_decay) when only the decay acts
def decay_only(name, w0=W0, weight_decay=WEIGHT_DECAY, lr=LR, steps=DECAY_STEPS, **kwargs):
    """|w| after each step of `name` when the loss gradient is exactly zero."""
    w = torch.nn.Parameter(torch.full((1,), w0))
    optimizer = getattr(torch.optim, name)([w], lr=lr, weight_decay=weight_decay, **kwargs)
    sizes = [abs(w.item())]
    for _ in range(steps):
        w.grad = torch.zeros_like(w)  # a loss that does not depend on w
        optimizer.step()
        sizes.append(abs(w.item()))
    return sizes


adam_l2, adamw = decay_only("Adam"), decay_only("AdamW")
decay = {
    "Adam": {"first": adam_l2[1], "shown": adam_l2[SHOWN_STEP], "last": adam_l2[-1]},
    "AdamW": {"first": adamw[1], "shown": adamw[SHOWN_STEP], "last": adamw[-1]},
}
adamw_predicted = W0 * (1 - LR * WEIGHT_DECAY) ** SHOWN_STEP
adamw_formula_gap = abs(decay["AdamW"]["shown"] / adamw_predicted - 1)
print()
print(f"Zero loss gradient, w = {W0:g}, lr = {LR:g}, weight_decay = {WEIGHT_DECAY:g}: |w| after")
print(f"{'':<8}{'1 step':>10}{f'{SHOWN_STEP} steps':>13}{f'{DECAY_STEPS} steps':>13}")
for name, sizes in decay.items():
    print(f"{name:<8}{sizes['first']:>10.6f}{sizes['shown']:>13.4f}{sizes['last']:>13.4f}")
print(f"w (1 - lr weight_decay)^{SHOWN_STEP} = {adamw_predicted:.6f}; AdamW is {adamw_formula_gap:.1e} from it")

plt.figure("decay-without-gradient", figsize=(7, 3.6))
plt.plot(adam_l2, label="Adam: L2 term")
plt.plot(adamw, label="AdamW: decoupled")
plt.xlabel("step")
plt.ylabel("|w|")
plt.title(f"Zero loss gradient, w₀ = {W0:g}, lr = {LR:g}, weight_decay = {WEIGHT_DECAY:g}")
plt.grid(alpha=0.3)
plt.legend(loc="center right")
plt.show()


# %% AdamW is Adam with decoupled_weight_decay=True
def decoupled_run(name, steps=DECOUPLED_STEPS, **kwargs):
    """The weights after `steps` steps on a quadratic whose gradients span DECADES orders of magnitude."""
    generator = torch.Generator().manual_seed(0)
    target = torch.randn(50, generator=generator)
    curvature = torch.logspace(-DECADES / 2, DECADES / 2, 50)
    w = torch.nn.Parameter(torch.randn(50, generator=generator))
    optimizer = getattr(torch.optim, name)([w], **kwargs)
    for _ in range(steps):
        optimizer.zero_grad()
        (curvature * (w - target) ** 2).sum().backward()
        optimizer.step()
    return w.detach()


adamw_run = decoupled_run("AdamW", **DECOUPLED)
decoupled_equal = torch.equal(adamw_run, decoupled_run("Adam", decoupled_weight_decay=True, **DECOUPLED))
no_decay_equal = torch.equal(decoupled_run("AdamW", lr=DECOUPLED["lr"], weight_decay=0), decoupled_run("Adam", lr=DECOUPLED["lr"]))
l2_gap = (decoupled_run("Adam", **DECOUPLED) - adamw_run).abs().max().item()
print()
print(f"{DECOUPLED_STEPS} steps, lr = {DECOUPLED['lr']:g}, weight_decay = {DECOUPLED['weight_decay']:g}:")
print(f"    AdamW == Adam(decoupled_weight_decay=True), bit for bit: {decoupled_equal}")
print(f"    AdamW(weight_decay=0) == Adam(), bit for bit: {no_decay_equal}")
print(f"    largest |Adam(weight_decay) - AdamW|: {l2_gap:.3g}")
