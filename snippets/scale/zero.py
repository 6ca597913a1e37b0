"""ZeroRedundancyOptimizer on 2 and 4 processes: the same steps, the state split by whole parameters

Each rank trains two copies of a small network under DDP on the same batches: one with a plain
torch.optim optimizer, one with ZeroRedundancyOptimizer wrapping the same optimizer class, for Adam
and AdamW. The parameters are compared, each rank's optimizer state is measured from the local
optimizer's `state`, and the state is consolidated on rank 0 with `consolidate_state_dict(to=0)`,
saved, and resumed from: at the same world size, at the other world size, and in one process with
a plain Adam.

Run it as a script: the ranks are spawned processes that import their function from this file.
"""

# %%
import contextlib
import copy
import datetime
import io
import os
import pickle
import signal
import socket
import tempfile
import textwrap
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.distributed.optim import ZeroRedundancyOptimizer
from torch.nn.parallel import DistributedDataParallel

WORLD_SIZES = (2, 4)
STEPS = 10  # before the checkpoint
RESUMED_STEPS = 5  # after it
BATCH = 64
LR = 0.01
TOLERANCE = 1e-5  # as on the data-parallel page: ZeRO under DDP against one process
OPTIMIZERS = {"Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW}
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


def train_step(model, optimizer, step, rank, world_size):
    optimizer.zero_grad()
    inputs, labels = my_slice(global_batch(step, BATCH), rank, [BATCH // world_size] * world_size)
    torch.nn.functional.cross_entropy(model(inputs), labels).backward()
    optimizer.step()


def train_single(optimizer_class, steps):
    """One process, the whole batch at every step."""
    model = mlp()
    optimizer = optimizer_class(model.parameters(), lr=LR)
    for step in range(steps):
        train_step(model, optimizer, step, 0, 1)
    return model, optimizer


# %% [markdown]
# ## ZeRO in the training loop
#
# The optimizer is the only change: ZeroRedundancyOptimizer builds the wrapped optimizer on this
# rank's share of the parameters, steps only those, and broadcasts them to the other ranks.

# %%
# --8<-- [start:zero]
def sharded(model, optimizer_class):
    return ZeroRedundancyOptimizer(model.parameters(), optimizer_class=optimizer_class, lr=LR)
# --8<-- [end:zero]


def state_bytes(optimizer, parameter=None):
    """Bytes of every tensor in the optimizer's state (the step counters too), or of one parameter's."""
    states = optimizer.state.values() if parameter is None else [optimizer.state[parameter]]
    return sum(t.nbytes for state in states for t in state.values() if torch.is_tensor(t))


def owned(zero, model):
    """{name: bytes of optimizer state} of the parameters this rank's share holds, largest first."""
    names = {p: name for name, p in model.named_parameters()}
    return {names[p]: state_bytes(zero.optim, p) for group in zero.optim.param_groups for p in group["params"]}


def side_by_side(rank, world_size, optimizer_class):
    """DDP + ZeRO and DDP + the plain optimizer, trained on the same batches for STEPS steps."""
    zero_model, plain_model = DistributedDataParallel(mlp()), DistributedDataParallel(mlp())
    zero, plain = sharded(zero_model, optimizer_class), optimizer_class(plain_model.parameters(), lr=LR)
    for step in range(STEPS):
        train_step(zero_model, zero, step, rank, world_size)
        train_step(plain_model, plain, step, rank, world_size)
    return zero_model, zero, plain_model, plain


# --8<-- [start:consolidate]
def checkpoint(zero, model):
    """Gather the whole optimizer state on rank 0, save it with the model, and load it on every rank."""
    zero.consolidate_state_dict(to=0)  # a collective: every rank must call it
    saved = [None]
    if dist.get_rank() == 0:  # only rank 0 holds the whole state; it saves the checkpoint
        file = io.BytesIO()
        torch.save({"optimizer": zero.state_dict(), "model": model.module.state_dict()}, file)
        saved = [file.getvalue()]
    dist.broadcast_object_list(saved, src=0)  # every rank reads the file
    return torch.load(io.BytesIO(saved[0]))


def resume(saved, rank, world_size, first_step, steps):
    """A fresh model and ZeRO optimizer, loaded from a checkpoint, trained on from first_step."""
    model = mlp()
    model.load_state_dict(saved["model"])
    model = DistributedDataParallel(model)
    zero = sharded(model, torch.optim.Adam)
    zero.load_state_dict(copy.deepcopy(saved["optimizer"]))  # keeps its share; sets the rest of the dict to None
    for step in range(first_step, first_step + steps):
        train_step(model, zero, step, rank, world_size)
    return model
# --8<-- [end:consolidate]


def state_dict_error(zero):
    """What state_dict() says on a rank that was not the target of consolidate_state_dict."""
    try:
        zero.state_dict()
    except RuntimeError as error:
        return str(error)
    return "no error"


def same_state(a, b):
    """Whether two optimizer state_dicts hold bit-identical tensors under the same keys."""
    if a["state"].keys() != b["state"].keys():
        return False
    return all(
        a["state"][i].keys() == b["state"][i].keys() and all(torch.equal(a["state"][i][k], b["state"][i][k]) for k in a["state"][i])
        for i in a["state"]
    )


def changed_entries(later, earlier):
    """The parameter indices whose exp_avg differs between two state_dicts of the same optimizer."""
    return [i for i in earlier["state"] if not torch.equal(later["state"][i]["exp_avg"], earlier["state"][i]["exp_avg"])]


def emptied_by_load(state):
    """The entries that ZeroRedundancyOptimizer.load_state_dict replaces by None in the dict it is given."""
    given = copy.deepcopy(state)
    sharded(mlp(), torch.optim.Adam).load_state_dict(given)
    return [index for index, entry in given["state"].items() if entry is None]


def every_case(rank, world_size, saved_elsewhere=None):
    """All the runs of this page, in one process group."""
    result = {"world_size": dist.get_world_size(), "runs": {}}
    trained = {name: side_by_side(rank, world_size, optimizer_class) for name, optimizer_class in OPTIMIZERS.items()}
    for name, (zero_model, zero, plain_model, plain) in trained.items():
        result["runs"][name] = {
            "zero": flat(zero_model.module),
            "plain": flat(plain_model.module),
            "state_bytes": state_bytes(zero.optim),
            "plain_state_bytes": state_bytes(plain),
            "owned": owned(zero, zero_model.module),
            "owned_elements": sum(p.numel() for group in zero.optim.param_groups for p in group["params"]),
        }
    # The checkpoint of the Adam run, after its STEPS steps.
    zero_model, zero, _, plain = trained["Adam"]
    result["error_before"] = state_dict_error(zero)  # no rank has consolidated yet
    saved = checkpoint(zero, zero_model)
    result["error_after"] = state_dict_error(zero)  # rank 0 has the whole state, the others do not
    result["matches_plain"] = same_state(saved["optimizer"], plain.state_dict())
    result["saved"] = saved if rank == 0 else None
    for step in range(STEPS, STEPS + RESUMED_STEPS):
        train_step(zero_model, zero, step, rank, world_size)
    result["continued"] = flat(zero_model.module)
    result["moved"] = changed_entries(zero.state_dict(), saved["optimizer"]) if rank == 0 else None
    mine = {p for group in zero.optim.param_groups for p in group["params"]}
    result["own_indices"] = [index for index, p in enumerate(zero_model.parameters()) if p in mine]
    result["emptied_by_load"] = emptied_by_load(saved["optimizer"])
    result["resumed"] = flat(resume(saved, rank, world_size, STEPS, RESUMED_STEPS).module)
    if saved_elsewhere is not None:
        result["resumed_from_elsewhere"] = flat(resume(saved_elsewhere, rank, world_size, STEPS, RESUMED_STEPS).module)
    return result


def greedy_partition(sizes, world_size):
    """ZeRO's rule, written out: largest parameter first, each to the rank holding the fewest elements."""
    totals, owners = [0] * world_size, {}
    for index in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        rank = totals.index(min(totals))
        owners[index] = rank
        totals[rank] += sizes[index]
    return totals, owners


def largest(difference):
    return difference.abs().max().item()


def resume_in_one_process(saved, steps):
    """The ZeRO checkpoint loaded into a plain Adam in a single process (no process group), trained on."""
    model = mlp()
    model.load_state_dict(saved["model"])
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    optimizer.load_state_dict(copy.deepcopy(saved["optimizer"]))
    for step in range(STEPS, STEPS + steps):
        train_step(model, optimizer, step, 0, 1)
    return flat(model)


def summary(ranks, single, single_continued, world_size):
    """What this page quotes about one world size."""
    adam = [r["runs"]["Adam"] for r in ranks]
    sizes = [p.numel() for p in mlp().parameters()]
    return {
        "world_size": world_size,
        "ranks_reporting": [r["world_size"] for r in ranks],
        "zero_vs_plain": {name: max(largest(r["runs"][name]["zero"] - r["runs"][name]["plain"]) for r in ranks) for name in OPTIMIZERS},
        "zero_vs_single": largest(adam[0]["zero"] - single),
        "state_bytes": [run["state_bytes"] for run in adam],
        "plain_state_bytes": adam[0]["plain_state_bytes"],
        "owned": [run["owned"] for run in adam],
        "owned_elements": [run["owned_elements"] for run in adam],
        "greedy_elements": greedy_partition(sizes, world_size)[0],
        "largest_over_mean": max(run["state_bytes"] for run in adam) * world_size / sum(run["state_bytes"] for run in adam),
        "matches_plain_state": all(r["matches_plain"] for r in ranks),
        "error_before": [r["error_before"] for r in ranks],
        "error_after": [r["error_after"] for r in ranks],
        "moved": ranks[0]["moved"],
        "own_indices": [r["own_indices"] for r in ranks],
        "emptied_by_load": [r["emptied_by_load"] for r in ranks],
        "resumed_vs_continued": max(largest(r["resumed"] - r["continued"]) for r in ranks),
        "continued_vs_single": largest(ranks[0]["continued"] - single_continued),
    }


def draw(results):
    """Each rank's optimizer state, stacked by the parameters it holds, against an even split."""
    import matplotlib.pyplot as plt  # here, not at the top: the ranks never draw

    names = [name for name, _ in mlp().named_parameters()]
    figure, panels = plt.subplots(1, len(results), figsize=(9, 3.8), sharey=True, num="state-per-rank")
    colors = {name: f"C{index}" for index, name in enumerate(names)}
    for panel, (size, result) in zip(panels, results.items()):
        for rank, held in enumerate(result["owned"]):
            bottom = 0
            for name, size_bytes in held.items():
                height = size_bytes / 1000
                panel.bar(rank, height, bottom=bottom, color=colors[name], edgecolor="white", label=name)
                bottom += height
        panel.axhline(result["plain_state_bytes"] / size / 1000, color="black", linestyle="--", label="even split")
        panel.set_title(f"{size} ranks")
        panel.set_xlabel("rank")
        panel.set_xticks(range(size))
    panels[0].set_ylabel("optimizer state (kB)")
    handles = {label: handle for panel in panels for handle, label in zip(*panel.get_legend_handles_labels())}
    panels[-1].legend(handles.values(), handles.keys(), loc="upper right", ncol=2)  # above the small shares
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
    single_model, _ = train_single(torch.optim.Adam, STEPS)
    single = flat(single_model)
    single_continued = flat(train_single(torch.optim.Adam, STEPS + RESUMED_STEPS)[0])
    runs = {WORLD_SIZES[0]: launch(every_case, WORLD_SIZES[0])}
    saved = runs[WORLD_SIZES[0]][0]["saved"]  # the checkpoint taken at the first world size ...
    for size in WORLD_SIZES[1:]:
        runs[size] = launch(every_case, size, saved)  # ... resumed at the others
    results = {size: summary(ranks, single, single_continued, size) for size, ranks in runs.items()}
    elsewhere = {size: largest(runs[size][0]["resumed_from_elsewhere"] - single_continued) for size in WORLD_SIZES[1:]}
    one_process = largest(resume_in_one_process(saved, RESUMED_STEPS) - single_continued)

    print(f"{STEPS} steps, lr {LR}, global batch {BATCH}; largest parameter difference")
    for size, result in results.items():
        print(f"\n{size} ranks (world size seen by every rank: {result['ranks_reporting']})")
        for name, difference in result["zero_vs_plain"].items():
            print(f"  ZeRO({name}) against DDP + {name}: {difference:.3g}")
        print(f"  ZeRO(Adam) against one process: {result['zero_vs_single']:.3g}")
    print(f"\nOptimizer state per rank (bytes; unsharded Adam: {results[WORLD_SIZES[0]]['plain_state_bytes']})")
    for size, result in results.items():
        print(f"  {size} ranks, largest {result['largest_over_mean']:.2f} x the mean")
        for rank, (held, names) in enumerate(zip(result["state_bytes"], result["owned"])):
            print(f"    rank {rank}: {held:>6}  {', '.join(names)}")
    print("\nconsolidate_state_dict(to=0), then state_dict() on rank 1:")
    print(textwrap.fill(results[WORLD_SIZES[0]]["error_after"][1], 78, initial_indent="  ", subsequent_indent="  "))
    print(f"Entries of rank 0's consolidated dict that kept changing after it: {results[WORLD_SIZES[0]]['moved']}")
    print(f"  (the parameters rank 0 owns: {results[WORLD_SIZES[0]]['own_indices'][0]})")
    print("load_state_dict(saved) set these entries of `saved` to None, per rank:")
    for size, result in results.items():
        print(f"  {size} ranks: {result['emptied_by_load']}")
    print(f"\nResumed for {RESUMED_STEPS} steps from the checkpoint, against")
    for size, result in results.items():
        print(f"  the run that went on, {size} ranks: {result['resumed_vs_continued']:.3g}")
    for size, difference in elsewhere.items():
        print(f"  one process, saved at {WORLD_SIZES[0]} and resumed at {size} ranks: {difference:.3g}")
    print(f"  one process, resumed in a plain Adam, no process group: {one_process:.3g}")
    draw(results)
