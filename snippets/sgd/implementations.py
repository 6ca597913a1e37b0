"""Three implementations of one update: for-loop, foreach and fused

torch.optim.SGD can update its parameters one tensor at a time (foreach=False), with
multi-tensor foreach kernels (foreach=True) or with one fused kernel per device and dtype
(fused=True). The snippet prints which one the installed torch picks on the CPU by default,
then trains a small two-layer network for 100 steps with each and compares the parameters,
in float32 and in float64, counting differences in units in the last place (ulp).
"""

# %%
import textwrap

import numpy as np
import torch
from torch.optim.optimizer import _default_to_fused_or_foreach  # private: what step() picks
from torch.utils._foreach_utils import _get_foreach_kernels_supported_devices  # private too

STEPS = 100
LAYERS = (8, 37, 1)  # inputs, tanh units, outputs: tensors of 296, 37, 37 and 1 elements
SETTINGS = {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}
TENSORS = 30  # random tensors given the same two gradients
SIZE = 10_007  # elements in each: not a multiple of any vector width
VECTOR_FLOATS = 16  # float32 numbers in one 512-bit (AVX-512) vector; 8 float64, the same count of bytes
ULP_BOUND = 2  # fused=True and the for-loop agree to this many ulp
IMPLEMENTATIONS = {"for-loop": {"foreach": False}, "foreach": {"foreach": True}, "fused": {"fused": True}}
DTYPES = (torch.float32, torch.float64)


def data(dtype):
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(128, LAYERS[0], generator=generator)
    targets = torch.sin(inputs.sum(1, keepdim=True))
    return inputs.to(dtype), targets.to(dtype)


def initial_parameters(dtype):
    """A two-layer network: tensors of 296, 37, 37 and 1 elements (not multiples of a vector width)."""
    generator = torch.Generator().manual_seed(1)
    inputs, hidden, outputs = LAYERS
    shapes = ((inputs, hidden), (hidden,), (hidden, outputs), (outputs,))
    return [(torch.randn(shape, generator=generator) / 3).to(dtype) for shape in shapes]


def train(implementation, dtype=torch.float32, steps=STEPS, **settings):
    """The parameters after every step, flattened into one row per step (shape steps + 1, 371)."""
    parameters = [p.clone().requires_grad_() for p in initial_parameters(dtype)]
    optimizer = torch.optim.SGD(parameters, **{**SETTINGS, **settings}, **IMPLEMENTATIONS[implementation])
    inputs, targets = data(dtype)
    w1, b1, w2, b2 = parameters
    rows = [torch.cat([p.detach().flatten() for p in parameters])]
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((torch.tanh(inputs @ w1 + b1) @ w2 + b2 - targets) ** 2).mean()
        loss.backward()
        optimizer.step()
        rows.append(torch.cat([p.detach().flatten() for p in parameters]))
    return torch.stack(rows)


def ulps(a, b):
    """Largest |a - b| in units in the last place (ulp) of b's largest element."""
    reference = b.numpy()
    return float(np.abs(a.numpy() - reference).max() / np.spacing(np.abs(reference).max()))


def two_steps(implementation, dtype, seed, size=SIZE, **settings):
    """Two steps from the same random parameters with the same two random gradients."""
    generator = torch.Generator().manual_seed(seed)
    start, *grads = (torch.randn(size, generator=generator).to(dtype) for _ in range(3))
    p = start.clone().requires_grad_()
    optimizer = torch.optim.SGD([p], **{**SETTINGS, **settings}, **IMPLEMENTATIONS[implementation])
    for grad in grads:
        p.grad = grad.clone()
        optimizer.step()
    return p.detach()


def elementwise_ulps(a, b):
    """|a - b| per element, in ulp of b's element."""
    reference = b.numpy()
    return np.abs(a.numpy() - reference) / np.spacing(np.abs(reference))


# %% What step() runs on the CPU when neither foreach nor fused is given
probe = [torch.zeros(3, requires_grad=True)]
fused, foreach = _default_to_fused_or_foreach(probe, differentiable=False, use_fused=False)
foreach_devices = _get_foreach_kernels_supported_devices()
print(f"torch {torch.__version__}, CPU, foreach=None, fused=None:")
print(f"  fused={fused}, foreach={foreach} -> the for-loop")
print(f"  devices with foreach kernels: {', '.join(foreach_devices)}")


# %% fused=True on the CPU: which dtypes it takes
def fused_accepts(dtype):
    """One fused step on a CPU tensor of this dtype: 'runs' or the error message."""
    p = torch.ones(4, dtype=dtype, requires_grad=True)
    p.grad = torch.ones_like(p)
    try:
        torch.optim.SGD([p], lr=0.5, momentum=0.9, fused=True).step()
    except RuntimeError as error:
        return f"refused: {error}"
    return f"runs (1 - 0.5 * 1 = {p.detach()[0].item():g})"


for dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64):
    print(textwrap.fill(f"fused=True, CPU, {dtype}: {fused_accepts(dtype)}", width=78, subsequent_indent="    "))

# %% Given the same gradients: two steps on 10,007 random numbers, 30 times
SEEDS = range(TENSORS)
capability = torch.backends.cpu.get_cpu_capability()
tail = SIZE % VECTOR_FLOATS  # the elements past the last full vector
full_vectors = SIZE // VECTOR_FLOATS
print(f"the same gradients, two steps, {TENSORS} tensors of {SIZE:,} elements")
print(f"(CPU: {capability}; the last {tail} are past the last full vector of {VECTOR_FLOATS} floats)")
differing = {}  # (implementation, dtype) -> [(seed, index, ulp)] of the elements that differ
for dtype in DTYPES:
    loops = [two_steps("for-loop", dtype, seed) for seed in SEEDS]
    for name in ("foreach", "fused"):
        found = []
        for seed, loop in zip(SEEDS, loops):
            ulp = elementwise_ulps(two_steps(name, dtype, seed), loop)
            found += [(seed, int(index), float(ulp[index])) for index in np.flatnonzero(ulp)]
        differing[name, dtype] = found
        where = sorted({index for _, index, _ in found})
        print(f"{str(dtype):>14} {name:>8} vs for-loop: {len(found)} of {TENSORS * SIZE:,} elements differ,")
        print(f"{'':>26} by at most {max([u for *_, u in found], default=0):.0f} ulp, at indices {where}")
fused_differing = {str(dtype).removeprefix("torch."): len(differing["fused", dtype]) for dtype in DTYPES}
fused_worst_ulp = max([ulp for dtype in DTYPES for *_, ulp in differing["fused", dtype]], default=0.0)
fused_first_index = min([index for dtype in DTYPES for _, index, _ in differing["fused", dtype]], default=SIZE)

# %% Training: gradients computed from the parameters, 100 steps
print(f"training, {STEPS} steps: largest |difference| from the for-loop,")
print("and in ulp of the largest parameter")
trained = {(name, dtype): train(name, dtype) for dtype in DTYPES for name in IMPLEMENTATIONS}
trained_ulps = {}  # "fused float32" -> ulp
for dtype in DTYPES:
    loop = trained["for-loop", dtype]
    for name in ("foreach", "fused"):
        other = trained[name, dtype]
        trained_ulps[f"{name} {str(dtype).removeprefix('torch.')}"] = ulps(other, loop)
        print(f"{str(dtype):>14} {name:>8}: {(other - loop).abs().max().item():.1e} = {ulps(other, loop):.1f} ulp "
              f"of {loop.abs().max().item():.2f}, bit for bit: {torch.equal(other, loop)}")
fused_trained_ulps = max(trained_ulps["fused float32"], trained_ulps["fused float64"])
