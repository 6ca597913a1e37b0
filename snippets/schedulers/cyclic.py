"""Cyclic schedules: CosineAnnealingWarmRestarts, CyclicLR and OneCycleLR

Each scheduler drives an SGD optimizer with momentum for 100 calls to `scheduler.step()`,
and each traced learning rate (and, for CyclicLR and OneCycleLR, each traced momentum) is
compared with its closed form. CyclicLR and OneCycleLR set the optimizer's learning rate and
momentum themselves: the lr and momentum the optimizer was created with are overwritten.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
from torch.optim import lr_scheduler

BASE_LR = 0.1
STEPS = 100
RESTARTS = dict(T_0=10, eta_min=0.001)  # with T_mult = 1 and T_mult = 2
CYCLIC = dict(base_lr=0.01, max_lr=0.1, step_size_up=10, base_momentum=0.8, max_momentum=0.9)
EXP_RANGE_GAMMA = 0.98
ONE_CYCLE = dict(max_lr=0.1, total_steps=100, pct_start=0.3, div_factor=25.0, final_div_factor=1e4,
                 base_momentum=0.85, max_momentum=0.95)
SHOW_T = (0, 5, 10, 29, 50, 70, 99)  # the steps the printed table shows


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
def warm_restarts_lr(t, base_lr=BASE_LR, T_0=10, T_mult=1, eta_min=0.001):
    """Cosine from base_lr to eta_min over T_i steps, then restart with T_i *= T_mult."""
    start, period = 0, T_0
    while t >= start + period:  # find the cycle t falls in
        start, period = start + period, period * T_mult
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * (t - start) / period)) / 2


def cyclic_shape(t, step_size_up=10, step_size_down=None, mode="triangular", gamma=1.0):
    """CyclicLR's position: (height in [0, 1] of the triangle at step t, amplitude scale)."""
    total = step_size_up + (step_size_down or step_size_up)
    cycle = math.floor(1 + t / total)
    x = 1 + t / total - cycle  # where in the cycle, 0 <= x < 1
    ratio = step_size_up / total
    height = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
    scale = {"triangular": 1.0, "triangular2": 1 / 2 ** (cycle - 1), "exp_range": gamma**t}[mode]
    return height, scale


def cyclic_lr(t, base_lr=0.01, max_lr=0.1, mode="triangular", gamma=1.0, step_size_up=10):
    height, scale = cyclic_shape(t, step_size_up, mode=mode, gamma=gamma)
    return base_lr + (max_lr - base_lr) * height * scale


def cyclic_momentum(t, base_momentum=0.8, max_momentum=0.9, mode="triangular", gamma=1.0, step_size_up=10):
    height, scale = cyclic_shape(t, step_size_up, mode=mode, gamma=gamma)
    return max_momentum - (max_momentum - base_momentum) * height * scale


def anneal(start, end, fraction, strategy):
    if strategy == "cos":
        return end + (start - end) * (1 + math.cos(math.pi * fraction)) / 2
    return start + (end - start) * fraction


def one_cycle(t, max_lr=0.1, total_steps=100, pct_start=0.3, div_factor=25.0, final_div_factor=1e4,
              base_momentum=0.85, max_momentum=0.95, strategy="cos", three_phase=False):
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
    "CosineAnnealingWarmRestarts T_mult=1": (
        lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_mult=1, **RESTARTS),
        lambda t: warm_restarts_lr(t, T_mult=1), None, "T_0=10, T_mult=1"),
    "CosineAnnealingWarmRestarts T_mult=2": (
        lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_mult=2, **RESTARTS),
        lambda t: warm_restarts_lr(t, T_mult=2), None, "T_0=10, T_mult=2"),
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
print("largest relative gap to the closed form, lr and momentum:")
for name in SCHEDULES:
    print(f"  {short(name):<23}{worst_gap(name):.1e}")


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


ATTACHED = {  # base_lr=0.01, max_lr=0.1 for CyclicLR; max_lr=0.1, total_steps=100 for OneCycleLR
    "CyclicLR": lambda o: lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1),
    "OneCycleLR": lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=100),
    "CyclicLR(cycle_momentum=False)": lambda o: lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1,
                                                                      cycle_momentum=False),
}
for name, make in ATTACHED.items():
    print(f"SGD(lr=0.1), momentum 0, then {name}: momentum {momentum_after(make)}")
adam_one_cycle = momentum_after(ATTACHED["OneCycleLR"], torch.optim.Adam)
print(f"Adam(lr=0.1), betas[0] 0.9, then OneCycleLR: betas[0] {adam_one_cycle}")
calls, message = calls_until_error(ATTACHED["OneCycleLR"])
print(f"OneCycleLR(total_steps=100): {calls} calls to step() succeed, then ValueError:\n  {message}")
