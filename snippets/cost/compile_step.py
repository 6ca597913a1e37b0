"""torch.compile of optimizer.step() on the CPU: compile time and time per step

Runs the set-up of PyTorch's recipe "Compiling the optimizer with torch.compile" on the CPU: Adam
on ten bias-free Linear(1024, 1024) layers (ten tensors of 1,048,576 elements), its step()
wrapped in torch.compile. It times the first call (the compilation, from scratch: the compile
caches are switched off), then the eager and the compiled step taking turns, keeping each one's
fastest round, and checks that the compiled step computes what the eager one does. The
compilation is the slow part: tens of seconds on a 2-core machine, most of it in the C++ compiler.
"""

# %%
import time

import numpy as np
import torch
import torch._inductor.config
from torch._dynamo.utils import get_compilation_metrics

LAYERS, WIDTH = 10, 1024
LR = 0.01
CHECK_STEPS = 3
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


started = time.perf_counter()
compiled_step()
compile_seconds = time.perf_counter() - started
dynamo_seconds = sum(m.entire_frame_compile_time_s or 0 for m in get_compilation_metrics())
print(f"torch {torch.__version__}, {torch.get_num_threads()} thread; Adam on {LAYERS} x "
      f"{WIDTH} x {WIDTH} = {LAYERS * WIDTH * WIDTH:,} parameters")
print(f"first call of the compiled step: {compile_seconds:.1f} s "
      f"(torch's compile-time record: {dynamo_seconds:.1f} s)")

# %% Does the compiled step compute what the eager one does?
eager_parameters = parameters_with_gradients()
eager_optimizer = torch.optim.Adam(eager_parameters, lr=LR)
eager_optimizer.step()  # the step the compiled optimizer took while compiling
for _ in range(CHECK_STEPS):
    compiled_step()
    eager_optimizer.step()
compiled_gap_ulps = ulps(compiled_parameters, eager_parameters)
compiled_identical = all(torch.equal(a, b) for a, b in zip(compiled_parameters, eager_parameters))
print(f"after {CHECK_STEPS + 1} steps, compiled vs eager: bit for bit {compiled_identical}, largest difference "
      f"{compiled_gap_ulps:.2g} ulp of the largest weight")

# %% Time per step
fused_parameters = parameters_with_gradients()
fused_optimizer = torch.optim.Adam(fused_parameters, lr=LR, fused=True)
fused_optimizer.step()
seconds = fastest({"eager (for-loop)": eager_optimizer.step, "eager, fused=True": fused_optimizer.step,
                   "compiled": compiled_step})
compiled_speedup = seconds["eager (for-loop)"] / seconds["compiled"]
steps_to_repay = compile_seconds / (seconds["eager (for-loop)"] - seconds["compiled"])
for name, t in seconds.items():
    print(f"  {name:<18} {t * 1e3:7.1f} ms per step (fastest of {ROUNDS} rounds)")
print(f"compiled: {compiled_speedup:.2g}x the eager step's speed; the compilation costs "
      f"as much as {steps_to_repay:,.0f} steps save")
