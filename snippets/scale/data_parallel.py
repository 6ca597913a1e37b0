"""DistributedDataParallel on 2 and 4 processes against one process on the whole batch

A small classifier is trained with AdamW for a few steps on a fixed stream of batches. Under DDP
each rank takes its slice of every global batch, and DDP averages the gradients across the ranks.
The same training runs in one process on the whole (concatenated) batch, and the parameters are
compared: between the ranks, and against the single process. Then the three places where the
equality breaks: BatchNorm, ranks with batches of unequal size, and gradient accumulation with
`no_sync`.

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
from torch.nn.parallel import DistributedDataParallel

WORLD_SIZES = (2, 4)
STEPS = 20
BATCH = 64  # the global batch: every rank takes BATCH / world_size of it
FEATURES, CLASSES = 16, 10  # the inputs and labels of global_batch
HIDDEN = 32
LR = 0.01
TOLERANCE = 1e-5  # the largest parameter difference from the single process that counts as equal
FIRST_SHARE = 40  # uneven batches: rank 0 takes this many of the BATCH, the others share the rest
MICRO_BATCHES = 4  # gradient accumulation: each step sums the gradients of this many micro-batches
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


def flat(model):
    """Every parameter of the model, concatenated into one vector."""
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


# %%
def network(batch_norm=False):
    """The classifier, with the same initial weights every time it is built."""
    torch.manual_seed(0)
    norm = [torch.nn.BatchNorm1d(HIDDEN)] if batch_norm else []
    return torch.nn.Sequential(
        torch.nn.Linear(FEATURES, HIDDEN), *norm, torch.nn.ReLU(), torch.nn.Linear(HIDDEN, CLASSES)
    )


def loss_of(model, inputs, labels):
    return torch.nn.functional.cross_entropy(model(inputs), labels)


def train_single(steps=STEPS, batch_norm=False):
    """One process, the whole batch at every step."""
    model = network(batch_norm)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR)
    for step in range(steps):
        optimizer.zero_grad()
        loss_of(model, *global_batch(step, BATCH)).backward()
        optimizer.step()
    return flat(model)


def shard_sizes(world_size, uneven=False):
    """How many of each global batch every rank takes."""
    if not uneven:
        return [BATCH // world_size] * world_size
    rest = BATCH - FIRST_SHARE
    return [FIRST_SHARE] + [rest // (world_size - 1)] * (world_size - 1)


def my_shard(rank, world_size, step, uneven=False):
    """This rank's slice of the step's global batch."""
    return my_slice(global_batch(step, BATCH), rank, shard_sizes(world_size, uneven))


# %% [markdown]
# ## The DDP training loop
#
# The only changes from one process: wrap the model in `DistributedDataParallel`, and give each rank
# its slice of the batch. `backward()` averages the gradients across the ranks before `step()`.

# %%
# --8<-- [start:ddp]
def train_ddp(rank, world_size, steps=STEPS, batch_norm=False, uneven=False):
    model = DistributedDataParallel(network(batch_norm))  # broadcasts rank 0's weights to all
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR)
    for step in range(steps):
        optimizer.zero_grad()
        loss_of(model, *my_shard(rank, world_size, step, uneven)).backward()  # all-reduce: the mean
        optimizer.step()
    return flat(model.module)
# --8<-- [end:ddp]


# %%
# --8<-- [start:accumulate]
def train_accumulating(rank, world_size, steps=STEPS, use_no_sync=True, step_every_micro_batch=False):
    """Each step sums the gradients of MICRO_BATCHES backward passes on parts of this rank's slice.
    Under no_sync() a backward pass does not all-reduce; the last one all-reduces the sum."""
    model = DistributedDataParallel(network())
    calls = count_all_reduces(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR)
    for step in range(steps):
        optimizer.zero_grad()
        inputs, labels = my_shard(rank, world_size, step)
        parts = list(zip(inputs.chunk(MICRO_BATCHES), labels.chunk(MICRO_BATCHES)))
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            with model.no_sync() if use_no_sync and not last else contextlib.nullcontext():
                (loss_of(model, *part) / MICRO_BATCHES).backward()
            if step_every_micro_batch and not last:  # the mistake: a step on this rank's gradient only
                optimizer.step()
                optimizer.zero_grad()
        optimizer.step()
    return {"parameters": flat(model.module), "all_reduces_per_step": calls[0] / steps}
# --8<-- [end:accumulate]


def count_all_reduces(model):
    """Count the gradient all-reduces DDP launches (a communication hook that counts, then reduces)."""
    calls = [0]

    def counting_hook(state, bucket):
        calls[0] += 1
        tensor = bucket.buffer().div_(dist.get_world_size())
        return dist.all_reduce(tensor, async_op=True).get_future().then(lambda future: future.value()[0])

    model.register_comm_hook(None, counting_hook)
    return calls


def sync_batch_norm_error():
    """What DDP says when handed SyncBatchNorm, the fix for BatchNorm's per-rank statistics, on the CPU."""
    try:
        DistributedDataParallel(torch.nn.SyncBatchNorm.convert_sync_batchnorm(network(batch_norm=True)))
    except ValueError as error:
        return f"{type(error).__name__}: {error}"
    return "no error"


def gradient(model, batch):
    """The gradient of the mean loss on the batch, all-reduced when the model is a DDP."""
    model.zero_grad()
    loss_of(model, *batch).backward()
    return torch.cat([p.grad.reshape(-1) for p in model.parameters()])


def one_step_gradients(rank, world_size, uneven):
    """The gradient DDP leaves on each rank after one backward pass on step 0's batch."""
    return gradient(DistributedDataParallel(network()), my_shard(rank, world_size, 0, uneven))


def fresh_against_trained(rank, world_size, steps=3):
    """A DDP that has trained a few steps and a fresh DDP built on its parameters: the largest
    difference between the gradients they all-reduce on the same batch, twice in a row."""
    trained = DistributedDataParallel(network())
    optimizer = torch.optim.AdamW(trained.parameters(), lr=LR)
    for step in range(steps):
        optimizer.zero_grad()
        loss_of(trained, *my_shard(rank, world_size, step)).backward()
        optimizer.step()
    fresh = network()
    fresh.load_state_dict(trained.module.state_dict())
    fresh = DistributedDataParallel(fresh)
    batch = my_shard(rank, world_size, steps)
    return [largest(gradient(trained, batch) - gradient(fresh, batch)) for _ in range(2)]


def every_case(rank, world_size):
    """All the runs of this page, in one process group."""
    return {
        "world_size": dist.get_world_size(),
        "plain": train_ddp(rank, world_size),
        "batch_norm": train_ddp(rank, world_size, batch_norm=True),
        "uneven": train_ddp(rank, world_size, uneven=True),
        "uneven_gradient": one_step_gradients(rank, world_size, uneven=True),
        "accumulating": train_accumulating(rank, world_size),
        "syncing_every_micro_batch": train_accumulating(rank, world_size, use_no_sync=False),
        "step_inside_no_sync": train_accumulating(rank, world_size, step_every_micro_batch=True),
        "sync_batch_norm": sync_batch_norm_error(),
        "fresh_against_trained": fresh_against_trained(rank, world_size),
    }


def full_batch_gradient(weights=None):
    """The gradient of the mean loss over step 0's whole batch (or of a weighted mean)."""
    model = network()
    inputs, labels = global_batch(0, BATCH)
    losses = torch.nn.functional.cross_entropy(model(inputs), labels, reduction="none")
    (losses.mean() if weights is None else (losses * weights).sum()).backward()
    return torch.cat([p.grad.reshape(-1) for p in model.parameters()])


def ddp_weights(world_size):
    """The weight DDP gives each sample of an uneven batch: 1 / (world_size * its rank's batch)."""
    return torch.cat([torch.full((size,), 1 / (world_size * size)) for size in shard_sizes(world_size, uneven=True)])


def largest(difference):
    return difference.abs().max().item()


def spread(tensors):
    """The largest difference between the first rank's tensor and any other rank's."""
    return max(largest(tensor - tensors[0]) for tensor in tensors)


def compare(ranks, single, single_batch_norm, world_size):
    """The largest parameter differences this page quotes, for one world size."""
    case = lambda name, key=None: [r[name] if key is None else r[name][key] for r in ranks]  # noqa: E731
    return {
        "world_size": world_size,
        "ranks_reporting": [r["world_size"] for r in ranks],
        "ranks_differ": spread(case("plain")),
        "ddp_vs_single": largest(case("plain")[0] - single),
        "batch_norm_vs_single": largest(case("batch_norm")[0] - single_batch_norm),
        "batch_norm_ranks_differ": spread(case("batch_norm")),
        "uneven_shards": shard_sizes(world_size, uneven=True),
        "uneven_vs_single": largest(case("uneven")[0] - single),
        "uneven_gradient_vs_full": largest(case("uneven_gradient")[0] - full_batch_gradient()),
        "uneven_gradient_vs_weighted": largest(case("uneven_gradient")[0] - full_batch_gradient(ddp_weights(world_size))),
        "no_sync_vs_single": largest(case("accumulating", "parameters")[0] - single),
        "no_sync_ranks_differ": spread(case("accumulating", "parameters")),
        "no_sync_all_reduces": case("accumulating", "all_reduces_per_step")[0],
        "syncing_vs_single": largest(case("syncing_every_micro_batch", "parameters")[0] - single),
        "syncing_all_reduces": case("syncing_every_micro_batch", "all_reduces_per_step")[0],
        "step_inside_ranks_differ": spread(case("step_inside_no_sync", "parameters")),
        "fresh_first_gradient": case("fresh_against_trained")[0][0],
        "fresh_second_gradient": case("fresh_against_trained")[0][1],
    }


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
    single_batch_norm = train_single(batch_norm=True)
    runs = {size: launch(every_case, size) for size in WORLD_SIZES}
    results = {size: compare(ranks, single, single_batch_norm, size) for size, ranks in runs.items()}
    sync_batch_norm = runs[WORLD_SIZES[0]][0]["sync_batch_norm"]

    print(f"AdamW, lr {LR}, {STEPS} steps, global batch {BATCH}.")
    print("Largest parameter difference after the last step:\n")
    print(f"{'world size':<44}" + "".join(f"{size:>10}" for size in WORLD_SIZES))
    lines = [
        ("rank 0 against every other rank", "ranks_differ"),
        ("DDP against one process", "ddp_vs_single"),
        ("BatchNorm: DDP against one process", "batch_norm_vs_single"),
        ("BatchNorm: rank 0 against the others", "batch_norm_ranks_differ"),
        ("uneven batches: DDP against one process", "uneven_vs_single"),
        (f"{MICRO_BATCHES} micro-batches, no_sync: against one", "no_sync_vs_single"),
        ("  the same, rank 0 against the others", "no_sync_ranks_differ"),
        ("  without no_sync: against one process", "syncing_vs_single"),
        ("  step() inside no_sync: rank 0 against others", "step_inside_ranks_differ"),
    ]
    for label, key in lines:
        print(f"{label:<44}" + "".join(f"{results[size][key]:>10.3g}" for size in WORLD_SIZES))
    print("\nUneven batches, one step: the gradient DDP leaves, against")
    for label, key in (("the whole batch's", "uneven_gradient_vs_full"), ("weights 1/(N b)", "uneven_gradient_vs_weighted")):
        print(f"  {label:<42}" + "".join(f"{results[size][key]:>10.3g}" for size in WORLD_SIZES))
    print("\nGradient all-reduces per step with", MICRO_BATCHES, "micro-batches")
    for label, key in (("with no_sync", "no_sync_all_reduces"), ("without", "syncing_all_reduces")):
        print(f"  {label:<42}" + "".join(f"{results[size][key]:>10g}" for size in WORLD_SIZES))
    print("\nA fresh DDP and a trained one, same parameters, same batch: gradients differ by")
    for label, key in (("in the fresh one's first backward pass", "fresh_first_gradient"), ("in its second", "fresh_second_gradient")):
        print(f"  {label:<42}" + "".join(f"{results[size][key]:>10.3g}" for size in WORLD_SIZES))
    for size in WORLD_SIZES:
        print(f"\nworld size reported by each of the {size} ranks: {results[size]['ranks_reporting']}")
    print(f"\nSyncBatchNorm under DDP on the CPU:\n  {sync_batch_norm}")
