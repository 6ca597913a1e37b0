"""Cyclic schedules: CosineAnnealingWarmRestarts, CyclicLR and OneCycleLR

Each scheduler drives an SGD optimizer with momentum for 100 calls to `scheduler.step()`,
and each traced learning rate (and, for CyclicLR and OneCycleLR, each traced momentum) is
compared with its closed form. CyclicLR and OneCycleLR set the optimizer's learning rate and
momentum themselves: the lr and momentum the optimizer was created with are overwritten.
"""

# %%
import inspect
import math

import matplotlib.pyplot as plt
import torch
from torch.optim import lr_scheduler

BASE_LR = 0.1
STEPS = 100
RESTARTS = dict(T_0=10, eta_min=0.001)
T_MULTS = (1, 2)  # CosineAnnealingWarmRestarts with each T_mult
CYCLIC = dict(base_lr=0.01, max_lr=0.1, step_size_up=10, base_momentum=0.8, max_momentum=0.9)
EXP_RANGE_GAMMA = 0.98
ONE_CYCLE = dict(max_lr=0.1, total_steps=100, pct_start=0.3, div_factor=25.0, final_div_factor=1e4,
                 base_momentum=0.85, max_momentum=0.95)
SHOW_T = (0, 5, 10, 29, 50, 70, 99)  # the steps the printed table shows
TOLERANCE = 1e-14  # relative gap to the closed form


def trace(make_scheduler, steps=STEPS, base_lr=BASE_LR):
    """(lrs, momenta): group 0's lr and momentum after 0 ... steps calls to scheduler.step()."""
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=base_lr, momentum=0.9)
    scheduler = make_scheduler(optimizer)
    lrs, momenta = [scheduler.get_last_lr()[0]], [optimizer.param_groups[0]["momentum"]]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
        momenta.append(optimizer.param_groups[0]["momentum"])
    return lrs, momenta


# %% Closed forms
def warm_restarts_lr(t, base_lr=BASE_LR, T_0=RESTARTS["T_0"], T_mult=1, eta_min=RESTARTS["eta_min"]):
    """Cosine from base_lr to eta_min over T_i steps, then restart with T_i *= T_mult."""
    start, period = 0, T_0
    while t >= start + period:  # find the cycle t falls in
        start, period = start + period, period * T_mult
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * (t - start) / period)) / 2


def cyclic_shape(t, step_size_up=CYCLIC["step_size_up"], step_size_down=None, mode="triangular", gamma=1.0):
    """CyclicLR's position: (height in [0, 1] of the triangle at step t, amplitude scale)."""
    total = step_size_up + (step_size_down or step_size_up)
    cycle = math.floor(1 + t / total)
    x = 1 + t / total - cycle  # where in the cycle, 0 <= x < 1
    ratio = step_size_up / total
    height = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
    scale = {"triangular": 1.0, "triangular2": 1 / 2 ** (cycle - 1), "exp_range": gamma**t}[mode]
    return height, scale


def cyclic_lr(t, base_lr=CYCLIC["base_lr"], max_lr=CYCLIC["max_lr"], mode="triangular", gamma=1.0,
              step_size_up=CYCLIC["step_size_up"]):
    height, scale = cyclic_shape(t, step_size_up, mode=mode, gamma=gamma)
    return base_lr + (max_lr - base_lr) * height * scale


def cyclic_momentum(t, base_momentum=CYCLIC["base_momentum"], max_momentum=CYCLIC["max_momentum"],
                    mode="triangular", gamma=1.0, step_size_up=CYCLIC["step_size_up"]):
    height, scale = cyclic_shape(t, step_size_up, mode=mode, gamma=gamma)
    return max_momentum - (max_momentum - base_momentum) * height * scale


def anneal(start, end, fraction, strategy):
    if strategy == "cos":
        return end + (start - end) * (1 + math.cos(math.pi * fraction)) / 2
    return start + (end - start) * fraction


def one_cycle(t, strategy="cos", three_phase=False, max_lr=ONE_CYCLE["max_lr"],
              total_steps=ONE_CYCLE["total_steps"], pct_start=ONE_CYCLE["pct_start"],
              div_factor=ONE_CYCLE["div_factor"], final_div_factor=ONE_CYCLE["final_div_factor"],
              base_momentum=ONE_CYCLE["base_momentum"], max_momentum=ONE_CYCLE["max_momentum"]):
    """(lr, momentum) at step t: the phases of OneCycleLR, each an anneal between two levels."""
    initial = max_lr / div_factor
    minimum = initial / final_div_factor
    up_end = pct_start * total_steps - 1
    if three_phase:
        phases = [(up_end, initial, max_lr, max_momentum, base_momentum),
                  (2 * pct_start * total_steps - 2, max_lr, initial, base_momentum, max_momentum),
                  (total_steps - 1, initial, minimum, max_momentum, max_momentum)]
    else:
        phases = [(up_end, initial, max_lr, max_momentum, base_momentum),
                  (total_steps - 1, max_lr, minimum, base_momentum, max_momentum)]
    start = 0.0
    for number, (end, lr_from, lr_to, momentum_from, momentum_to) in enumerate(phases):
        if t <= end or number == len(phases) - 1:
            fraction = (t - start) / (end - start)
            return (anneal(lr_from, lr_to, fraction, strategy),
                    anneal(momentum_from, momentum_to, fraction, strategy))
        start = end


# name -> (make scheduler, closed-form lr, closed-form momentum or None, figure label)
SCHEDULES = {
    **{f"CosineAnnealingWarmRestarts T_mult={m}": (
        lambda o, m=m: lr_scheduler.CosineAnnealingWarmRestarts(o, T_mult=m, **RESTARTS),
        lambda t, m=m: warm_restarts_lr(t, T_mult=m), None, f"T_0={RESTARTS['T_0']}, T_mult={m}") for m in T_MULTS},
    "CyclicLR triangular": (
        lambda o: lr_scheduler.CyclicLR(o, mode="triangular", **CYCLIC),
        lambda t: cyclic_lr(t), lambda t: cyclic_momentum(t), "mode='triangular'"),
    "CyclicLR triangular2": (
        lambda o: lr_scheduler.CyclicLR(o, mode="triangular2", **CYCLIC),
        lambda t: cyclic_lr(t, mode="triangular2"), lambda t: cyclic_momentum(t, mode="triangular2"),
        "mode='triangular2'"),
    "CyclicLR exp_range": (
        lambda o: lr_scheduler.CyclicLR(o, mode="exp_range", gamma=EXP_RANGE_GAMMA, **CYCLIC),
        lambda t: cyclic_lr(t, mode="exp_range", gamma=EXP_RANGE_GAMMA),
        lambda t: cyclic_momentum(t, mode="exp_range", gamma=EXP_RANGE_GAMMA), f"mode='exp_range', gamma={EXP_RANGE_GAMMA}"),
    "OneCycleLR cos": (
        lambda o: lr_scheduler.OneCycleLR(o, anneal_strategy="cos", **ONE_CYCLE),
        lambda t: one_cycle(t)[0], lambda t: one_cycle(t)[1], "anneal_strategy='cos'"),
    "OneCycleLR linear": (
        lambda o: lr_scheduler.OneCycleLR(o, anneal_strategy="linear", **ONE_CYCLE),
        lambda t: one_cycle(t, strategy="linear")[0], lambda t: one_cycle(t, strategy="linear")[1],
        "anneal_strategy='linear'"),
    "OneCycleLR three_phase": (
        lambda o: lr_scheduler.OneCycleLR(o, three_phase=True, **ONE_CYCLE),
        lambda t: one_cycle(t, three_phase=True)[0], lambda t: one_cycle(t, three_phase=True)[1],
        "three_phase=True (cos)"),
}


def steps_for(name):
    """OneCycleLR's schedule covers t = 0 ... total_steps - 1; the others run STEPS steps."""
    return ONE_CYCLE["total_steps"] - 1 if name.startswith("OneCycleLR") else STEPS


def worst_gap(name):
    """Largest relative gap between traced and closed-form lr (and momentum, where it cycles)."""
    make, lr_form, momentum_form, _ = SCHEDULES[name]
    lrs, momenta = trace(make, steps_for(name))
    gaps = [abs(lr - lr_form(t)) / lr_form(t) for t, lr in enumerate(lrs)]
    if momentum_form is not None:
        gaps += [abs(m - momentum_form(t)) / momentum_form(t) for t, m in enumerate(momenta)]
    return max(gaps)


# %% Trace and compare
def short(name):
    return name.replace("CosineAnnealingWarmRestarts", "WarmRestarts")


print(f"{'t':<22}" + "".join(f"{t:>8}" for t in SHOW_T))
traces = {}
for name, (make, *_rest) in SCHEDULES.items():
    traces[name] = trace(make, steps_for(name))
    lrs = traces[name][0]
    print(f"{short(name):<22}" + "".join(f"{lrs[t]:>8.3g}" for t in SHOW_T))
gaps = {name: worst_gap(name) for name in SCHEDULES}
print("largest relative gap to the closed form, lr and momentum:")
for name, worst in gaps.items():
    print(f"  {short(name):<23}{worst:.1e}")


# %% What the figures show: restarts, cycles, the levels of OneCycleLR
def restart_steps(T_mult, T_0=RESTARTS["T_0"], steps=STEPS):
    """The steps at which CosineAnnealingWarmRestarts jumps back to the base rate, up to `steps`."""
    restarts, start, period = [], 0, T_0
    while start + period <= steps:
        start, period = start + period, period * T_mult
        restarts.append(start)
    return restarts


restarts = {str(m): restart_steps(m) for m in T_MULTS}  # by T_mult
arcs = {str(m): [b - a for a, b in zip([0] + steps, steps)] for m, steps in zip(T_MULTS, restarts.values())}
arc_count = len(arcs[str(T_MULTS[0])])  # T_mult = 1: that many arcs of T_0 steps
unfinished_arc = T_MULTS[1] * arcs[str(T_MULTS[1])][-1]  # the arc after the last restart, cut off at STEPS
cycle_steps = 2 * CYCLIC["step_size_up"]  # step_size_down defaults to step_size_up
cycles = STEPS // cycle_steps
exp_range_last_peak = max(traces["CyclicLR exp_range"][0][STEPS - cycle_steps:])
one_cycle_initial = ONE_CYCLE["max_lr"] / ONE_CYCLE["div_factor"]
one_cycle_low = one_cycle_initial / ONE_CYCLE["final_div_factor"]
one_cycle_peak_step = round(ONE_CYCLE["pct_start"] * ONE_CYCLE["total_steps"] - 1)
three_phase_turn = round(2 * ONE_CYCLE["pct_start"] * ONE_CYCLE["total_steps"] - 2)
for m in T_MULTS:
    print(f"WarmRestarts T_mult={m}: restarts at t = {restarts[str(m)]}")
print(f"OneCycleLR: {one_cycle_initial:g} at t = 0, {ONE_CYCLE['max_lr']:g} at t = {one_cycle_peak_step}, "
      f"{one_cycle_low:g} at t = {ONE_CYCLE['total_steps'] - 1}")


# %% Figures: warm restarts; CyclicLR; OneCycleLR (learning rate above, momentum below)
def draw(names, with_momentum, label):
    rows = 2 if with_momentum else 1
    fig, axes = plt.subplots(rows, len(names), figsize=(4.2 * len(names), 2.6 * rows), sharex=True, squeeze=False, num=label)
    for column, name in enumerate(names):
        lrs, momenta = traces[name]
        make, lr_form, momentum_form, label = SCHEDULES[name]
        axes[0, column].plot(lrs, label="get_last_lr()")
        axes[0, column].set_title(f"{name.split()[0]}\n{label}", fontsize="medium")
        if with_momentum:
            axes[1, column].plot(momenta, color="C1")
        axes[-1, column].set_xlabel("t (calls to scheduler.step())")
        for ax in axes[:, column]:
            ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("learning rate")
    if with_momentum:
        axes[1, 0].set_ylabel("momentum")
    fig.align_ylabels()
    plt.show()


draw([name for name in SCHEDULES if name.startswith("CosineAnnealingWarmRestarts")], with_momentum=False, label="warm-restarts")
draw([name for name in SCHEDULES if name.startswith("CyclicLR")], with_momentum=True, label="cyclic-lr")
draw([name for name in SCHEDULES if name.startswith("OneCycleLR")], with_momentum=True, label="one-cycle")


# %% Side effects worth knowing
def momentum_after(make_scheduler, optimizer_class=torch.optim.SGD):
    """A fresh optimizer with its default momentum (SGD: 0; Adam: betas[0] = 0.9), once the scheduler is attached."""
    optimizer = optimizer_class([torch.nn.Parameter(torch.zeros(1))], lr=BASE_LR)
    make_scheduler(optimizer)
    group = optimizer.param_groups[0]
    return group["betas"][0] if "betas" in group else group["momentum"]


def calls_until_error(make_scheduler, limit=1000):
    """How many scheduler.step() calls succeed before one raises; and the error's message."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=BASE_LR, momentum=0.9)
    scheduler = make_scheduler(optimizer)
    for calls in range(limit):
        try:
            optimizer.step()
            scheduler.step()
        except ValueError as error:
            return calls, str(error)
    return limit, None


def default(function, name):
    """An argument's default, read from the installed torch."""
    return inspect.signature(function).parameters[name].default


sgd_momentum_default = default(torch.optim.SGD, "momentum")
adam_beta1_default = default(torch.optim.Adam, "betas")[0]
cyclic_max_momentum_default = default(lr_scheduler.CyclicLR, "max_momentum")
one_cycle_max_momentum_default = default(lr_scheduler.OneCycleLR, "max_momentum")
ATTACHED = {  # the schedulers with their default momenta, on an optimizer without momentum
    "cyclic": lambda o: lr_scheduler.CyclicLR(o, base_lr=CYCLIC["base_lr"], max_lr=CYCLIC["max_lr"]),
    "one_cycle": lambda o: lr_scheduler.OneCycleLR(o, max_lr=ONE_CYCLE["max_lr"], total_steps=ONE_CYCLE["total_steps"]),
    "cyclic_off": lambda o: lr_scheduler.CyclicLR(o, base_lr=CYCLIC["base_lr"], max_lr=CYCLIC["max_lr"],
                                                  cycle_momentum=False),
}
momentum_set = {name: momentum_after(make) for name, make in ATTACHED.items()}
adam_one_cycle = momentum_after(ATTACHED["one_cycle"], torch.optim.Adam)
print(f"SGD(lr={BASE_LR}), momentum {sgd_momentum_default}, then")
print(f"  CyclicLR: momentum {momentum_set['cyclic']}")
print(f"  OneCycleLR: momentum {momentum_set['one_cycle']}")
print(f"  CyclicLR(cycle_momentum=False): momentum {momentum_set['cyclic_off']}")
print(f"Adam(lr={BASE_LR}), betas[0] {adam_beta1_default}, then OneCycleLR: betas[0] {adam_one_cycle}")
lrs, momenta = traces["CyclicLR triangular"]
peak = CYCLIC["step_size_up"]
triangular_base = {"lr": lrs[0], "momentum": momenta[0]}
triangular_peak = {"t": peak, "lr": lrs[peak], "momentum": momenta[peak]}
print(f"CyclicLR triangular: at t = 0, lr {lrs[0]:g} and momentum {momenta[0]:g};")
print(f"  at t = {peak}, lr {lrs[peak]:g} and momentum {momenta[peak]:g}")
calls, message = calls_until_error(ATTACHED["one_cycle"])
failing_call = calls + 1
print(f"OneCycleLR(total_steps={ONE_CYCLE['total_steps']}): {calls} calls to step() succeed, then ValueError:")
print(f"  {message}")
