"""The source note's ten one-line descriptions, run

The note this handbook grew from describes ten optimizers in one line each. This snippet runs
the experiments that check those lines against the installed torch: how long each step is when the gradient
never changes, what SparseAdam does with rows a sparse gradient leaves out, when ASGD starts
averaging, what Adamax's "upper limit" is, and how many times one LBFGS step calls the closure.
"""

# %%
import inspect
import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch

CONSTANT_GRADIENT = 0.1
STEPS = 1000
SHOWN_STEPS = (1, 2, 10, 100, 1000)
CONSTANT = ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "Adamax", "ASGD", "Rprop"]  # SparseAdam, LBFGS apart
WEIGHT_SHAPE = (4, 3)  # SparseAdam: a weight whose second gradient covers one row only
SPARSE_ROW = 0  # the row that second gradient covers
ASGD_T0 = 100  # a t0 at which ASGD's average starts within the run
ADAMAX_GRADIENTS = [3.0, -1.0, 0.5, 5.0, 0.0]
LBFGS_SETTINGS = {  # one LBFGS step() on Rosenbrock under each
    "defaults": {},
    "wolfe": {"line_search_fn": "strong_wolfe"},
    "one_iteration": {"max_iter": 1, "line_search_fn": "strong_wolfe"},
    "one_iteration_max_eval": {"max_iter": 1, "max_eval": 10, "line_search_fn": "strong_wolfe"},
}
FORMULA_RTOL = 1e-6  # float rounding: how closely the step lengths follow their formulas
warnings.filterwarnings("ignore", message="Sparse invariant checks")
torch.manual_seed(0)


def default(name, argument):
    """The default of one argument of torch.optim.<name>, read from its signature."""
    return inspect.signature(getattr(torch.optim, name)).parameters[argument].default


def constant_gradient_steps(name, gradient=CONSTANT_GRADIENT, steps=STEPS, **kwargs):
    """|w_k - w_(k-1)| / lr for k = 1 ... steps when every step sees the same gradient (defaults otherwise)."""
    w = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = getattr(torch.optim, name)([w], **kwargs)
    lr = optimizer.defaults["lr"]
    lengths = []
    for _ in range(steps):
        before = w.item()
        w.grad = torch.full_like(w, gradient)
        optimizer.step()
        lengths.append(abs(w.item() - before) / lr)
    return np.array(lengths)


# %% Step length under a constant gradient, in units of each optimizer's default lr
LENGTHS = {name: constant_gradient_steps(name) for name in CONSTANT}
print(f"gradient {CONSTANT_GRADIENT:g} at every step, defaults otherwise: |step k| / lr")
print(f"{'optimizer':<10}{'lr':>7}" + "".join(f"{'k = ' + str(k):>12}" for k in SHOWN_STEPS))
for name, lengths in LENGTHS.items():
    print(f"{name:<10}{default(name, 'lr'):>7g}" + "".join(f"{lengths[k - 1]:>12.4g}" for k in SHOWN_STEPS))
rmsprop_alpha = default("RMSprop", "alpha")
rprop_growth = default("Rprop", "etas")[1]
rprop_max_step = default("Rprop", "step_sizes")[1]
rprop_cap = rprop_max_step / default("Rprop", "lr")  # the largest step, in units of lr
rprop_capped_from = int(np.argmax(LENGTHS["Rprop"] >= rprop_cap * (1 - 1e-9))) + 1  # the first step at the cap
adadelta_eps = default("Adadelta", "eps")
adadelta_start = math.sqrt(adadelta_eps)  # the root of its running average of updates, before any update
print(f"RMSprop's alpha {rmsprop_alpha:g}; Rprop grows by {rprop_growth:g} per step up to {rprop_cap:g} lr")
print(f"(from step {rprop_capped_from} on); Adadelta's updates start from sqrt(eps) = {adadelta_start:g}")

plt.figure("constant-gradient", figsize=(7, 4.4))
styles = ["-", "--", "-.", ":"]
for index, (name, lengths) in enumerate(LENGTHS.items()):
    plt.loglog(np.arange(1, STEPS + 1), lengths, styles[index % 4], linewidth=1.8, label=name)
plt.xlabel("step k")
plt.ylabel("|step k| / lr")
plt.title(f"Gradient {CONSTANT_GRADIENT:g} at every step, defaults otherwise")
plt.ylim(top=1e8)  # room for the legend above Rprop's cap
plt.grid(alpha=0.3, which="both")
plt.legend(ncol=2, loc="upper left")
plt.show()


# %% SparseAdam: only the rows in the gradient are touched
def sparse_rows_moved(name, shape=WEIGHT_SHAPE, row=SPARSE_ROW):
    """Rows of a weight that step 2 changes when step 1's gradient covers every row and step 2's
    covers one row only. The gradient is sparse for SparseAdam and dense for the others."""
    w = torch.nn.Parameter(torch.ones(shape))
    optimizer = getattr(torch.optim, name)([w], lr=0.1)
    first = torch.ones(shape)
    second = torch.zeros(shape)
    second[row] = 1.0
    for grad in (first, second):
        before = w.detach().clone()
        w.grad = grad.to_sparse() if name == "SparseAdam" else grad
        optimizer.step()
    return [index for index in range(shape[0]) if not torch.equal(w[index].detach(), before[index])]


def sparseadam_refuses_dense():
    w = torch.nn.Parameter(torch.ones(2))
    optimizer = torch.optim.SparseAdam([w])
    w.grad = torch.ones(2)
    try:
        optimizer.step()
    except RuntimeError as error:
        return str(error)
    return None


rows_moved = {name: sparse_rows_moved(name) for name in ("Adam", "SparseAdam")}
dense_refusal = sparseadam_refuses_dense()
print()
print(f"Rows of a {WEIGHT_SHAPE[0]} x {WEIGHT_SHAPE[1]} weight moved by step 2 (its gradient covers row {SPARSE_ROW} only):")
print(f"    Adam {rows_moved['Adam']}, SparseAdam {rows_moved['SparseAdam']}")
print("SparseAdam given a dense gradient raises:")
print(f"    {dense_refusal}")


# %% ASGD: when does the average start?
def asgd_average_gap(steps=STEPS, t0=None, seed=0):
    """Largest |ax - w| over the run: 0 means state['ax'] is a copy of the weight, not an average."""
    generator = torch.Generator().manual_seed(seed)
    w = torch.nn.Parameter(torch.zeros(5, dtype=torch.float64))
    optimizer = torch.optim.ASGD([w], **({} if t0 is None else {"t0": t0}))
    gap = 0.0
    for _ in range(steps):
        w.grad = (w.detach() - 1) + torch.randn(5, generator=generator, dtype=torch.float64)  # noisy gradient
        optimizer.step()
        gap = max(gap, (optimizer.state[w]["ax"] - w.detach()).abs().max().item())
    return gap


asgd_t0 = default("ASGD", "t0")
asgd_gap = {"default": asgd_average_gap(), "early": asgd_average_gap(t0=ASGD_T0)}
print()
print(f"ASGD over {STEPS} noisy steps, largest |ax - w|:")
print(f"    {asgd_gap['default']:g} with the default t0 = {asgd_t0:g}, {asgd_gap['early']:.3f} with t0 = {ASGD_T0}")


# %% Adamax: exp_inf is a decaying running maximum of |g|
def adamax_exp_inf(gradients, **kwargs):
    w = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = torch.optim.Adamax([w], **kwargs)
    values = []
    for gradient in gradients:
        w.grad = torch.tensor([gradient], dtype=torch.float64)
        optimizer.step()
        values.append(optimizer.state[w]["exp_inf"].item())
    return values


adamax_beta2 = default("Adamax", "betas")[1]
adamax_eps = default("Adamax", "eps")
adamax_values = adamax_exp_inf(ADAMAX_GRADIENTS)
print()
print(f"Adamax exp_inf for gradients {', '.join(f'{g:g}' for g in ADAMAX_GRADIENTS)}:")
print("    " + ", ".join(f"{value:.6g}" for value in adamax_values))


# %% LBFGS: one step() runs many iterations and calls the closure many times
def lbfgs_one_step(**kwargs):
    """(closure calls, iterations, distance moved) for one LBFGS step() on Rosenbrock from (-1.5, 2)."""
    w = torch.nn.Parameter(torch.tensor([-1.5, 2.0], dtype=torch.float64))
    optimizer = torch.optim.LBFGS([w], **kwargs)
    calls = 0

    def closure():
        nonlocal calls
        calls += 1
        optimizer.zero_grad()
        loss = (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2
        loss.backward()
        return loss

    start = w.detach().clone()
    optimizer.step(closure)
    return calls, optimizer.state[w]["n_iter"], torch.linalg.vector_norm(w.detach() - start).item()


lbfgs_defaults = {key: torch.optim.LBFGS([torch.nn.Parameter(torch.zeros(1))]).defaults[key] for key in ("max_iter", "max_eval")}
lbfgs_one_iteration_max_eval = torch.optim.LBFGS([torch.nn.Parameter(torch.zeros(1))], max_iter=1).defaults["max_eval"]
lbfgs_steps = {}
print()
print("One LBFGS step() on Rosenbrock from (-1.5, 2):")
for label, settings in LBFGS_SETTINGS.items():
    calls, iterations, moved = lbfgs_one_step(**settings)
    lbfgs_steps[label] = {"calls": calls, "iterations": iterations, "moved": moved}
    shown = ", ".join(f"{key}={value!r}" for key, value in settings.items()) or "defaults"
    print(f"    {shown}:")
    print(f"        {iterations} iterations, {calls} closure calls, moved {moved:.3g}")
