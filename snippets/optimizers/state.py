"""The defaults and the state of every torch.optim optimizer, read from the installed torch

For each optimizer class of torch.optim: the keyword defaults of its constructor, read with
inspect.signature, beside the default its docstring states; and what optimizer.state holds for one
parameter after one step: each entry's key, shape, dtype (for a float32 and for a float64
parameter) and bytes, for the defaults and for the settings that change what it keeps.
"""

# %%
import inspect
import math
import re
import textwrap

import torch
import torch.nn.functional as F

SHAPE = (4, 3)  # the parameter: a matrix (Muon takes nothing else, Adafactor factors it)
SHAPE_SHOWN = " × ".join(map(str, SHAPE))
VARIANTS = {  # optimizer -> the settings that change its state: name -> (options, parameter shape)
    "SGD": {"momentum": ({"momentum": 0.9}, SHAPE)},
    "RMSprop": {"momentum": ({"momentum": 0.9}, SHAPE), "centered": ({"centered": True}, SHAPE),
                "momentum-centered": ({"momentum": 0.9, "centered": True}, SHAPE)},
    "Adam": {"amsgrad": ({"amsgrad": True}, SHAPE)},
    "AdamW": {"amsgrad": ({"amsgrad": True}, SHAPE)},
    "Adafactor": {"vector": ({}, (12,)), "3-d": ({}, (2, 3, 2))},
}
LOOKUP = [1, 3, 3]  # SparseAdam's gradient: an embedding lookup of these rows (the parameter is the table)
FLAGS = ("foreach", "maximize", "capturable", "differentiable", "fused")  # switches of the implementation


def optimizer_names():
    """The optimizer classes torch.optim exports, in the order of its __all__."""
    return [name for name in torch.optim.__all__
            if isinstance(getattr(torch.optim, name), type) and issubclass(getattr(torch.optim, name), torch.optim.Optimizer)
            and name != "Optimizer"]


def signature_defaults(name):
    """The constructor's keyword defaults, as the installed torch declares them."""
    parameters = inspect.signature(getattr(torch.optim, name)).parameters.values()
    return {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}


def docstring_default(name, argument):
    """The default the class's docstring states for an argument ("" where it states none)."""
    for entry in re.split(r"\n\s*(?=\w+ \([^)]*\):)", getattr(torch.optim, name).__doc__):
        if entry.startswith(f"{argument} ("):
            found = re.search(r"default: ?(\([^)]*\)|[^)\s,]+)", " ".join(entry.split()))
            return found.group(1) if found else ""
    return ""


def shown(value):
    """A default as a table shows it: numbers stay numbers, the rest becomes its repr."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else repr(value)


def after_one_step(name, options=None, shape=SHAPE, dtype=torch.float32):
    """(the state of one parameter after one step on |theta|^2 / 2, how many parameters had
    state before the first step). LBFGS gets a closure, SparseAdam the sparse gradient of the
    same loss on the rows of an embedding lookup."""
    theta = torch.nn.Parameter(torch.randn(shape, dtype=dtype, generator=torch.Generator().manual_seed(0)))
    optimizer = getattr(torch.optim, name)([theta], **(options or {}))
    before = len(optimizer.state)

    def closure():
        optimizer.zero_grad()
        rows = F.embedding(torch.tensor(LOOKUP), theta, sparse=True) if name == "SparseAdam" else theta
        loss = (rows**2).sum() / 2
        loss.backward()
        return loss

    optimizer.step(closure)
    return optimizer.state[theta], before


def dims(tensor):
    return " × ".join(map(str, tensor.shape)) or "scalar"


def describe(value):
    """(shape, dtype, bytes, scalar) of a state entry: a tensor, a list of tensors (LBFGS's history,
    whose unused slots hold None) or a Python number. `scalar`: it does not grow with the parameter."""
    if isinstance(value, list):
        kept = [t for t in value if torch.is_tensor(t)]
        if not kept:
            return f"list of {len(value)} × None", "-", 0, True
        shapes = ", ".join(sorted({dims(t) for t in kept}))
        return f"list of {len(kept)} × {shapes}", str(kept[0].dtype)[6:], sum(t.nbytes for t in kept), kept[0].dim() == 0
    if torch.is_tensor(value):
        return dims(value), str(value.dtype)[6:], value.nbytes, value.dim() == 0
    return f"Python {type(value).__name__}", "-", "-", True


def layout(name, variant, options, shape):
    """One row per state entry, with the dtype it has for a float32 and for a float64 parameter."""
    state, _ = after_one_step(name, options, shape)
    state64, _ = after_one_step(name, options, shape, torch.float64)
    setting = ", ".join(f"{k}={v!r}" for k, v in options.items()) or "defaults"
    if shape != SHAPE:
        setting = f"a {' × '.join(map(str, shape))} parameter"
    rows = []
    for key, value in state.items():
        size, dtype, nbytes, scalar = describe(value)
        rows.append({"variant": variant, "setting": setting, "key": key, "shape": size, "float32": dtype,
                     "float64": describe(state64[key])[1], "bytes": nbytes, "scalar": scalar})
    return rows


def bytes_per_element(rows, shape):
    """Bytes of the entries that grow with the parameter, per parameter element."""
    return sum(row["bytes"] for row in rows if not row["scalar"]) / math.prod(shape)


# %% Every optimizer of torch.optim
NAMES = optimizer_names()
defaults, default_rows, before_first_step, rows, per_element = {}, {}, {}, {}, {}
print(f"torch {torch.__version__}: the state of a float32 {' x '.join(map(str, SHAPE))} parameter after one step")
print("(bytes per parameter element, scalars aside), and its keys:")
for name in NAMES:
    key = name.lower()
    defaults[key] = signature_defaults(name)
    default_rows[key] = [{"argument": argument, "default": shown(value), "docstring": docstring_default(name, argument)}
                         for argument, value in defaults[key].items() if argument not in FLAGS]
    before_first_step[key] = after_one_step(name)[1]
    rows[key], per_element[key] = [], {}
    for variant, (options, shape) in {"default": ({}, SHAPE), **VARIANTS.get(name, {})}.items():
        measured = layout(name, variant, options, shape)
        rows[key] += measured
        per_element[key][variant] = bytes_per_element(measured, shape)
        keys = ", ".join(row["key"] for row in measured) or "nothing"
        print(textwrap.fill(f"{name:<10} {variant:<17} {per_element[key][variant]:>5.3g}  {keys}", 78,
                            initial_indent="  ", subsequent_indent=" " * 38))

# %% SparseAdam: a sparse gradient, a dense state
table = torch.nn.Parameter(torch.zeros(SHAPE))
F.embedding(torch.tensor(LOOKUP), table, sparse=True).sum().backward()
stored_rows, coalesced_rows = table.grad._indices()[0].tolist(), table.grad.coalesce().indices()[0].tolist()
print(f"\nSparseAdam: a lookup of rows {LOOKUP} gives a {table.grad.layout} gradient")
print(f"that stores rows {stored_rows}, {coalesced_rows} once coalesced; its state has the")
print("shape of the whole table.")
