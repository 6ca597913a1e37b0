"""Sharded checkpoints with torch.distributed.checkpoint: saved on 2 ranks, loaded on 4 and on 1

The FSDP2 network of the FSDP page is trained with Adam on 2 ranks and saved with
`torch.distributed.checkpoint` (DCP): every rank writes its own shards. The checkpoint is then
loaded into the same network sharded over 4 ranks, and into a plain, unsharded network in a single
process without any process group; both train on from there. All three continuations are compared
with one process that trained straight through.

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
import textwrap
import time
import warnings

import torch
import torch.distributed as dist
import torch.distributed.checkpoint as dcp
import torch.multiprocessing as mp
from torch.distributed.checkpoint.state_dict import get_state_dict, set_state_dict
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard
from torch.distributed.tensor import DTensor

SAVED_AT = 2  # the world size that saves
LOADED_AT = 4  # the world size that loads it on more ranks
STEPS = 10  # before the checkpoint
MORE_STEPS = 5  # after it
TOLERANCE = 1e-5  # as on the data-parallel page: sharded training against one process
BATCH = 64
LR = 0.01
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


def sharded_mlp(world_size):
    """The network of the FSDP page: every Linear layer, and then the whole, sharded over a CPU mesh."""
    mesh = init_device_mesh("cpu", (world_size,))  # the default device could be CUDA: name the CPU
    model = mlp()
    for layer in model:
        if isinstance(layer, torch.nn.Linear):
            fully_shard(layer, mesh=mesh)
    fully_shard(model, mesh=mesh)
    return model


def train(model, optimizer, rank, world_size, steps, first_step=0):
    """Steps first_step, first_step + 1, ...: each rank on its slice of the step's batch."""
    for step in range(first_step, first_step + steps):
        optimizer.zero_grad()
        inputs, labels = my_slice(global_batch(step, BATCH), rank, [BATCH // world_size] * world_size)
        torch.nn.functional.cross_entropy(model(inputs), labels).backward()
        optimizer.step()


def train_single(steps):
    """One process, the whole batch at every step."""
    model = mlp()
    train(model, torch.optim.Adam(model.parameters(), lr=LR), 0, 1, steps)
    return flat(model)


def full(tensor):
    """The whole tensor, gathered from every rank when it is a DTensor (a collective)."""
    return tensor.full_tensor() if isinstance(tensor, DTensor) else tensor


# %%
# --8<-- [start:dcp]
def save(model, optimizer, folder):
    """Every rank writes its shards of the model and of the optimizer state, and rank 0 the metadata."""
    model_state, optimizer_state = get_state_dict(model, optimizer)
    dcp.save({"model": model_state, "optimizer": optimizer_state}, checkpoint_id=folder)


def load(model, optimizer, folder):
    """Read into this model and optimizer whatever of the checkpoint their own layout needs."""
    model_state, optimizer_state = get_state_dict(model, optimizer)  # the layout to fill
    state = {"model": model_state, "optimizer": optimizer_state}
    dcp.load(state, checkpoint_id=folder)  # reads the rows this rank holds, whoever saved them
    set_state_dict(model, optimizer, model_state_dict=state["model"], optim_state_dict=state["optimizer"])
# --8<-- [end:dcp]


def optimizer_state(model, optimizer):
    """Adam's exp_avg and exp_avg_sq of every parameter, whole (gathered from the ranks)."""
    return {
        f"{name}.{key}": full(optimizer.state[p][key]).clone()
        for name, p in model.named_parameters() for key in ("exp_avg", "exp_avg_sq")
    }


def train_and_save(rank, world_size, folder):
    """STEPS steps on world_size ranks, a checkpoint, then MORE_STEPS steps more."""
    model = sharded_mlp(world_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    train(model, optimizer, rank, world_size, STEPS)
    save(model, optimizer, folder)
    saved_state = optimizer_state(model, optimizer)
    train(model, optimizer, rank, world_size, MORE_STEPS, first_step=STEPS)
    return {
        "world_size": dist.get_world_size(),
        "files": sorted(os.listdir(folder)),
        "saved_state": saved_state,
        "continued": torch.cat([full(p).reshape(-1) for p in model.parameters()]),
    }


def load_and_train(rank, world_size, folder):
    """The checkpoint loaded on world_size ranks, then MORE_STEPS steps."""
    model = sharded_mlp(world_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    load(model, optimizer, folder)
    loaded_state = optimizer_state(model, optimizer)
    train(model, optimizer, rank, world_size, MORE_STEPS, first_step=STEPS)
    return {
        "world_size": dist.get_world_size(),
        "loaded_state": loaded_state,
        "local_rows": [list(p.to_local().shape[:1]) for p in model.parameters()],
        "continued": torch.cat([full(p).reshape(-1) for p in model.parameters()]),
    }


def load_in_one_process(folder):
    """The checkpoint loaded into a plain network in this process (no process group), then MORE_STEPS
    steps; and the warnings DCP gave."""
    model = mlp()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load(model, optimizer, folder)
    loaded_state = optimizer_state(model, optimizer)
    train(model, optimizer, 0, 1, MORE_STEPS, first_step=STEPS)
    return flat(model), loaded_state, [str(warning.message) for warning in caught]


def largest(difference):
    return difference.abs().max().item()


def same(a, b):
    """Whether two dicts of tensors hold bit-identical tensors under the same keys."""
    return a.keys() == b.keys() and all(torch.equal(a[key], b[key]) for key in a)


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
    straight = train_single(STEPS + MORE_STEPS)
    with tempfile.TemporaryDirectory() as folder:
        saving = launch(train_and_save, SAVED_AT, folder)
        loading = launch(load_and_train, LOADED_AT, folder)
        one_process, one_process_state, one_process_warnings = load_in_one_process(folder)
    files = saving[0]["files"]
    saved_state = saving[0]["saved_state"]
    ranks_reporting = {SAVED_AT: [r["world_size"] for r in saving], LOADED_AT: [r["world_size"] for r in loading]}
    rows_at_load = [r["local_rows"] for r in loading]
    total_steps = STEPS + MORE_STEPS
    against_straight = {
        "went_on": largest(saving[0]["continued"] - straight),
        "loaded_at_more_ranks": largest(loading[0]["continued"] - straight),
        "loaded_in_one_process": largest(one_process - straight),
    }
    state_loaded_exactly = {
        LOADED_AT: all(same(r["loaded_state"], saved_state) for r in loading),
        1: same(one_process_state, saved_state),
    }
    resumed_vs_went_on = {
        LOADED_AT: largest(loading[0]["continued"] - saving[0]["continued"]),
        1: largest(one_process - saving[0]["continued"]),
    }

    print(f"Saved at {SAVED_AT} ranks after {STEPS} steps (world size seen: {ranks_reporting[SAVED_AT]}).")
    print(f"  the checkpoint folder: {', '.join(files)}")
    print(f"Loaded at {LOADED_AT} ranks (world size seen: {ranks_reporting[LOADED_AT]}) and in one process.")
    for size, exact in state_loaded_exactly.items():
        print(f"  Adam state loaded at {size}: bit for bit the saved state: {exact}")
    print(f"\nAfter {MORE_STEPS} more steps, the largest difference from one process")
    print(f"trained straight through {total_steps} steps:")
    labels = {"went_on": f"saved at {SAVED_AT}, went on", "loaded_at_more_ranks": f"loaded at {LOADED_AT}",
              "loaded_in_one_process": "loaded in one process"}
    for key, difference in against_straight.items():
        print(f"  {labels[key]:<24} {difference:.3g}")
    print("\nWarnings while loading in one process:")
    for message in one_process_warnings:
        print(textwrap.fill(message, 78, initial_indent="  ", subsequent_indent="  "))
