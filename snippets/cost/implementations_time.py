"""Time per step of the for-loop, foreach and fused implementations, on this machine

Times optimizer.step() of SGD (momentum 0.9), Adam and AdamW with each implementation on two
models of 300,000 parameters each (300 tensors of 1,000 elements; 3 of 100,000), and Adam on the
set-up of the pull request that added the fused CPU kernel (10 tensors of 1,000,000 elements).
The implementations take turns, round after round, and each keeps its fastest round: the machine
may be busy with other work, and the fastest round is the one least disturbed by it. These are
one machine's timings on one torch thread, not properties of the implementations.
"""

# %%
import pathlib
import platform
import time

import matplotlib.pyplot as plt
import torch

MODELS = {"many": (300, 1_000), "few": (3, 100_000)}  # many small tensors, few large: (tensors, elements each)
PULL_REQUEST_MODEL = (10, 1_000_000)  # pytorch/pytorch#123074: "Parameter-size=1M, Nparams=10"
OPTIMIZERS = {"SGD": {"lr": 0.01, "momentum": 0.9}, "Adam": {"lr": 0.001}, "AdamW": {"lr": 0.001}}
IMPLEMENTATIONS = {"for-loop": {"foreach": False}, "foreach": {"foreach": True}, "fused": {"fused": True}}
# Published timings to set beside these (GPU and many-core numbers, not this machine's):
PUBLISHED_FOREACH_MS = {  # pytorch/pytorch#45299, ResNet-101 on CUDA: (for-loop, foreach) ms per step
    "SGD": (6.28, 4.40), "Adam": (42.69, 10.16), "AdamW": (51.38, 15.63), "RMSprop": (28.63, 5.89),
}
PUBLISHED_FUSED_S = (6.0174267292022705, 1.1787631511688232)  # pytorch/pytorch#123074: non-fused, fused
PUBLISHED_FUSED_CORES = 56  # ... on a 56-core Sapphire Rapids CPU, 10 tensors of 1M elements
ROUNDS = 7
STEPS_PER_ROUND = 5


def machine():
    """The CPU's model name and core count, torch's thread count and version, and the CPU kernels
    torch uses (Linux's /proc/cpuinfo names the CPU; elsewhere, the platform module)."""
    path = pathlib.Path("/proc/cpuinfo")
    lines = path.read_text().splitlines() if path.is_file() else []
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return {
        "cpu": names[0] if names else platform.processor() or platform.machine(),
        "cores": len(names) or None,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "capability": torch.backends.cpu.get_cpu_capability(),
    }


def optimizers(name, tensors, size):
    """One optimizer per implementation, each on its own copy of the same parameters, stepped once."""
    generator = torch.Generator().manual_seed(0)
    start = [torch.randn(size, generator=generator) for _ in range(tensors)]
    grads = [torch.randn(size, generator=generator) for _ in range(tensors)]
    built = {}
    for implementation, flags in IMPLEMENTATIONS.items():
        parameters = [p.clone().requires_grad_() for p in start]
        for p, g in zip(parameters, grads):
            p.grad = g.clone()
        built[implementation] = getattr(torch.optim, name)(parameters, **OPTIMIZERS[name], **flags)
        built[implementation].step()  # the first step creates the state: not timed
    return built


def seconds_per_step(built, rounds=ROUNDS, steps=STEPS_PER_ROUND):
    """{implementation: seconds per step in its fastest round}, the implementations taking turns."""
    best = {implementation: float("inf") for implementation in built}
    for _ in range(rounds):
        for implementation, optimizer in built.items():
            started = time.perf_counter()
            for _ in range(steps):
                optimizer.step()
            best[implementation] = min(best[implementation], (time.perf_counter() - started) / steps)
    return best


# %% This machine
MACHINE = machine()
print(f"CPU: {MACHINE['cpu']} ({MACHINE['cores']} cores), kernels: {MACHINE['capability']}")
print(f"torch {MACHINE['torch']}, {MACHINE['threads']} thread")

# %% Two models of 300,000 parameters
microseconds = {name: {} for name in OPTIMIZERS}  # optimizer -> model -> implementation -> µs per step
for name in OPTIMIZERS:
    for model, (tensors, size) in MODELS.items():
        seconds = seconds_per_step(optimizers(name, tensors, size))
        microseconds[name][model] = {impl: t * 1e6 for impl, t in seconds.items()}
speedup = {  # optimizer -> model -> implementation -> for-loop time / its time
    name: {model: {impl: times["for-loop"] / t for impl, t in times.items()} for model, times in by_model.items()}
    for name, by_model in microseconds.items()
}
rows = [  # the page's table
    {"optimizer": name, "tensors": f"{MODELS[model][0]} x {MODELS[model][1]:,}", **microseconds[name][model],
     "foreach-speedup": speedup[name][model]["foreach"], "fused-speedup": speedup[name][model]["fused"]}
    for name in OPTIMIZERS
    for model in MODELS
]
print(f"\n{'µs per step':<20}{'for-loop':>10}{'foreach':>10}{'fused':>10}   for-loop time / time")
for row in rows:
    print(f"{row['optimizer']:<6} {row['tensors']:<12} {row['for-loop']:>10.0f}{row['foreach']:>10.0f}{row['fused']:>10.0f}"
          f"   foreach {row['foreach-speedup']:.2g}x, fused {row['fused-speedup']:.2g}x")

# %% The pull request's set-up: Adam on 10 tensors of a million elements
pull_request = {impl: t * 1e3 for impl, t in seconds_per_step(optimizers("Adam", *PULL_REQUEST_MODEL), 5, 2).items()}
pull_request_speedup = pull_request["for-loop"] / pull_request["fused"]
print(f"\nAdam, {PULL_REQUEST_MODEL[0]} x {PULL_REQUEST_MODEL[1]:,}: "
      + ", ".join(f"{impl} {t:.1f} ms" for impl, t in pull_request.items()))
print(f"fused is {pull_request_speedup:.2g}x the for-loop's speed")

# %% Beside the published numbers
published_foreach = {name: loop / foreach for name, (loop, foreach) in PUBLISHED_FOREACH_MS.items()}
published_fused = PUBLISHED_FUSED_S[0] / PUBLISHED_FUSED_S[1]
print("\nfor-loop time / foreach time, published (CUDA, ResNet-101) and here (CPU, 300 tensors):")
for name in OPTIMIZERS:
    print(f"  {name:<6} {published_foreach[name]:.2g}x   {speedup[name]['many']['foreach']:.2g}x")
print(f"fused Adam, 10 x 1M: published {published_fused:.2g}x ({PUBLISHED_FUSED_CORES} cores), "
      f"here {pull_request_speedup:.2g}x ({MACHINE['threads']} thread)")

# %% Drawn: time per step
figure, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True, num="time-per-step")
width = 0.27
for axis, model in zip(axes, MODELS):
    for offset, implementation in enumerate(IMPLEMENTATIONS):
        heights = [microseconds[name][model][implementation] / 1e3 for name in OPTIMIZERS]
        axis.bar([i + (offset - 1) * width for i in range(len(OPTIMIZERS))], heights, width, label=implementation)
    axis.set_xticks(range(len(OPTIMIZERS)), list(OPTIMIZERS))
    tensors, size = MODELS[model]
    axis.set_title(f"{tensors} tensors of {size:,}")
    axis.set_yscale("log")
axes[0].set_ylabel("ms per step (fastest round)")
axes[1].legend(loc="upper left")
figure.tight_layout()
plt.show()
