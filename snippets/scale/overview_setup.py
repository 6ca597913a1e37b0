"""What every Scale page shares: a process group on one machine, and a stream of batches

Every snippet of the Scale pages starts its ranks with `launch`: `world_size` processes started by
torch.multiprocessing (spawn), joined in one gloo process group on a free port of 127.0.0.1, the
same torch.distributed engine a cluster runs. Each rank hands a result back to the launching
process. A rank that raises fails the run with its own traceback, a rank that dies fails it with
its signal, and a group that hangs is killed after a timeout: no rank outlives `launch`. The
pages train small classifiers (`mlp`) on `global_batch(step, size)`, random inputs labelled by a
fixed random teacher, of which each rank takes its slice.

Run it as a script (`python snippets/scale/overview_setup.py`): the spawned ranks import their
function from the file, which a notebook does not have.
"""

# %%
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

WORLD_SIZES = (2, 4)
FEATURES, CLASSES = 16, 10  # the inputs and labels of global_batch
WIDTHS = (FEATURES, 128, 32, 24, CLASSES)  # the layers of `mlp`: parameters of very different sizes
TIMEOUT_S = 600  # a group that has not finished by then is taken for hung (a loaded machine is slow)
STEPS = 3
ORDER_VALUES = (1.0, 1e-8, 1e-8, -1.0)  # what ranks 0, 1, 2, 3 add up, in float32: exactly 2e-8
POSITIONS = 64
# What the tests inject into one rank mid-step: "kill:1:2" kills rank 1 at step 2 (also "raise", "hang")
FAULT = os.environ.get("HANDBOOK_SCALE_FAULT", "")


# --8<-- [start:launch]
def free_port():
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rank(rank, worker, world_size, port, folder, threads, timeout_s, args):
    """One rank: join the group, run worker(rank, world_size, *args), save its result for the parent."""
    torch.set_num_threads(threads)  # as many threads as the launching process: the same arithmetic
    dist.init_process_group(  # a collective waits at most twice the launcher's timeout: the launcher acts first
        "gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world_size,
        timeout=datetime.timedelta(seconds=2 * timeout_s),
    )
    result = worker(rank, world_size, *args)  # if it raises, torch.multiprocessing records the traceback
    torch.save(result, os.path.join(folder, f"rank{rank}.pt"))
    dist.destroy_process_group()


def launch(worker, world_size, *args, timeout_s=TIMEOUT_S):
    """[worker(rank, world_size, *args) for every rank], each run in its own process.

    `worker` must be a module-level function (spawn imports it by name) returning tensors, numbers,
    strings, and lists and dicts of them."""
    with tempfile.TemporaryDirectory() as folder:
        settings = (worker, world_size, free_port(), folder, torch.get_num_threads(), timeout_s, args)
        ranks = mp.start_processes(_rank, settings, nprocs=world_size, join=False, start_method="spawn")
        deadline = time.monotonic() + timeout_s
        try:
            while not ranks.join(timeout=0.2):  # raises as soon as a rank fails, and stops the others
                if time.monotonic() > deadline:
                    running = [rank for rank, process in enumerate(ranks.processes) if process.is_alive()]
                    raise TimeoutError(
                        f"{worker.__name__} on {world_size} ranks: rank(s) {running} still running after "
                        f"{timeout_s} s (a hung process group?); every rank was killed"
                    )
        except (mp.ProcessRaisedException, mp.ProcessExitedException):
            stop(ranks)
            raise RuntimeError(failure(ranks, f"{worker.__name__} on {world_size} ranks")) from None
        finally:
            stop(ranks)
        return [torch.load(os.path.join(folder, f"rank{rank}.pt")) for rank in range(world_size)]


def stop(ranks):
    """Kill every rank still running and wait for each: nothing outlives launch."""
    for process in ranks.processes:
        if process.is_alive():
            process.kill()
        process.join()


def failure(ranks, run):
    """Which rank failed first, and how. Once one rank is gone, the others fail too, waiting for it
    in a collective: a rank killed by a signal comes first (it cannot leave a traceback), then the
    ranks that raised, in the order they wrote their tracebacks; SIGTERM is how the others were stopped."""
    died, raised = [], []
    for rank, (process, path) in enumerate(zip(ranks.processes, ranks.error_files)):
        if os.path.exists(path):
            with open(path, "rb") as file:
                raised.append((os.path.getmtime(path), rank, pickle.load(file)))
            os.unlink(path)
        elif process.exitcode != 0:
            cause = signal.Signals(-process.exitcode).name if process.exitcode < 0 else f"exit code {process.exitcode}"
            died.append((cause == "SIGTERM", rank, cause))
    died.sort()
    raised.sort()
    if died and not (died[0][0] and raised):
        _, rank, cause = died[0]
        first, message = rank, f"{run}: rank {rank} died ({cause}); every other rank was stopped"
    else:
        _, rank, trace = raised[0]
        first, message = rank, f"{run}: rank {rank} raised; every other rank was stopped. Its traceback:\n{trace}"
    after = [r for _, r, cause in died if r != first and cause != "SIGTERM"] + [r for _, r, _ in raised if r != first]
    return message + (f"\n(rank(s) {after} failed after it)" if after else "")


# --8<-- [end:launch]


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
def inject(fault, rank, step):
    """Fail this rank now if `fault` ("kill:R:S", "raise:R:S" or "hang:R:S") names it and this step."""
    if not fault:
        return
    kind, target_rank, target_step = fault.split(":")
    if (rank, step) != (int(target_rank), int(target_step)):
        return
    if kind == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "raise":
        raise ValueError(f"fault injected into rank {rank} at step {step}")
    if kind == "hang":
        time.sleep(10 * TIMEOUT_S)


def sum_of_ranks(rank, world_size, steps, fault=""):
    """Each step, every rank contributes rank + step; all_reduce leaves the sum on every rank."""
    sums = []
    for step in range(steps):
        inject(fault, rank, step)
        value = torch.tensor([float(rank + step)])
        dist.all_reduce(value)  # the default operation: a sum over the group
        sums.append(value.item())
    return {"rank": rank, "world_size": dist.get_world_size(), "pid": os.getpid(), "sums": sums}


def sums_by_position(rank, world_size, positions=POSITIONS):
    """Rank r puts ORDER_VALUES[r] at every position of a buffer; the distinct sums all_reduce returns."""
    buffer = torch.full((positions,), ORDER_VALUES[rank])
    dist.all_reduce(buffer)
    return sorted(set(buffer.tolist()))


def demo(rank, world_size, steps, fault=""):
    return {**sum_of_ranks(rank, world_size, steps, fault), "by_position": sums_by_position(rank, world_size)}


def run(world_size, fault=FAULT):
    """The demo on world_size ranks, and the seconds it took to start, run and join them."""
    started = time.perf_counter()
    results = launch(demo, world_size, STEPS, fault)
    return results, time.perf_counter() - started


# %%
if __name__ == "__main__":
    runs, seconds = {}, {}
    for size in WORLD_SIZES:
        runs[size], seconds[size] = run(size)
        print(f"{size} ranks, started, summed and joined in {seconds[size]:.1f} s")
        for result in runs[size]:
            sums = ", ".join(f"{value:g}" for value in result["sums"])
            print(f"  rank {result['rank']} of {result['world_size']} (pid {result['pid']}): sums {sums}")
    world_size_seen = {size: [result["world_size"] for result in runs[size]] for size in WORLD_SIZES}
    sums = {size: [result["sums"] for result in runs[size]] for size in WORLD_SIZES}
    by_position = {size: [result["by_position"] for result in runs[size]] for size in WORLD_SIZES}
    distinct_sums = {size: len(by_position[size][0]) for size in WORLD_SIZES}
    print(f"\nThe float32 numbers {', '.join(f'{v:g}' for v in ORDER_VALUES)} (rank 0, 1, ...),")
    print(f"summed by all_reduce at each of {POSITIONS} positions of one buffer:")
    for size in WORLD_SIZES:
        distinct = ", ".join(f"{value:.3g}" for value in by_position[size][0])
        print(f"  {size} ranks: {distinct_sums[size]} distinct result(s): {distinct}")
