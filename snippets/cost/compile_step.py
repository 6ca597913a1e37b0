"""torch.compile of optimizer.step() on the CPU: compile time and time per step

Runs the set-up of PyTorch's recipe "Compiling the optimizer with torch.compile" on the CPU: Adam
on ten bias-free Linear(1024, 1024) layers (ten tensors of 1,048,576 elements), its step()
wrapped in torch.compile. It times the first call (the compilation, from scratch: the compile
caches are switched off), in wall-clock time and in CPU time, then the eager and the compiled
step taking turns, keeping each one's fastest round, and checks that the compiled step computes
what the eager one does. The compilation is the slow part: tens of seconds of CPU time, much of
it in the C++ compiler, and longer in wall-clock time on a busy machine.
"""

# %%
import os
import time

import numpy as np
import torch
import torch._inductor.config
from torch._dynamo.utils import get_compilation_metrics

LAYERS, WIDTH = 10, 1024  # the recipe's model: ten bias-free Linear(1024, 1024) layers
LR = 0.01
CHECK_STEPS = 3
GAP_BOUND_LR = 1e-3  # the page's bound on |compiled - eager| after the check, in units of lr
ROUNDS = 5
STEPS_PER_ROUND = 3
torch._inductor.config.force_disable_caches = True  # a cold compilation, as on a first run
torch._inductor.config.compile_threads = 1  # compile in this process: no pool of workers left behind


def parameters_with_gradients():
    """The recipe's model: its weights, with gradients from one forward and backward pass."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(*[torch.nn.Linear(WIDTH, WIDTH, bias=False) for _ in range(LAYERS)])
    model(torch.rand(WIDTH)).sum().backward()
    return list(model.parameters())


def fastest(steps, rounds=ROUNDS, per_round=STEPS_PER_ROUND):
    """{name: seconds per call in its fastest round}, the functions taking turns."""
    best = {name: float("inf") for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            started = time.perf_counter()
            for _ in range(per_round):
                step()
            best[name] = min(best[name], (time.perf_counter() - started) / per_round)
    return best


def ulps(a, b):
    """Largest |a - b| over all tensors, in units in the last place of b's largest element."""
    difference = max((x - y).abs().max().item() for x, y in zip(a, b))
    return difference / np.spacing(np.float32(max(y.abs().max().item() for y in b)))


# %% Compile: the first call of the compiled step
compiled_parameters = parameters_with_gradients()
compiled_optimizer = torch.optim.Adam(compiled_parameters, lr=LR)


@torch.compile(fullgraph=False)
def compiled_step():
    compiled_optimizer.step()


def cpu_seconds():
    """CPU time of this process and of the processes it waited for (the C++ compiler)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


started, started_cpu = time.perf_counter(), cpu_seconds()
compiled_step()
compile_seconds, compile_cpu_seconds = time.perf_counter() - started, cpu_seconds() - started_cpu
dynamo_seconds = sum(m.entire_frame_compile_time_s or 0 for m in get_compilation_metrics())
THREADS = torch.get_num_threads()
PARAMETERS = LAYERS * WIDTH * WIDTH
print(f"torch {torch.__version__}, {THREADS} thread; Adam on {LAYERS} x {WIDTH} x {WIDTH} = {PARAMETERS:,} parameters")
print(f"first call of the compiled step: {compile_seconds:.1f} s of wall-clock time, "
      f"{compile_cpu_seconds:.1f} s of CPU time")
print(f"(torch's own record of the compilation: {dynamo_seconds:.1f} s)")

# %% Does the compiled step compute what the eager one does?
eager_parameters = parameters_with_gradients()
eager_optimizer = torch.optim.Adam(eager_parameters, lr=LR)
eager_optimizer.step()  # the step the compiled optimizer took while compiling
for _ in range(CHECK_STEPS):
    compiled_step()
    eager_optimizer.step()
compiled_gap_ulps = ulps(compiled_parameters, eager_parameters)
compiled_gap_lr = max((a - b).abs().max().item() for a, b in zip(compiled_parameters, eager_parameters)) / LR
compiled_identical = all(torch.equal(a, b) for a, b in zip(compiled_parameters, eager_parameters))
STEPS_CHECKED = CHECK_STEPS + 1
print(f"after {STEPS_CHECKED} steps, compiled vs eager: bit for bit {compiled_identical};")
print(f"largest difference {compiled_gap_ulps:.2g} ulp of the largest weight, {compiled_gap_lr:.2g} lr")

# %% Time per step
fused_parameters = parameters_with_gradients()
fused_optimizer = torch.optim.Adam(fused_parameters, lr=LR, fused=True)
fused_optimizer.step()
seconds = fastest({"eager": eager_optimizer.step, "fused": fused_optimizer.step, "compiled": compiled_step})
milliseconds = {name: t * 1e3 for name, t in seconds.items()}
compiled_speedup = seconds["eager"] / seconds["compiled"]
RECIPE_MICROSECONDS = {"eager": 747.2437149845064, "compiled": 392.07384741178}  # the recipe's sample output, CUDA
recipe_speedup = RECIPE_MICROSECONDS["eager"] / RECIPE_MICROSECONDS["compiled"]
labels = {"eager": "eager (for-loop)", "fused": "eager, fused=True", "compiled": "compiled"}
for name, t in milliseconds.items():
    print(f"  {labels[name]:<18} {t:7.1f} ms per step (fastest of {ROUNDS} rounds)")
print(f"compiled: {compiled_speedup:.2g}x the eager step's speed (the recipe's GPU: {recipe_speedup:.2g}x)")
compile_in_eager_steps = compile_seconds / seconds["eager"]
print(f"the compilation took as long as {compile_in_eager_steps:,.0f} eager steps")
adam_compilations = sum(1 for m in get_compilation_metrics() if m.co_name == "step" and "adam" in (m.co_filename or ""))
print(f"compilations of Adam.step in the whole run: {adam_compilations}")
