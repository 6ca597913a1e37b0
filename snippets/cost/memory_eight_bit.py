"""Adam with 8-bit state, from scratch: block-wise dynamic quantization

Dettmers et al. keep Adam's two moments in one byte per element each. Every block of 2048
elements is divided by its largest magnitude, and each value is stored as the index of the
nearest of 256 levels of a "dynamic" data type: levels spread over seven decades, so that small
values keep their relative precision. The arithmetic of a step stays in float32: dequantize,
update, requantize. This snippet builds that data type, writes the optimizer, measures its bytes
per parameter from optimizer.state, and trains a network on scikit-learn's digits with it, next to
torch.optim.Adam, to measure how far its iterates drift.
"""

# %%
import gzip
import importlib.util
import pathlib

import matplotlib.pyplot as plt
import numpy as np
import torch

BLOCK = 2048  # elements that share one float32 scale (the paper's block size)
LR = 1e-3
STEPS = 500
BATCH = 64
HELD_OUT = 360
EVERY = 10  # record the drift every EVERY steps
WIDTHS = (64, 64, 10)
FRACTION_LOW = 0.1  # the dynamic type's fractions are spaced evenly in (FRACTION_LOW, 1]


# %% The two 8-bit data types
def dynamic_levels(signed):
    """The levels of the dynamic data type, sorted, in [-1, 1] (signed) or [0, 1].

    Read a code's bits after the sign bit (a signed type has one): the number E of zeros before
    the first one is a decimal exponent, and the bits after that one are a fraction f, spaced
    evenly in (FRACTION_LOW, 1]. The code stands for ±10^-E · f; the code of all zeros for 0.
    The unsigned type, for Adam's second moment (never negative), spends the sign bit on f."""
    bits = 7 if signed else 8
    magnitudes = []
    for exponent in range(bits):
        count = 2 ** (bits - 1 - exponent)  # the fraction bits left after E zeros and a one
        fractions = torch.linspace(FRACTION_LOW, 1, count + 1, dtype=torch.float64)[1:]
        magnitudes.append(10.0**-exponent * fractions)
    magnitudes = torch.cat(magnitudes)
    values = torch.cat([-magnitudes, torch.zeros(1, dtype=torch.float64), magnitudes]) if signed else torch.cat([torch.zeros(1, dtype=torch.float64), magnitudes])
    return values.sort().values.float()


def linear_levels(signed):
    """The plain alternative: 255 (signed) or 256 evenly spaced levels, 0 among them."""
    if not signed:
        return torch.linspace(0, 1, 256)
    half = torch.linspace(0, 1, 128)
    return torch.cat([-half.flip(0)[:-1], half])


LEVELS = {
    "dynamic": (dynamic_levels(signed=True), dynamic_levels(signed=False)),
    "linear": (linear_levels(signed=True), linear_levels(signed=False)),
}


def quantize(x, levels):
    """(uint8 codes, one float32 scale per block): x divided block by block by its largest
    magnitude, each value rounded to the nearest level."""
    flat = x.detach().flatten().float()
    blocks = torch.nn.functional.pad(flat, (0, -flat.numel() % BLOCK)).view(-1, BLOCK)
    scales = blocks.abs().amax(1).clamp_min(torch.finfo(torch.float32).tiny)
    nearest = torch.bucketize(blocks / scales[:, None], (levels[1:] + levels[:-1]) / 2)
    return nearest.flatten()[: flat.numel()].to(torch.uint8), scales


def dequantize(codes, scales, levels, shape):
    padded = torch.nn.functional.pad(levels[codes.long()], (0, -codes.numel() % BLOCK)).view(-1, BLOCK)
    return (padded * scales[:, None]).flatten()[: codes.numel()].view(shape)


# %% The optimizer
class BlockwiseAdam(torch.optim.Optimizer):
    """Adam with its moments stored in 8 bits, block by block, or in float32 (levels=None).

    m is stored with the signed levels. Of v, the store keeps v itself (the paper's choice) or,
    with root=True, its square root, whose values span half as many decades."""

    def __init__(self, params, lr=LR, betas=(0.9, 0.999), eps=1e-8, levels="dynamic", root=False):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps})
        self.levels, self.root = levels, root

    def moments(self, p):
        """Adam's m and v for p, in float32 (zero before the first step)."""
        state = self.state[p]
        if not state:
            return torch.zeros_like(p), torch.zeros_like(p)
        if self.levels is None:
            return state["exp_avg"], state["exp_avg_sq"]
        signed, unsigned = LEVELS[self.levels]
        m = dequantize(state["exp_avg"], state["exp_avg_scale"], signed, p.shape)
        v = dequantize(state["exp_avg_sq"], state["exp_avg_sq_scale"], unsigned, p.shape)
        return m, v**2 if self.root else v

    def store(self, p, m, v, step):
        state = self.state[p]
        state["step"] = step
        if self.levels is None:
            state["exp_avg"], state["exp_avg_sq"] = m, v
            return
        signed, unsigned = LEVELS[self.levels]
        state["exp_avg"], state["exp_avg_scale"] = quantize(m, signed)
        state["exp_avg_sq"], state["exp_avg_sq_scale"] = quantize(v.sqrt() if self.root else v, unsigned)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            (beta1, beta2), lr, eps = group["betas"], group["lr"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                m, v = self.moments(p)
                step = self.state[p].get("step", 0) + 1
                m.lerp_(p.grad, 1 - beta1)
                v.mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
                denominator = (v.sqrt() / (1 - beta2**step) ** 0.5).add_(eps)
                p.addcdiv_(m, denominator, value=-lr / (1 - beta1**step))
                self.store(p, m, v, step)


def state_bytes_per_parameter(optimizer):
    """Bytes of every tensor in optimizer.state, per parameter element."""
    tensors = [v for state in optimizer.state.values() for v in state.values() if isinstance(v, torch.Tensor)]
    parameters = sum(p.numel() for group in optimizer.param_groups for p in group["params"])
    return sum(t.nbytes for t in tensors) / parameters


# %% The data and the network
def load_digits():
    """8x8 digit images (1797 x 64, values 0-16) and labels, from the data file scikit-learn ships."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        raise SystemExit("This snippet reads the digits data that ships with scikit-learn: pip install scikit-learn")
    path = pathlib.Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    with gzip.open(path) as file:
        data = np.loadtxt(file, delimiter=",")
    return data[:, :-1], data[:, -1].astype(int)


def split():
    images, labels = load_digits()
    x, y = torch.tensor(images / 16, dtype=torch.float32), torch.tensor(labels)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    return x[order[HELD_OUT:]], y[order[HELD_OUT:]], x[order[:HELD_OUT]], y[order[:HELD_OUT]]


DATA = split()


def network():
    torch.manual_seed(0)
    layers = []
    for fan_in, fan_out in zip(WIDTHS, WIDTHS[1:]):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def flat(model):
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def train(make_optimizer, steps=STEPS, order_seed=0):
    """Mini-batches drawn in the order `order_seed` gives. Returns the network, the optimizer, the
    parameters every EVERY steps, the largest change of one weight at each step (in units of LR),
    and the fraction of gradient elements that were exactly zero at each step."""
    x, y, _, _ = DATA
    model = network()
    optimizer = make_optimizer(model.parameters())
    generator = torch.Generator().manual_seed(order_seed)
    path, largest, zeros = [flat(model)], [], []
    for step in range(1, steps + 1):
        rows = torch.randint(0, len(y), (BATCH,), generator=generator)
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x[rows]), y[rows]).backward()
        before = flat(model)
        optimizer.step()
        after = flat(model)
        largest.append((after - before).abs().max().item() / LR)
        zeros.append(torch.cat([(p.grad == 0).flatten() for p in model.parameters()]).float().mean().item())
        if step % EVERY == 0:
            path.append(after)
    return {"model": model, "optimizer": optimizer, "path": torch.stack(path), "largest": largest, "zeros": zeros}


def evaluate(model):
    """(training loss, held-out accuracy)."""
    x, y, x_test, y_test = DATA
    with torch.no_grad():
        loss = torch.nn.functional.cross_entropy(model(x), y).item()
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    return loss, accuracy


def drift(path, reference):
    """||theta - theta_ref|| / ||theta_ref - theta_0|| at each recorded step (after the start)."""
    return ((path[1:] - reference[1:]).norm(dim=1) / (reference[1:] - reference[0]).norm(dim=1)).tolist()


# %% The dynamic type keeps small values, the linear one rounds them to zero
signed_dynamic, unsigned_dynamic = LEVELS["dynamic"]
smallest_level = signed_dynamic[signed_dynamic > 0].min().item()
codes_used = {"signed": len(signed_dynamic), "unsigned": len(unsigned_dynamic)}
print(f"dynamic levels: {codes_used['signed']} signed, {codes_used['unsigned']} unsigned; "
      f"smallest positive {smallest_level:.3g}")
generator = torch.Generator().manual_seed(0)
sample = torch.randn(BLOCK * 16, generator=generator) * 10 ** (-4 * torch.rand(BLOCK * 16, generator=generator))
round_trip = {}  # data type -> median relative error of one quantize-dequantize round trip
rounded_to_zero = {}  # data type -> fraction of the values that come back as 0
print("a round trip through each type, values whose magnitudes spread over four decades:")
for name, (signed, _) in LEVELS.items():
    codes, scales = quantize(sample, signed)
    back = dequantize(codes, scales, signed, sample.shape)
    round_trip[name] = ((back - sample).abs() / sample.abs()).median().item()
    rounded_to_zero[name] = (back == 0).float().mean().item()
    print(f"{name:>9}: median relative error {round_trip[name]:.3g}, {rounded_to_zero[name]:.1%} rounded to zero")

# %% Training on the digits: torch.optim.Adam, the same update in float32, and three 8-bit stores
RUNS = {  # id -> (label, optimizer)
    "adam": ("torch.optim.Adam", lambda params: torch.optim.Adam(params, lr=LR)),
    "scratch": ("from scratch, fp32", lambda params: BlockwiseAdam(params, levels=None)),
    "dynamic-v": ("8-bit dynamic, v", lambda params: BlockwiseAdam(params, levels="dynamic")),
    "dynamic-root": ("8-bit dynamic, sqrt v", lambda params: BlockwiseAdam(params, levels="dynamic", root=True)),
    "linear-v": ("8-bit linear, v", lambda params: BlockwiseAdam(params, levels="linear")),
}
LABELS = {run: label for run, (label, _) in RUNS.items()} | {"other-order": "Adam, other batch order"}
runs = {run: train(make) for run, (_, make) in RUNS.items()}
runs["other-order"] = train(RUNS["adam"][1], order_seed=1)
reference = runs["adam"]["path"]

PARAMETERS = reference.shape[1]
state_bytes = {run: state_bytes_per_parameter(runs[run]["optimizer"]) for run in RUNS}
tensor_sizes = [p.numel() for p in network().parameters()]
eight_bit_formula = sum(2 * n + 2 * 4 * -(-n // BLOCK) for n in tensor_sizes) / PARAMETERS  # codes + scales
eight_bit_limit = 2 * (1 + 4 / BLOCK)  # the same for a tensor of many blocks
drifts = {run: drift(result["path"], reference) for run, result in runs.items()}
final_drift = {run: d[-1] for run, d in drifts.items()}
largest_step = {run: max(result["largest"]) for run, result in runs.items()}  # in units of LR
final = {run: evaluate(result["model"]) for run, result in runs.items()}
accuracy = {run: acc for run, (_, acc) in final.items()}
zero_gradients = float(np.mean(runs["adam"]["zeros"]))
scratch_identical = torch.equal(runs["scratch"]["path"], reference)
table = [  # the page's table
    {"run": LABELS[run], "state": state_bytes.get(run, ""), "drift": final_drift[run], "largest": largest_step[run],
     "loss": final[run][0], "accuracy": accuracy[run]}
    for run in runs
]

print(f"\n{'-'.join(map(str, WIDTHS))} network, {PARAMETERS:,} parameters, {STEPS} steps of Adam, lr {LR}")
print(f"{'run':<24}{'state B/p':>10}{'drift':>9}{'step/lr':>9}{'loss':>9}{'accuracy':>9}")
for row in table:
    size = f"{row['state']:.4f}" if row["state"] != "" else ""
    print(f"{row['run']:<24}{size:>10}{row['drift']:>9.3g}{row['largest']:>9.3g}{row['loss']:>9.3g}{row['accuracy']:>9.1%}")
print("drift: distance from torch.optim.Adam's parameters at the end, over the distance")
print("they travelled; step/lr: the largest change of one weight in one step, in lr")
print(f"from scratch, fp32 state: torch.optim.Adam's parameters bit for bit: {scratch_identical}")
print(f"gradient elements exactly zero, on average: {zero_gradients:.1%}")
print(f"8-bit state: {eight_bit_formula:.4f} B per parameter for these tensors, "
      f"2 x (1 + 4/{BLOCK}) = {eight_bit_limit:.4f} for a large one")

# %% The drift and the largest steps, drawn
figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), num="drift")
colors = {"adam": "C0", "dynamic-v": "C1", "dynamic-root": "C2", "other-order": "C3"}
steps = [EVERY * i for i in range(1, len(reference))]
for run in ("dynamic-v", "other-order", "dynamic-root"):
    left.semilogy(steps, drifts[run], label=LABELS[run], color=colors[run])
left.set(xlabel="step", ylabel="distance from Adam's iterates\n/ distance they travelled")
left.legend()
for run in ("adam", "dynamic-v", "dynamic-root"):
    right.semilogy(range(1, STEPS + 1), runs[run]["largest"], label=LABELS[run], color=colors[run], linewidth=1)
right.set(xlabel="step", ylabel="largest change of one weight / lr")
right.legend()
figure.tight_layout()
plt.show()
