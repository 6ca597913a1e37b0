"""Do the for-loop, foreach and fused steps compute the same numbers?

Gives SGD, Adam and AdamW, under a few settings each, the same parameters and the same sequence
of random gradients, steps them with each implementation, and compares the parameters with the
for-loop's: bit for bit, or by how many elements differ and by how much, in units in the last
place (ulp) of the largest parameter. The tensors' sizes are not multiples of a vector width, so
the kernels' vectorized loops and their scalar remainders both run.
"""

# %%
import numpy as np
import torch

STEPS = 20
TENSORS = 30
SIZE = 1_000  # tensor i has SIZE + i elements
SETTINGS = {
    "SGD": [{"momentum": 0.9}, {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}],
    "Adam": [{}, {"amsgrad": True}, {"weight_decay": 0.01}, {"maximize": True}],
    "AdamW": [{}, {"amsgrad": True}],
}
LR = {"SGD": 0.01, "Adam": 0.001, "AdamW": 0.001}
DIFFER_BOUND = 0.01  # the page's bounds for fused vs for-loop: fewer than this fraction of elements differ
ULP_BOUND = 1  # ... and by less than this many ulp of the largest parameter
DTYPES = (torch.float32, torch.float64)


def stepped(name, settings, implementation, dtype):
    """All parameters, concatenated, after STEPS steps with the same gradients."""
    generator = torch.Generator().manual_seed(0)
    shapes = [SIZE + i for i in range(TENSORS)]
    parameters = [torch.randn(n, generator=generator, dtype=dtype).requires_grad_() for n in shapes]
    gradients = [[torch.randn(n, generator=generator, dtype=dtype) for n in shapes] for _ in range(STEPS)]
    flags = {"for-loop": {"foreach": False}, "foreach": {"foreach": True}, "fused": {"fused": True}}[implementation]
    optimizer = getattr(torch.optim, name)(parameters, lr=LR[name], **settings, **flags)
    for step in range(STEPS):
        for p, g in zip(parameters, gradients[step]):
            p.grad = g
        optimizer.step()
    return torch.cat([p.detach() for p in parameters])


def compare(other, loop):
    """(elements that differ, largest difference in ulp of the largest |parameter|)."""
    spacing = np.spacing(loop.abs().max().item(), dtype=np.float32 if loop.dtype == torch.float32 else np.float64)
    return int((other != loop).sum()), float((other - loop).abs().max().item() / spacing)


def label(name, settings):
    return " ".join([name, *(f"{key}={value}" for key, value in settings.items())])


# %% Compare
results = {}  # (setting, dtype, implementation) -> (elements that differ, ulp)
for name, variants in SETTINGS.items():
    for settings in variants:
        for dtype in DTYPES:
            loop = stepped(name, settings, "for-loop", dtype)
            for implementation in ("foreach", "fused"):
                other = stepped(name, settings, implementation, dtype)
                results[label(name, settings), str(dtype)[6:], implementation] = compare(other, loop)

rows = [  # the page's table: how the fused step differs from the for-loop
    {
        "setting": setting,
        "foreach": "bit for bit" if all(results[setting, d, "foreach"][0] == 0 for d in ("float32", "float64")) else "differs",
        "fp32-elements": results[setting, "float32", "fused"][0],
        "fp32-ulp": results[setting, "float32", "fused"][1],
        "fp64-elements": results[setting, "float64", "fused"][0],
        "fp64-ulp": results[setting, "float64", "fused"][1],
    }
    for setting in dict.fromkeys(key[0] for key in results)
]
ELEMENTS = sum(SIZE + i for i in range(TENSORS))
LARGEST_SIZE = SIZE + TENSORS - 1
CAPABILITY = torch.backends.cpu.get_cpu_capability()
print(f"{TENSORS} tensors ({ELEMENTS:,} elements), {STEPS} steps, CPU capability {CAPABILITY}")
print("fused vs for-loop: elements that differ; largest difference, in ulp of the")
print("largest parameter")
print(f"{'setting':<52}{'float32':>13}{'float64':>13}")
for row in rows:
    print(f"{row['setting']:<52}{row['fp32-elements']:>6}; {row['fp32-ulp']:<5.2g}{row['fp64-elements']:>6}; {row['fp64-ulp']:<5.2g}")

foreach_identical = all(differ == 0 for (_, _, impl), (differ, _) in results.items() if impl == "foreach")
fused_worst_ulp = max(ulp for (_, _, impl), (_, ulp) in results.items() if impl == "fused")
fused_most_differing = max(differ for (_, _, impl), (differ, _) in results.items() if impl == "fused")
fused_identical = [f"{k[0]} ({k[1]})" for k, (differ, _) in results.items() if k[2] == "fused" and differ == 0]
print(f"\nforeach equals the for-loop bit for bit in every case: {foreach_identical}")
print(f"fused: at most {fused_most_differing} of {ELEMENTS:,} elements differ, "
      f"by at most {fused_worst_ulp:.2g} ulp of the largest parameter")
print("fused, bit for bit:", *(fused_identical or ["none"]), sep="\n  ")
within_bounds = fused_most_differing < DIFFER_BOUND * ELEMENTS and fused_worst_ulp < ULP_BOUND
print(f"fused: fewer than {DIFFER_BOUND:.0%} of the elements differ, by less than {ULP_BOUND} ulp: {within_bounds}")
