"""The memory arithmetic at scale: model states per GPU under DDP, ZeRO-1/2/3 and FSDP

Arithmetic on measured constants. The bytes per parameter element of a float32 parameter, of its
gradient and of AdamW's state are measured here, on a real network after one AdamW step. From
them, the memory each GPU holds for the model's states (parameters, gradients, optimizer state) is
computed for a model of P parameters trained on N GPUs under each scheme, for 1 B and 7 B
parameters at 8 to 1024 GPUs. Activations, buffers, fragmentation and the framework's own memory
are not modelled.
"""

# %%
import matplotlib.pyplot as plt
import torch

MODELS = {"1B": (1e9, 16), "7B": (7e9, 32)}  # parameters, and transformer layers (FSDP's units)
GPUS = tuple(2**k for k in range(3, 11))  # 8, 16, ..., 1024
GPU_MEMORY_GB = 80  # what a large GPU holds
GB = 1e9
SCHEMES = ("DDP", "ZeRO-1", "ZeRO-2", "ZeRO-3", "FSDP")


# %%
def measured_bytes_per_element():
    """Bytes per parameter element of the parameter, its gradient and AdamW's state, in float32,
    measured after one AdamW step (the 0-d `step` counters, 4 bytes per tensor, left out)."""
    model = torch.nn.Sequential(torch.nn.Linear(16, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    optimizer = torch.optim.AdamW(model.parameters())
    model(torch.randn(8, 16)).sum().backward()
    optimizer.step()
    parameters = list(model.parameters())
    elements = sum(p.numel() for p in parameters)
    state = sum(t.nbytes for p in parameters for t in optimizer.state[p].values() if t.shape == p.shape)
    counters = sum(t.nbytes for p in parameters for t in optimizer.state[p].values() if t.dim() == 0)
    return {
        "parameter": sum(p.nbytes for p in parameters) / elements,
        "gradient": sum(p.grad.nbytes for p in parameters) / elements,
        "optimizer": state / elements,
        "counter_bytes_per_tensor": counters / len(parameters),
    }


BYTES = measured_bytes_per_element()


# %%
# --8<-- [start:formulas]
def per_gpu(scheme, parameters, gpus, layers, b=BYTES):
    """Bytes of model states on each GPU: {"parameters", "gradients", "optimizer", "working"}.

    ZeRO-1 shards the optimizer state, ZeRO-2 the gradients too, ZeRO-3 the parameters too. FSDP
    shards like ZeRO-3 and also holds one layer's parameters and gradients whole while it computes
    ("working"); ZeRO-3 here is the formula of the ZeRO paper, which leaves that copy out."""
    sharded = {"DDP": (), "ZeRO-1": ("optimizer",), "ZeRO-2": ("optimizer", "gradients"),
               "ZeRO-3": ("optimizer", "gradients", "parameters"), "FSDP": ("optimizer", "gradients", "parameters")}[scheme]
    sizes = {"parameters": b["parameter"], "gradients": b["gradient"], "optimizer": b["optimizer"]}
    held = {part: size * parameters / (gpus if part in sharded else 1) for part, size in sizes.items()}
    whole_layer = (b["parameter"] + b["gradient"]) * parameters / layers
    held["working"] = whole_layer if scheme == "FSDP" else 0.0
    return held
# --8<-- [end:formulas]


def total(held):
    return sum(held.values())


def state_stops_dominating(scheme, parameters, layers, most=max(GPUS)):
    """The fewest GPUs at which the optimizer state is no longer the largest item on a GPU (None: never, up to `most`)."""
    for gpus in range(1, most + 1):
        held = per_gpu(scheme, parameters, gpus, layers)
        if held["optimizer"] <= max(v for k, v in held.items() if k != "optimizer"):
            return gpus
    return None


def fewest_gpus_that_fit(scheme, parameters, layers, memory=GPU_MEMORY_GB * GB, most=max(GPUS)):
    """The fewest GPUs on which the model states fit in `memory` bytes per GPU (None: not up to `most`)."""
    return next((n for n in range(1, most + 1) if total(per_gpu(scheme, parameters, n, layers)) <= memory), None)


# %%
table = {  # GB per GPU, by model, scheme and number of GPUs
    model: {scheme: [total(per_gpu(scheme, p, n, layers)) / GB for n in GPUS] for scheme in SCHEMES}
    for model, (p, layers) in MODELS.items()
}
rows = {  # the same, as table rows
    model: [{"scheme": scheme, **{f"gpus_{n}": gb for n, gb in zip(GPUS, table[model][scheme])}} for scheme in SCHEMES]
    for model in MODELS
}
kept_whole = {  # GB per GPU that ZeRO-1 and ZeRO-2 never shard: their floor at any number of GPUs
    model: {"ZeRO-1": (BYTES["parameter"] + BYTES["gradient"]) * p / GB, "ZeRO-2": BYTES["parameter"] * p / GB}
    for model, (p, _) in MODELS.items()
}
crossover = {model: {s: state_stops_dominating(s, p, layers) for s in SCHEMES} for model, (p, layers) in MODELS.items()}
fits = {model: {s: fewest_gpus_that_fit(s, p, layers) for s in SCHEMES} for model, (p, layers) in MODELS.items()}
state_share = {  # the optimizer state's share of the model states on a GPU
    model: {s: [per_gpu(s, p, n, layers)["optimizer"] / total(per_gpu(s, p, n, layers)) for n in GPUS] for s in SCHEMES}
    for model, (p, layers) in MODELS.items()
}

print("Measured in float32, bytes per parameter element:")
for part in ("parameter", "gradient", "optimizer"):
    print(f"  {part:<10} {BYTES[part]:g}")
print(f"  (and AdamW's step counter: {BYTES['counter_bytes_per_tensor']:g} bytes per parameter tensor)")
for model, (p, layers) in MODELS.items():
    print(f"\n{model} parameters, {layers} layers: GB of model states per GPU")
    print(f"  {'GPUs':<8}" + "".join(f"{n:>8}" for n in GPUS))
    for scheme in SCHEMES:
        print(f"  {scheme:<8}" + "".join(f"{gb:>8.3g}" for gb in table[model][scheme]))
    never = lambda n: "never" if n is None else str(n)  # noqa: E731
    print(f"\n  {'from how many GPUs':<28}" + "".join(f"{scheme:>8}" for scheme in SCHEMES))
    print(f"  {f'it fits in {GPU_MEMORY_GB} GB':<28}" + "".join(f"{never(fits[model][s]):>8}" for s in SCHEMES))
    print(f"  {'state is not the largest':<28}" + "".join(f"{never(crossover[model][s]):>8}" for s in SCHEMES))


# %%
figure, panels = plt.subplots(1, len(MODELS), figsize=(9, 3.8), sharey=True, num="per-gpu-memory")
for panel, (model, (p, layers)) in zip(panels, MODELS.items()):
    for scheme in SCHEMES:
        panel.plot(GPUS, table[model][scheme], marker="o", markersize=3, label=scheme)
    panel.axhline(GPU_MEMORY_GB, color="black", linestyle="--", linewidth=1, label=f"{GPU_MEMORY_GB} GB")
    where = crossover[model]["FSDP"]
    panel.axvline(where, color="C4", linestyle=":", label="FSDP: state no longer largest")
    panel.set_xscale("log", base=2)
    panel.set_yscale("log")
    panel.set_title(f"{model} parameters, AdamW, fp32")
    panel.set_xlabel("GPUs")
panels[0].set_ylabel("model states per GPU (GB)")
panels[-1].legend(fontsize=10)
figure.tight_layout()
plt.show()
