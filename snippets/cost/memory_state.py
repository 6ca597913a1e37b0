"""Bytes of optimizer state per parameter, for the fifteen optimizers of torch.optim

Builds each optimizer, once per option that changes what it keeps, on one parameter in float32
and in bfloat16, steps it, and adds up the sizes (nbytes) of the tensors it left in
optimizer.state. Tensors with at least one dimension grow with the parameter: their bytes are
divided by its number of elements. 0-d tensors (step counters and the like) cost the same for a
parameter of any size and are counted apart, per parameter tensor. Each row is printed next to the
formula it should follow, in s, the bytes of one element of the parameter's dtype.
"""

# %%
import torch

SHAPE = (64, 32)  # a 2-D parameter, r x c: Muon accepts nothing else, and Adafactor factors it
LBFGS_STEPS = 8  # 8 calls of step(), each up to max_iter=20 iterations: enough to fill a history of 100
DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}

# (case id, optimizer, options, parameter shape, formula as printed, formula in s, h, r, c)
# s: bytes per element of the parameter's dtype; h: pairs LBFGS keeps; r x c: the parameter's shape
CASES = [
    ("sgd", "SGD", {}, SHAPE, "0", lambda s, h, r, c: 0),
    ("sgd-momentum", "SGD", {"momentum": 0.9}, SHAPE, "s", lambda s, h, r, c: s),
    ("sgd-nesterov", "SGD", {"momentum": 0.9, "nesterov": True}, SHAPE, "s", lambda s, h, r, c: s),
    ("adagrad", "Adagrad", {}, SHAPE, "s", lambda s, h, r, c: s),
    ("rmsprop", "RMSprop", {}, SHAPE, "s", lambda s, h, r, c: s),
    ("rmsprop-centered", "RMSprop", {"centered": True}, SHAPE, "2s", lambda s, h, r, c: 2 * s),
    ("rmsprop-momentum", "RMSprop", {"momentum": 0.9}, SHAPE, "2s", lambda s, h, r, c: 2 * s),
    ("rmsprop-both", "RMSprop", {"momentum": 0.9, "centered": True}, SHAPE, "3s", lambda s, h, r, c: 3 * s),
    ("adadelta", "Adadelta", {}, SHAPE, "2s", lambda s, h, r, c: 2 * s),
    ("adam", "Adam", {}, SHAPE, "2s", lambda s, h, r, c: 2 * s),
    ("adam-amsgrad", "Adam", {"amsgrad": True}, SHAPE, "3s", lambda s, h, r, c: 3 * s),
    ("adamw", "AdamW", {}, SHAPE, "2s", lambda s, h, r, c: 2 * s),
    ("adamw-amsgrad", "AdamW", {"amsgrad": True}, SHAPE, "3s", lambda s, h, r, c: 3 * s),
    ("adamax", "Adamax", {}, SHAPE, "2s", lambda s, h, r, c: 2 * s),
    ("nadam", "NAdam", {}, SHAPE, "2s", lambda s, h, r, c: 2 * s),
    ("radam", "RAdam", {}, SHAPE, "2s", lambda s, h, r, c: 2 * s),
    ("sparseadam", "SparseAdam", {}, SHAPE, "2s", lambda s, h, r, c: 2 * s),
    ("asgd", "ASGD", {}, SHAPE, "s", lambda s, h, r, c: s),
    ("rprop", "Rprop", {}, SHAPE, "2s", lambda s, h, r, c: 2 * s),
    ("lbfgs-10", "LBFGS", {"history_size": 10}, SHAPE, "(2h + 2)s", lambda s, h, r, c: (2 * h + 2) * s),
    ("lbfgs", "LBFGS", {}, SHAPE, "(2h + 2)s", lambda s, h, r, c: (2 * h + 2) * s),
    ("adafactor", "Adafactor", {}, SHAPE, "(r + c)s / rc", lambda s, h, r, c: (r + c) * s / (r * c)),
    ("adafactor-1d", "Adafactor", {}, (SHAPE[0] * SHAPE[1],), "s", lambda s, h, r, c: s),
    ("muon", "Muon", {}, SHAPE, "s", lambda s, h, r, c: s),
    ("muon-no-momentum", "Muon", {"momentum": 0.0}, SHAPE, "s", lambda s, h, r, c: s),
]


def loss_fn(p, target):
    """A quadratic whose curvature runs from 1 to 10^4 across the elements: LBFGS keeps iterating on it."""
    curvature = torch.logspace(0, 4, p.numel(), dtype=p.dtype).reshape(p.shape)
    return (curvature * (p - target) ** 2).sum() / 2


def stepped(name, options, shape, dtype):
    """(parameter, optimizer, number of entries in optimizer.state before the first step) after stepping."""
    generator = torch.Generator().manual_seed(0)
    p = torch.nn.Parameter(torch.zeros(shape, dtype=dtype))
    target = torch.randn(shape, generator=generator).to(dtype)
    optimizer = getattr(torch.optim, name)([p], **options)
    before = len(optimizer.state)

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(p, target)
        loss.backward()
        if name == "SparseAdam":  # it takes sparse gradients only
            p.grad = p.grad.to_sparse()
        return loss

    for _ in range(LBFGS_STEPS if name == "LBFGS" else 1):
        if name == "LBFGS":
            optimizer.step(closure)
        else:
            closure()
            optimizer.step()
    return p, optimizer, before


def state_tensors(state):
    """(key, tensor) for every tensor in a state entry; LBFGS keeps lists of them."""
    for key, value in state.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, torch.Tensor):
                yield key, item


def measure(name, options, shape, dtype):
    """What one parameter's state costs: bytes per element, 0-d bytes per tensor, and the keys."""
    p, optimizer, before = stepped(name, options, shape, dtype)
    state = optimizer.state[p]
    grows = [(key, t) for key, t in state_tensors(state) if t.dim() > 0]
    fixed = [t for _, t in state_tensors(state) if t.dim() == 0]
    return {
        "per_element": sum(t.nbytes for _, t in grows) / p.numel(),
        "scalar_bytes": sum(t.nbytes for t in fixed),
        "keys": sorted({key for key, _ in grows}),
        "step_dtype": str(state["step"].dtype).removeprefix("torch.") if isinstance(state.get("step"), torch.Tensor) else None,
        "pairs": len(state.get("old_dirs", [])),
        "state_dtypes": sorted({str(t.dtype).removeprefix("torch.") for _, t in grows}),
        "entries_before_step": before,
    }


def formula_bytes(formula, shape, dtype, pairs):
    """The formula's bytes per element for this parameter (h: the LBFGS pairs actually kept)."""
    r, c = shape if len(shape) == 2 else (1, shape[0])
    return formula(torch.empty((), dtype=dtype).element_size(), pairs, r, c)


def option_text(options):
    return ", ".join(f"{key}={value}" for key, value in options.items()) or "defaults"


# %% Every case, in float32 and in bfloat16
measured = {}  # (case id, dtype name) -> what measure() found
for case, name, options, shape, _, _ in CASES:
    for label, dtype in DTYPES.items():
        measured[case, label] = measure(name, options, shape, dtype)

rows = []  # the page's table
for case, name, options, shape, text, formula in CASES:
    fp32, bf16 = measured[case, "fp32"], measured[case, "bf16"]
    rows.append({
        "id": case,
        "optimizer": name,
        "options": option_text(options) + ("" if len(shape) == 2 else ", 1-D parameter"),
        "state": ", ".join(fp32["keys"]) or "none",
        "formula": text,
        "fp32": fp32["per_element"],
        "bf16": bf16["per_element"],
        "fp32_formula": formula_bytes(formula, shape, torch.float32, fp32["pairs"]),
        "bf16_formula": formula_bytes(formula, shape, torch.bfloat16, bf16["pairs"]),
        "scalars_fp32": fp32["scalar_bytes"],
    })
by_case = {row["id"]: row for row in rows}

print(f"torch {torch.__version__}, one {SHAPE[0]} x {SHAPE[1]} parameter; bytes of state per element")
print(f"{'optimizer':<10} {'options':<29} {'formula':<14} {'fp32':>6} {'bf16':>6}")
for row in rows:
    print(f"{row['optimizer']:<10} {row['options'][:29]:<29} {row['formula']:<14} {row['fp32']:>6.4g} {row['bf16']:>6.4g}")

# %% What the formulas' letters were in this run
S_FP32, S_BF16 = torch.finfo(torch.float32).bits // 8, torch.finfo(torch.bfloat16).bits // 8
LBFGS_HISTORY = measured["lbfgs", "fp32"]["pairs"]  # h for LBFGS's default history_size
lbfgs_ratio = by_case["lbfgs"]["fp32"] / S_FP32  # LBFGS's state, in copies of the parameter
adafactor_fraction = by_case["adafactor"]["fp32"] / S_FP32  # Adafactor's state, as a fraction of the parameter
print(f"\ns = {S_FP32} B (fp32), {S_BF16} B (bf16). LBFGS kept h = {LBFGS_HISTORY} pairs:")
print(f"its state is {lbfgs_ratio:g} copies of the parameter; Adafactor's is {adafactor_fraction:.4g} of one.")

# %% The 0-d entries: a few bytes per parameter tensor, whatever its size
step_dtypes = {case: measured[case, "bf16"]["step_dtype"] for case, *_ in CASES}
print("\n0-d state per parameter tensor (fp32 parameter), and the step counter's dtype for a bf16 one:")
for case, name, *_ in CASES:
    print(f"  {case:<17} {by_case[case]['scalars_fp32']:>4} B   step: {step_dtypes[case] or 'no tensor'}")
state_at_construction = sorted({case for (case, _), found in measured.items() if found["entries_before_step"]})
print(f"\nstate already filled by the constructor, before any step: {', '.join(state_at_construction)}")
print("every other case allocates its state at the first step")
