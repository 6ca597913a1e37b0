"""The optimizer race's reference: what torch.optim computes on six surfaces, step by step

The race on the handbook's race page runs torch.optim's update rules in the browser, in float32,
one operation at a time as PyTorch rounds them. This snippet records what PyTorch itself computes
for a grid of races: every optimizer the race offers, each with every option the race lets you
change, on six surfaces, for STEPS steps each. The tests run the race's engine on the same grid
and compare every iterate with these, bit for bit.

The gradients are explicit float32 formulas, not autograd: the same operations in the same order
as the race's, and as the code its "copy as PyTorch" button prints. The noisy quadratic adds noise
from a small seeded generator (xorshift32) that the race implements too.
"""

# %%
import inspect
import math

import numpy as np
import torch

STEPS = 200
SEED = 0  # the noisy quadratic's
SQRT_SAMPLES = 100_000  # float32 square roots compared with the correctly rounded ones


# %% [markdown]
# ## The surfaces
# Each function takes the point p = (x, y), a float32 tensor, and returns the gradient there.

# %%
class Noise:
    """xorshift32 from a hashed seed: uniform() draws from [-1, 1), 24 bits, exact in float32."""

    def __init__(self, seed):
        self.state = (seed + 1) * 0x9E3779B9 & 0xFFFFFFFF

    def uniform(self):
        state = self.state
        state ^= state << 13 & 0xFFFFFFFF
        state ^= state >> 17
        state ^= state << 5 & 0xFFFFFFFF
        self.state = state
        return (state >> 8) / 2**23 - 1


def quadratic(p):
    """The momentum chapter's valley: f = 4x² + 0.04y², curvatures 8 and 0.08."""
    return torch.tensor([8.0, 0.08]) * p


def rosenbrock(p):
    """Rosenbrock's banana: f = (1 - x)² + 100 (y - x²)², minimum at (1, 1)."""
    x, y = p
    t = y - x * x
    return torch.stack([-2 * (1 - x) - 400 * x * t, 200 * t])


def beale(p):
    """Beale's function: three squares, minimum at (3, 0.5) between flat plateaus."""
    x, y = p
    y2 = y * y
    y3 = y2 * y
    a = 1.5 - x + x * y
    b = 2.25 - x + x * y2
    c = 2.625 - x + x * y3
    gx = 2 * a * (y - 1) + 2 * b * (y2 - 1) + 2 * c * (y3 - 1)
    gy = 2 * a * x + 2 * b * (2 * x * y) + 2 * c * (3 * x * y2)
    return torch.stack([gx, gy])


def himmelblau(p):
    """Himmelblau's function: (x² + y - 11)² + (x + y² - 7)², four minima of 0."""
    x, y = p
    a = x * x + y - 11
    b = x + y * y - 7
    return torch.stack([4 * x * a + 2 * b, 2 * a + 4 * y * b])


def saddle(p):
    """A saddle: f = x² - y², unbounded below along y."""
    x, y = p
    return torch.stack([2 * x, -2 * y])


def noisy(p, noise):
    """A noisy quadratic: f = x²/2 + 2y², its gradient plus uniform noise from [-1, 1)."""
    x, y = p
    return torch.stack([x + noise.uniform(), 4 * y + noise.uniform()])


SURFACES = {f.__name__: f for f in [quadratic, rosenbrock, beale, himmelblau, saddle, noisy]}
STARTS = {
    "quadratic": [2.0, 20.0],
    "rosenbrock": [-1.5, 2.5],
    "beale": [1.0, 1.5],
    "himmelblau": [0.0, 0.0],
    "saddle": [-1.5, 0.01],
    "noisy": [2.5, 2.0],
}


# %% [markdown]
# ## The optimizers
# torch.optim's, on their default for-loop path, and Lion as lion-pytorch writes it (the handbook's
# Lion page uses that package as its reference; a snippet imports nothing beyond torch).

# %%
class Lion(torch.optim.Optimizer):
    """lion-pytorch's Lion (version 0.2.5), operation for operation."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
        super().__init__(params, {"lr": lr, "betas": betas, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, weight_decay = group["lr"], group["weight_decay"]
            for p in group["params"]:
                exp_avg = self.state[p].setdefault("exp_avg", torch.zeros_like(p))
                p.mul_(1.0 - lr * weight_decay)
                update = exp_avg.clone().mul_(beta1).add(p.grad, alpha=1.0 - beta1).sgn_()
                p.add_(update, alpha=-lr)
                exp_avg.mul_(beta2).add_(p.grad, alpha=1.0 - beta2)


CLASSES = {
    "sgd": torch.optim.SGD,
    "adagrad": torch.optim.Adagrad,
    "rmsprop": torch.optim.RMSprop,
    "adadelta": torch.optim.Adadelta,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "adamax": torch.optim.Adamax,
    "nadam": torch.optim.NAdam,
    "radam": torch.optim.RAdam,
    "asgd": torch.optim.ASGD,
    "rprop": torch.optim.Rprop,
    "adafactor": torch.optim.Adafactor,
    "lion": Lion,
}
TUPLES = {  # torch's tuple arguments, by the names the race gives their parts
    "betas": ("beta1", "beta2"),
    "etas": ("etaminus", "etaplus"),
    "step_sizes": ("step_size_min", "step_size_max"),
}


def torch_arguments(name, settings):
    """The race's settings of an optimizer as keyword arguments of its torch class."""
    arguments = dict(settings)
    for tuple_name, parts in TUPLES.items():
        if any(part in arguments for part in parts):
            defaults = inspect.signature(CLASSES[name]).parameters[tuple_name].default
            arguments[tuple_name] = tuple(arguments.pop(part, default) for part, default in zip(parts, defaults))
    if "eps2" in arguments:  # Adafactor's eps = (eps1, eps2); eps1 None means float32's eps
        arguments["eps"] = (None, arguments.pop("eps2"))
    if name != "lion":
        arguments["foreach"] = False  # the for-loop path, which CPU tensors take by default anyway
    return arguments


def torch_defaults(name):
    """The default of every keyword argument the race offers, as torch's signature gives it."""
    found = {}
    for key, parameter in inspect.signature(CLASSES[name]).parameters.items():
        default = parameter.default
        if key in TUPLES:
            found.update(zip(TUPLES[key], default))
        elif key == "eps" and name == "adafactor":
            found["eps2"] = default[1]
        elif isinstance(default, (bool, int, float)) and key not in ("foreach", "fused", "differentiable", "capturable"):
            found[key] = default
    return found


# %% [markdown]
# ## One lane of the race
# A race runs each optimizer from the same start; the iterates stop before the first one that is
# not finite, as the race's do.

# %%
def trajectory(surface, start, name, settings, steps=STEPS, seed=SEED):
    """torch's iterates [(x, y), ...] of one optimizer, from the start, for `steps` steps."""
    p = torch.tensor(start, dtype=torch.float32)
    optimizer = CLASSES[name]([p], **torch_arguments(name, settings))
    noise = Noise(seed)
    iterates = [p.tolist()]
    for _ in range(steps):
        p.grad = SURFACES[surface](p, noise) if surface == "noisy" else SURFACES[surface](p)
        optimizer.step()
        point = p.tolist()
        if not all(map(math.isfinite, point)):
            break
        iterates.append(point)
    return iterates


# %% [markdown]
# ## The grid
# Every optimizer on every surface at one lr (torch's defaults suit networks, and would barely move
# on these surfaces), and each option the race offers changed from its default at least once.

# %%
GRID_LR = {
    "sgd": 0.01, "adagrad": 0.5, "rmsprop": 0.05, "adadelta": 5.0, "adam": 0.1, "adamw": 0.1,
    "adamax": 0.2, "nadam": 0.1, "radam": 0.1, "asgd": 0.01, "rprop": 0.1, "adafactor": 0.1, "lion": 0.01,
}
OPTIONS = {  # settings beside lr, one race each
    "sgd": [{"momentum": 0.9}, {"momentum": 0.9, "dampening": 0.5}, {"momentum": 0.8, "nesterov": True},
            {"weight_decay": 0.1}, {"momentum": 0.9, "weight_decay": 0.01, "nesterov": True}, {"maximize": True}],
    "adagrad": [{"lr_decay": 0.01}, {"weight_decay": 0.1}, {"initial_accumulator_value": 0.1},
                {"eps": 1e-4}, {"maximize": True}],
    "rmsprop": [{"alpha": 0.9}, {"eps": 1e-4}, {"weight_decay": 0.1}, {"momentum": 0.9},
                {"centered": True}, {"centered": True, "momentum": 0.5}, {"maximize": True}],
    "adadelta": [{"rho": 0.5}, {"eps": 1e-3}, {"weight_decay": 0.1}, {"maximize": True}],
    "adam": [{"beta1": 0.3, "beta2": 0.9}, {"eps": 1e-3}, {"weight_decay": 0.1}, {"amsgrad": True},
             {"amsgrad": True, "beta1": 0.5}, {"maximize": True}],
    "adamw": [{"beta1": 0.3, "beta2": 0.9}, {"eps": 1e-3}, {"weight_decay": 0.5}, {"amsgrad": True},
              {"maximize": True}],
    "adamax": [{"beta1": 0.3, "beta2": 0.9}, {"eps": 1e-3}, {"weight_decay": 0.1}, {"maximize": True}],
    "nadam": [{"beta1": 0.3, "beta2": 0.9}, {"eps": 1e-3}, {"weight_decay": 0.1}, {"momentum_decay": 0.1},
              {"weight_decay": 0.1, "decoupled_weight_decay": True}, {"maximize": True}],
    "radam": [{"beta1": 0.3, "beta2": 0.9}, {"eps": 1e-3}, {"weight_decay": 0.1},
              {"weight_decay": 0.1, "decoupled_weight_decay": True}, {"maximize": True}],
    "asgd": [{"lambd": 0.1}, {"alpha": 0.3}, {"t0": 20.0}, {"weight_decay": 0.1}, {"maximize": True}],
    "rprop": [{"etaminus": 0.3, "etaplus": 1.5}, {"step_size_min": 0.001, "step_size_max": 0.2},
              {"maximize": True}],
    "adafactor": [{"beta2_decay": -0.5}, {"eps2": 0.1}, {"d": 2.0}, {"weight_decay": 0.1}, {"maximize": True}],
    "lion": [{"beta1": 0.5, "beta2": 0.9}, {"weight_decay": 0.1}],
}


def grid():
    """The races of the grid: each a surface, a start and one optimizer with its settings."""
    races = []
    surfaces = list(SURFACES)
    for name in CLASSES:
        for surface in surfaces:
            races.append({"surface": surface, "name": name, "settings": {"lr": GRID_LR[name]}})
        for index, options in enumerate(OPTIONS[name]):
            surface = surfaces[index % len(surfaces)]
            races.append({"surface": surface, "name": name, "settings": {"lr": GRID_LR[name], **options}})
    return [race | {"start": STARTS[race["surface"]], "steps": STEPS, "seed": SEED} for race in races]


# %%
capability = torch.backends.cpu.get_cpu_capability()
defaults = {name: torch_defaults(name) for name in CLASSES}
races = grid()
for race in races:
    race["iterates"] = trajectory(race["surface"], race["start"], race["name"], race["settings"])
race_count = len(races)
iterate_count = sum(len(race["iterates"]) for race in races)
diverged_count = sum(len(race["iterates"]) <= STEPS for race in races)
optimizer_count = len(CLASSES)
surface_count = len(SURFACES)
print(f"{race_count} races of {STEPS} steps, {iterate_count} iterates, on CPU kernels {capability};")
print(f"{diverged_count} of them left the float32 range and stop early.")


# %% [markdown]
# ## Where the grid's runs end
# The loss after STEPS steps at the grid's lr, every other setting at torch's default
# (- for a run that left the float32 range).

# %%
LOSSES = {
    "quadratic": lambda x, y: 4 * x * x + 0.04 * y * y,
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    "beale": lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2,
    "himmelblau": lambda x, y: (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
    "saddle": lambda x, y: x * x - y * y,
    "noisy": lambda x, y: 0.5 * x * x + 2 * y * y,
}
final_losses = {  # None for a run that left the float32 range
    name: {
        race["surface"]: LOSSES[race["surface"]](*race["iterates"][-1]) if len(race["iterates"]) > STEPS else None
        for race in races
        if race["name"] == name and race["settings"] == {"lr": GRID_LR[name]}
    }
    for name in CLASSES
}
print(f"\n{'':<10}" + "".join(f"{surface:>11}" for surface in SURFACES))
for name, losses in final_losses.items():
    cells = "".join(f"{'-':>11}" if losses[surface] is None else f"{losses[surface]:>11.3g}" for surface in SURFACES)
    print(f"{name:<10}{cells}")


# %% [markdown]
# ## torch's float32 square root
# Adam and the other optimizers that divide by a root of averaged squares call `Tensor.sqrt`. For
# float32, torch's CPU kernel does not promise a correctly rounded root (its result changes with
# Intel MKL's code path, MKL_ENABLE_INSTRUCTIONS), while the race computes the correctly rounded
# one. How often they differ, on float32 numbers spread over the whole range:

# %%
generator = torch.Generator().manual_seed(0)
mantissas = 1 + torch.rand(SQRT_SAMPLES, generator=generator, dtype=torch.float64)
exponents = torch.randint(-126, 127, (SQRT_SAMPLES,), generator=generator).double()
samples = (mantissas * 2.0**exponents).float()
exact = torch.from_numpy(np.sqrt(samples.numpy()))  # numpy's float32 root is correctly rounded
ulps = (torch.sqrt(samples).view(torch.int32) - exact.view(torch.int32)).abs()
sqrt_off_share = (ulps > 0).double().mean().item()
sqrt_max_ulps = ulps.max().item()
print(f"\ntorch.sqrt on {SQRT_SAMPLES:,} float32 numbers: {sqrt_off_share:.2%} differ from the")
print(f"correctly rounded root, by at most {sqrt_max_ulps} ulp.")
