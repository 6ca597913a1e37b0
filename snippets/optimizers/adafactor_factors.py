"""Adafactor's second moment: how fast it forgets, and when its factored estimate is exact

Adafactor averages squared gradients with the weight 1 - beta2_t = t^beta2_decay, which starts at
1 and shrinks; the snippet prints beta2_t at a few steps, and the number of steps during which the
relative step size min(lr, 1 / sqrt(t)) equals lr. It then takes one step of
torch.optim.Adafactor on a matrix whose squared gradient is an outer product a b^T, where the
factored estimate R C / mean(R) should equal G^2, and on a gradient of independent random entries.
"""

# %%
import torch

SHOWN = (1, 100, 10_000)  # steps at which beta2_t is printed
ROWS, COLS = 6, 5  # the matrix of the one-step experiment
LR = 0.5  # its learning rate: the step is lr * RMS(theta) = lr for theta = 1
TOLERANCE = 1e-14  # "equal": to within this, relative
FAR = 0.5  # "far from exact": off by more than this, relative, somewhere

defaults = torch.optim.Adafactor([torch.zeros(1)]).defaults
beta2 = {t: 1 - t ** defaults["beta2_decay"] for t in SHOWN}
steps_at_lr = round(1 / defaults["lr"] ** 2)  # min(lr, 1 / sqrt(t)) = lr while t <= 1 / lr^2


def first_step(gradient, lr=LR):
    """(the factored estimate of G^2, the parameter) after one step of Adafactor from theta = 1."""
    theta = torch.ones(gradient.shape, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adafactor([theta], lr=lr)
    theta.grad = gradient
    optimizer.step()
    state = optimizer.state[theta]
    return state["row_var"] @ state["col_var"] / state["row_var"].mean(), theta.detach()


def relative_error(estimate, exact):
    return ((estimate - exact).abs() / exact).max().item()


# %% beta2_t and the relative step size
print(f"beta2_decay = {defaults['beta2_decay']}: beta2_t = 1 - t^beta2_decay is")
print("  " + ", ".join(f"{value:.4g} at t = {t:,}" for t, value in beta2.items()))
print(f"lr = {defaults['lr']}: the relative step size min(lr, 1 / sqrt(t)) is lr for {steps_at_lr:,} steps")

# %% One step on a squared gradient of rank one, and on a random one
generator = torch.Generator().manual_seed(0)
a = torch.rand(ROWS, dtype=torch.float64, generator=generator) + 0.1
b = torch.rand(COLS, dtype=torch.float64, generator=generator) + 0.1
signs = torch.randint(0, 2, (ROWS, COLS), generator=generator).double() * 2 - 1
rank_one = signs * torch.outer(a, b).sqrt()  # G^2 = a b^T exactly
estimate, theta = first_step(rank_one)
rank_one_error = relative_error(estimate, rank_one**2)
update_error = ((theta - (1 - LR * signs)).abs().max() / LR).item()  # against a step of lr * sign(G)
random = torch.randn(ROWS, COLS, dtype=torch.float64, generator=generator)
random_errors = (first_step(random)[0] - random**2).abs() / random**2
random_off = int((random_errors > FAR).sum())  # entries whose estimate is off by more than FAR
entries = ROWS * COLS
print(f"\nfirst step on a {ROWS} x {COLS} gradient whose square has rank one:")
print(f"  factored estimate against G^2: largest relative error {rank_one_error:.1e}")
print(f"  update against lr * sign(G): largest relative error {update_error:.1e}")
print(f"a gradient of independent random entries: {random_off} of {ROWS * COLS} entries of the estimate")
print(f"  are off by more than {FAR:.0%}")
