"""How the Scale pages start processes: a process group on one machine, and what it sums

Every snippet of the Scale pages that starts ranks holds its own copy of `launch`: `world_size`
processes started by torch.multiprocessing (spawn), joined in one gloo process group on a free
port of 127.0.0.1, the same torch.distributed engine a cluster runs. Each rank hands a result back
to the launching process. A rank that raises fails the run with its own traceback, a rank that
dies fails it with its signal, and a group that hangs is killed after a timeout: no rank outlives
`launch`. Here each rank sums numbers with all_reduce.

Run it as a script (`python snippets/scale/overview_setup.py`): the spawned ranks import their
function from the file, which a notebook does not have.
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

WORLD_SIZES = (2, 4)
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
