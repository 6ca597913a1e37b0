"""FSDP2 (`fully_shard`) on a CPU device mesh of 2 and 4 processes: every parameter split in rows

The network of the ZeRO page is sharded with `fully_shard` on `init_device_mesh("cpu", (n,))`,
trained with Adam on the same batches as one process, and compared with it. Then each rank's
parameters and optimizer state are read: their placements, the rows `to_local()` holds, their
bytes, and the same numbers for ZeroRedundancyOptimizer on the same network.

Run it as a script: the ranks are spawned processes that import their function from this file.
"""

# %%
import contextlib
import datetime
import os
import pickle
import signal
import socket
import tempfile
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard
from torch.distributed.optim import ZeroRedundancyOptimizer
from torch.distributed.tensor import DTensor

WORLD_SIZES = (2, 4)
STEPS = 10
BATCH = 64
LR = 0.01
TOLERANCE = 1e-5  # as on the data-parallel page: sharded training against one process
FEATURES, CLASSES = 16, 10  # the inputs and labels of global_batch
WIDTHS = (FEATURES, 128, 32, 24, CLASSES)  # the layers of `mlp`: parameters of very different sizes
TIMEOUT_S = 600  # launch kills a group that has not finished by then (a loaded machine is slow)


# %%
def global_batch(step, size):
    """Step `step`'s batch of `size` inputs, labelled by a fixed random teacher; the same in every process."""
    inputs = torch.randn(size, FEATURES, generator=torch.Generator().manual_seed(1000 + step))
    teacher = torch.randn(FEATURES, CLASSES, generator=torch.Generator().manual_seed(1))
    return inputs, (inputs @ teacher).argmax(dim=1)


def my_slice(batch, rank, sizes):
    """Rank `rank`'s rows of the batch, when the ranks take `sizes` rows each, in rank order."""
    start = sum(sizes[:rank])
    return tuple(tensor[start : start + sizes[rank]] for tensor in batch)


def mlp(widths=WIDTHS):
    """Linear layers of these widths with ReLUs between; the same initial weights every time."""
    torch.manual_seed(0)
    layers = []
    for width_in, width_out in zip(widths, widths[1:]):
        layers += [torch.nn.Linear(width_in, width_out), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def flat(model):
    """Every parameter of the model, concatenated into one vector."""
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


# %%
# --8<-- [start:shard]
def sharded_mlp(world_size):
    """The network with every Linear layer, and then the whole, sharded over a CPU mesh."""
    mesh = init_device_mesh("cpu", (world_size,))  # the default device could be CUDA: name the CPU
    model = mlp()
    for layer in model:
        if isinstance(layer, torch.nn.Linear):
            fully_shard(layer, mesh=mesh)  # one all-gather and one reduce-scatter per layer
    fully_shard(model, mesh=mesh)
    return model
# --8<-- [end:shard]


def train(model, optimizer, rank, world_size, steps=STEPS, first_step=0):
    """Steps first_step, first_step + 1, ...: each rank on its slice of the step's batch."""
    for step in range(first_step, first_step + steps):
        optimizer.zero_grad()
        inputs, labels = my_slice(global_batch(step, BATCH), rank, [BATCH // world_size] * world_size)
        torch.nn.functional.cross_entropy(model(inputs), labels).backward()
        optimizer.step()


def train_single(steps=STEPS):
    """One process, the whole batch at every step."""
    model = mlp()
    train(model, torch.optim.Adam(model.parameters(), lr=LR), 0, 1, steps)
    return flat(model)


def full(tensor):
    """The whole tensor, gathered from every rank when it is a DTensor (a collective)."""
    return tensor.full_tensor() if isinstance(tensor, DTensor) else tensor


def local_bytes(tensor):
    """The bytes this rank holds of a tensor: its local shard when it is a DTensor."""
    return (tensor.to_local() if isinstance(tensor, DTensor) else tensor).nbytes


def describe(name, parameter, state, rank, world_size):
    """What this rank holds of one parameter and of its optimizer state."""
    local = parameter.to_local()
    rows = parameter.shape[0]
    per_rank = -(-rows // world_size)  # the rows of a shard: ceil(rows / world size), torch.chunk's rule
    first = min(rank * per_rank, rows)
    full = parameter.full_tensor()  # an all-gather: every rank must call it
    return {
        "name": name,
        "shape": list(parameter.shape),
        "placements": str(parameter.placements),
        "local_shape": list(local.shape),
        "local_elements": local.numel(),
        "rows": [first, first + local.shape[0]],
        "is_those_rows": torch.equal(local, full[first : first + local.shape[0]]),
        "gradient_placements": str(parameter.grad.placements),
        "gradient_local_shape": list(parameter.grad.to_local().shape),
        "padded_rows": local.untyped_storage().nbytes() // (local.element_size() * full[0].numel()),
        "state_placements": {key: str(v.placements) for key, v in state.items() if isinstance(v, DTensor)},
        "state_local_shapes": {key: list(v.to_local().shape) for key, v in state.items() if isinstance(v, DTensor)},
        "state_bytes": sum(local_bytes(v) for v in state.values()),
        "state_elements": sum(v.to_local().numel() for v in state.values() if isinstance(v, DTensor)),
    }


def zero_state_bytes():
    """Each rank's Adam state under ZeroRedundancyOptimizer on the same network, after one step."""
    model = mlp()
    zero = ZeroRedundancyOptimizer(model.parameters(), optimizer_class=torch.optim.Adam, lr=LR)
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    zero.step()
    return sum(t.nbytes for state in zero.optim.state.values() for t in state.values())


def every_case(rank, world_size):
    """All the runs of this page, in one process group."""
    model = sharded_mlp(world_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    train(model, optimizer, rank, world_size)
    parameters = [
        describe(name, p, optimizer.state[p], rank, world_size) for name, p in model.named_parameters()
    ]
    return {
        "world_size": dist.get_world_size(),
        "full": torch.cat([p.full_tensor().reshape(-1) for p in model.parameters()]),
        "parameters": parameters,
        "state_bytes": sum(p["state_bytes"] for p in parameters),
        "zero_state_bytes": zero_state_bytes(),
    }


def largest(difference):
    return difference.abs().max().item()


def summary(ranks, single, world_size):
    """What this page quotes about one world size."""
    fsdp, zero = [r["state_bytes"] for r in ranks], [r["zero_state_bytes"] for r in ranks]
    return {
        "world_size": world_size,
        "ranks_reporting": [r["world_size"] for r in ranks],
        "fsdp_vs_single": max(largest(r["full"] - single) for r in ranks),
        "state_bytes": fsdp,
        "zero_state_bytes": zero,
        "total_state_bytes": sum(fsdp),
        "fsdp_largest_over_mean": max(fsdp) * world_size / sum(fsdp),
        "zero_largest_over_mean": max(zero) * world_size / sum(zero),
        "parameters": [r["parameters"] for r in ranks],
    }


def draw(results):
    """Optimizer state per rank: FSDP2's row shards against ZeRO's whole parameters."""
    import matplotlib.pyplot as plt  # here, not at the top: the ranks never draw

    figure, panels = plt.subplots(1, len(results), figsize=(8, 3.4), sharey=True, num="fsdp-against-zero")
    width = 0.4
    for panel, (size, result) in zip(panels, results.items()):
        ranks = torch.arange(size)
        panel.bar(ranks - width / 2, [b / 1000 for b in result["zero_state_bytes"]], width, label="ZeRO")
        panel.bar(ranks + width / 2, [b / 1000 for b in result["state_bytes"]], width, label="FSDP2")
        panel.axhline(result["total_state_bytes"] / size / 1000, color="black", linestyle="--", label="1/N of the whole")
        panel.set_title(f"{size} ranks")
        panel.set_xlabel("rank")
        panel.set_xticks(range(size))
    panels[0].set_ylabel("optimizer state (kB)")
    panels[-1].legend()
    figure.tight_layout()
    plt.show()


# %%
# The launcher of the Scale pages, the same in each of their snippets that start ranks.
# --8<-- [start:launch]
def free_port():
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_rank(rank, worker, world_size, port, folder, threads, timeout_s, args):
    """One rank: join the group, run worker(rank, world_size, *args), save its result for launch."""
    torch.set_num_threads(threads)  # as many threads as the launching process: the same arithmetic
    dist.init_process_group(  # a collective gives up after twice launch's timeout: launch acts first
        "gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world_size,
        timeout=datetime.timedelta(seconds=2 * timeout_s),
    )
    torch.save(worker(rank, world_size, *args), os.path.join(folder, f"rank{rank}.pt"))
    dist.destroy_process_group()


def launch(worker, world_size, *args, timeout_s=TIMEOUT_S):
    """[worker(rank, world_size, *args) for every rank], each rank in a process of its own.

    `worker` must be a module-level function (spawn imports it by name) that returns tensors,
    numbers, strings, and lists, tuples and dicts of them."""
    run = f"{worker.__name__} on {world_size} ranks"
    with tempfile.TemporaryDirectory() as folder:
        settings = (worker, world_size, free_port(), folder, torch.get_num_threads(), timeout_s, args)
        ranks = mp.start_processes(run_rank, settings, nprocs=world_size, join=False, start_method="spawn")
        deadline = time.monotonic() + timeout_s
        try:
            while not ranks.join(timeout=1):  # when a rank fails, torch stops the others and raises
                if time.monotonic() > deadline:
                    running = [rank for rank, process in enumerate(ranks.processes) if process.is_alive()]
                    raise TimeoutError(
                        f"{run}: rank(s) {running} still running after {timeout_s} s "
                        "(a hung process group?); every rank was killed"
                    )
        except (mp.ProcessRaisedException, mp.ProcessExitedException):
            raise RuntimeError(failure(ranks, run)) from None
        finally:
            for process in ranks.processes:  # nothing outlives launch
                process.kill()
                process.join()
        return [torch.load(os.path.join(folder, f"rank{rank}.pt")) for rank in range(world_size)]


def failure(ranks, run):
    """Which rank failed first, and how. Once one rank is gone the others fail too, waiting for it
    in a collective, or torch stops them with SIGTERM: a rank that died without a traceback (killed
    by another signal) comes first, then the rank that wrote the first traceback."""
    tracebacks = {}
    for rank, path in enumerate(ranks.error_files):  # torch's file for a rank that raised
        if os.path.exists(path):
            with open(path, "rb") as file, contextlib.suppress(EOFError, pickle.UnpicklingError):
                tracebacks[rank] = (os.path.getmtime(path), pickle.load(file))  # unless cut short by SIGTERM
            os.remove(path)
    codes = [process.exitcode for process in ranks.processes]
    died = [rank for rank, code in enumerate(codes) if code and rank not in tracebacks]
    died.sort(key=lambda rank: codes[rank] == -signal.SIGTERM)  # the ranks torch stopped go last
    if died and (codes[died[0]] != -signal.SIGTERM or not tracebacks):
        rank = died[0]
        cause = signal.Signals(-codes[rank]).name if codes[rank] < 0 else f"exit code {codes[rank]}"
        return f"{run}: rank {rank} died ({cause}); every other rank was stopped"
    rank = min(tracebacks, key=lambda rank: tracebacks[rank][0])
    return f"{run}: rank {rank} raised; every other rank was stopped. Its traceback:\n{tracebacks[rank][1]}"


# --8<-- [end:launch]


# %%
if __name__ == "__main__":
    single = train_single()
    runs = {size: launch(every_case, size) for size in WORLD_SIZES}
    results = {size: summary(ranks, single, size) for size, ranks in runs.items()}

    for size, result in results.items():
        print(f"{size} ranks (world size seen by every rank: {result['ranks_reporting']})")
        print(f"  FSDP2 + Adam against one process, {STEPS} steps: {result['fsdp_vs_single']:.3g}")
        print(f"  optimizer state per rank (bytes): FSDP2 {result['state_bytes']}")
        print(f"                                    ZeRO  {result['zero_state_bytes']}")
    last = WORLD_SIZES[-1]
    print(f"\nWhat each of the {last} ranks holds (to_local() rows of each parameter):")
    print(f"  {'parameter':<10} {'shape':<10} {'placement':<18}" + "".join(f"{f'rank {r}':>9}" for r in range(last)))
    for index, first in enumerate(results[last]["parameters"][0]):
        shape = "x".join(map(str, first["shape"]))
        rows = "".join(f"{'{}-{}'.format(*ranks[index]['rows']):>9}" for ranks in results[last]["parameters"])
        print(f"  {first['name']:<10} {shape:<10} {first['placements']:<18}{rows}")
    print(f"\nRank {last - 1} holds the last rows; the storage behind its to_local() has room for")
    for held in results[last]["parameters"][last - 1]:
        print(f"  {held['name']:<10} {held['local_shape'][0]:>3} rows: {held['padded_rows']:>3}")
    state = results[last]["parameters"][0][0]
    print(f"\nAdam's state of {state['name']} on rank 0: {state['state_placements']}")
    print(f"  local shapes {state['state_local_shapes']}")
    draw(results)
