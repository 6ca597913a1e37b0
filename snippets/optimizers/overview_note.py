"""The source note's ten one-line descriptions, run

The note this handbook grew from describes ten optimizers in one line each. This snippet runs
the experiments that check those lines against torch 2.13: how long each step is when the gradient
never changes, what SparseAdam does with rows a sparse gradient leaves out, when ASGD starts
averaging, what Adamax's "upper limit" is, and how many times one LBFGS step calls the closure.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch

CONSTANT_GRADIENT = 0.1
STEPS = 1000
SHOWN_STEPS = (1, 2, 10, 100, 1000)
CONSTANT = ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "Adamax", "ASGD", "Rprop"]  # SparseAdam, LBFGS apart
warnings.filterwarnings("ignore", message="Sparse invariant checks")
torch.manual_seed(0)


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
    lr = getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(1))]).defaults["lr"]
    print(f"{name:<10}{lr:>7g}" + "".join(f"{lengths[k - 1]:>12.4g}" for k in SHOWN_STEPS))

plt.figure("constant-gradient", figsize=(7, 4.4))
styles = ["-", "--", "-.", ":"]
for index, (name, lengths) in enumerate(LENGTHS.items()):
    plt.loglog(np.arange(1, STEPS + 1), lengths, styles[index % 4], linewidth=1.8, label=name)
plt.xlabel("step k")
plt.ylabel("|step k| / lr")
plt.title(f"The same gradient ({CONSTANT_GRADIENT:g}) at every step, each optimizer at its defaults")
plt.grid(alpha=0.3, which="both")
plt.legend(ncol=2, fontsize="small")
plt.show()


# %% SparseAdam: only the rows in the gradient are touched
def sparse_rows_moved(name, rows=4, columns=3):
    """Rows of a rows x columns weight that step 2 changes when step 1's gradient covers every row
    and step 2's covers row 0 only. The gradient is sparse for SparseAdam and dense for the others."""
    w = torch.nn.Parameter(torch.ones(rows, columns))
    optimizer = getattr(torch.optim, name)([w], lr=0.1)
    first = torch.ones(rows, columns)
    second = torch.zeros(rows, columns)
    second[0] = 1.0
    for grad in (first, second):
        before = w.detach().clone()
        w.grad = grad.to_sparse() if name == "SparseAdam" else grad
        optimizer.step()
    return [row for row in range(rows) if not torch.equal(w[row].detach(), before[row])]


def sparseadam_refuses_dense():
    w = torch.nn.Parameter(torch.ones(2))
    optimizer = torch.optim.SparseAdam([w])
    w.grad = torch.ones(2)
    try:
        optimizer.step()
    except RuntimeError as error:
        return str(error)
    return None


print("rows moved by step 2 (its gradient covers row 0 only):")
print(f"    Adam {sparse_rows_moved('Adam')}, SparseAdam {sparse_rows_moved('SparseAdam')}")
print("SparseAdam given a dense gradient raises:")
print(f"    {sparseadam_refuses_dense()}")


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


print(f"ASGD over {STEPS} noisy steps, largest |ax - w|:")
print(f"    {asgd_average_gap():g} with the default t0 = 1e6, {asgd_average_gap(t0=100):.3f} with t0 = 100")


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


ADAMAX_GRADIENTS = [3.0, -1.0, 0.5, 5.0, 0.0]
print(f"Adamax exp_inf for gradients {', '.join(f'{g:g}' for g in ADAMAX_GRADIENTS)}:")
print("    " + ", ".join(f"{value:.6g}" for value in adamax_exp_inf(ADAMAX_GRADIENTS)))


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


for settings in ({}, {"line_search_fn": "strong_wolfe"}, {"max_iter": 1, "line_search_fn": "strong_wolfe"}):
    calls, iterations, moved = lbfgs_one_step(**settings)
    shown = ", ".join(f"{key}={value!r}" for key, value in settings.items()) or "defaults"
    print(f"LBFGS({shown}):")
    print(f"    one step() = {iterations} iterations, {calls} closure calls, moved {moved:.3g}")
