"""torch.amp on the CPU: which dtypes autocast runs in, and which gradients underflow

The snippet asks CPU autocast for float16, bfloat16 and float32 and records what a Linear layer
returns and what torch warns. Then it computes the gradient of a trained 64-32-10 network on all of
the digits in float32, and under autocast in float16 and in bfloat16, each with the loss multiplied
by 1 and by 2^16 (what GradScaler does), and counts the gradient entries that come out exactly zero
where float32's are not.
"""

# %%
import gzip
import importlib.util
import pathlib
import textwrap
import warnings

import numpy as np
import torch

DTYPES = (torch.float16, torch.bfloat16, torch.float32)
SCALES = (1.0, 2.0**16)
TRAINING_STEPS = 100


def load_digits():
    """8x8 digit images (1797 x 64, values 0-16) and labels, from the data file scikit-learn ships."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        raise SystemExit("This snippet reads the digits data that ships with scikit-learn: pip install scikit-learn")
    path = pathlib.Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    with gzip.open(path) as file:
        data = np.loadtxt(file, delimiter=",")
    return data[:, :-1], data[:, -1].astype(int)


# %% What CPU autocast accepts
def autocast_output(dtype):
    """The dtype a Linear layer returns under CPU autocast for `dtype`, and the warnings raised."""
    layer = torch.nn.Linear(8, 4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with torch.autocast("cpu", dtype=dtype):
            output = layer(torch.randn(2, 8))
    return str(output.dtype).removeprefix("torch."), [str(warning.message) for warning in caught]


outputs = {str(dtype).removeprefix("torch."): autocast_output(dtype) for dtype in DTYPES}
output_dtype = {name: found for name, (found, _) in outputs.items()}
[float32_warning] = outputs["float32"][1]
default_dtype = str(torch.get_autocast_dtype("cpu")).removeprefix("torch.")
print(f"torch.autocast('cpu') by default: {default_dtype}")
for name, (found, caught) in outputs.items():
    print(f"asked for {name:<9} Linear returns {found:<9} warnings: {len(caught)}")
print("UserWarning:")
for line in float32_warning.splitlines():
    print(textwrap.fill(line, width=76, initial_indent="  ", subsequent_indent="  "))


# %% Gradients that underflow
def trained_network(steps=TRAINING_STEPS):
    images, labels = load_digits()
    x, y = torch.tensor(images / 16, dtype=torch.float32), torch.tensor(labels)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(steps):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    return model, x, y


def gradient(model, x, y, dtype=None, scale=1.0):
    """The flattened gradient of the mean loss on (x, y), with the loss multiplied by `scale` and
    the gradient divided by it again, as GradScaler does; under autocast unless dtype is None."""
    model.zero_grad()
    with torch.autocast("cpu", dtype=dtype or torch.bfloat16, enabled=dtype is not None):
        loss = torch.nn.functional.cross_entropy(model(x), y)
    (loss * scale).backward()
    return torch.cat([p.grad.flatten() for p in model.parameters()]) / scale


model, x, y = trained_network()
exact = gradient(model, x, y)
rows, gradients = [], {}
for dtype in (torch.float16, torch.bfloat16):
    for scale in SCALES:
        found = gradient(model, x, y, dtype, scale)
        name = f"{str(dtype).removeprefix('torch.')}, scale {scale:g}"
        gradients[name] = found
        rows.append({
            "dtype": str(dtype).removeprefix("torch."),
            "scale": scale,
            "flushed": ((found == 0) & (exact != 0)).float().mean().item(),
            "error": ((found - exact).norm() / exact.norm()).item(),
        })
underflow = {f"{row['dtype']}, scale {row['scale']:g}": row for row in rows}
bfloat16_error_ratio = underflow["bfloat16, scale 1"]["error"] / underflow["float16, scale 65536"]["error"]
bfloat16_scale_changes_nothing = torch.equal(gradients["bfloat16, scale 1"], gradients["bfloat16, scale 65536"])
del gradients
print(f"\ngradient on all {len(y)} digits after {TRAINING_STEPS} Adam steps, against float32:")
print(f"{'dtype':<10}{'loss scale':>12}{'flushed to zero':>18}{'relative error':>17}")
for row in rows:
    print(f"{row['dtype']:<10}{row['scale']:>12g}{row['flushed']:>18.2%}{row['error']:>17.3g}")
print(f"bfloat16: the same gradient with and without the scale: {bfloat16_scale_changes_nothing}")

# %% The two 16-bit types, from torch.finfo
FLOAT16_SMALLEST = torch.nextafter(torch.tensor(0, dtype=torch.float16), torch.tensor(1, dtype=torch.float16)).item()
FLOAT16_EPS = torch.finfo(torch.float16).eps
BFLOAT16_EPS = torch.finfo(torch.bfloat16).eps
BFLOAT16_MAX = torch.finfo(torch.bfloat16).max
FLOAT16_MAX = torch.finfo(torch.float16).max
FLOAT32_MAX = torch.finfo(torch.float32).max
print(f"float16:  smallest {FLOAT16_SMALLEST:.3g}, largest {FLOAT16_MAX:.5g}, eps {FLOAT16_EPS:.3g}")
print(f"bfloat16: largest {BFLOAT16_MAX:.3g} (float32 {FLOAT32_MAX:.3g}), eps {BFLOAT16_EPS:.3g}")
