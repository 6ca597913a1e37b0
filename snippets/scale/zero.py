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
import copy
import io

import torch
import torch.distributed as dist
from overview_setup import CLASSES, FEATURES, flat, global_batch, launch, my_slice
from torch.distributed.optim import ZeroRedundancyOptimizer
from torch.nn.parallel import DistributedDataParallel

WORLD_SIZES = (2, 4)
STEPS = 10  # before the checkpoint
RESUMED_STEPS = 5  # after it
BATCH = 64
LAYERS = (FEATURES, 128, 32, 24, CLASSES)  # widths: parameters of very different sizes
LR = 0.01
TOLERANCE = 1e-5  # as on the data-parallel page: ZeRO under DDP against one process
OPTIMIZERS = {"Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW}


def network():
    """A stack of Linear layers with LAYERS widths and ReLUs between; the same initial weights every time."""
    torch.manual_seed(0)
    layers = []
    for width_in, width_out in zip(LAYERS, LAYERS[1:]):
        layers += [torch.nn.Linear(width_in, width_out), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def train_step(model, optimizer, step, rank, world_size):
    optimizer.zero_grad()
    inputs, labels = my_slice(global_batch(step, BATCH), rank, [BATCH // world_size] * world_size)
    torch.nn.functional.cross_entropy(model(inputs), labels).backward()
    optimizer.step()


def train_single(optimizer_class, steps):
    """One process, the whole batch at every step."""
    model = network()
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


def state_bytes(optimizer):
    """Bytes of every tensor in the optimizer's state (the step counters too)."""
    return sum(t.nbytes for state in optimizer.state.values() for t in state.values() if torch.is_tensor(t))


def owned(zero, model):
    """The names of the parameters this rank's share holds, largest first."""
    names = {p: name for name, p in model.named_parameters()}
    return [names[p] for group in zero.optim.param_groups for p in group["params"]]


def side_by_side(rank, world_size, optimizer_class):
    """DDP + ZeRO and DDP + the plain optimizer, trained on the same batches for STEPS steps."""
    zero_model, plain_model = DistributedDataParallel(network()), DistributedDataParallel(network())
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
    model = network()
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


def every_case(rank, world_size, saved_elsewhere=None):
    """All the runs of this page, in one process group."""
    result = {"world_size": dist.get_world_size(), "runs": {}}
    for name, optimizer_class in OPTIMIZERS.items():
        zero_model, zero, plain_model, plain = side_by_side(rank, world_size, optimizer_class)
        result["runs"][name] = {
            "zero": flat(zero_model.module),
            "plain": flat(plain_model.module),
            "state_bytes": state_bytes(zero.optim),
            "plain_state_bytes": state_bytes(plain),
            "owned": owned(zero, zero_model.module),
            "owned_elements": sum(p.numel() for group in zero.optim.param_groups for p in group["params"]),
        }
    # The checkpoint, taken after the Adam run's STEPS steps.
    result["error_before"] = state_dict_error(zero)
    saved = checkpoint(zero, zero_model)
    result["error_after"] = state_dict_error(zero)
    consolidated = zero.state_dict() if rank == 0 else None
    result["matches_plain"] = same_state(saved["optimizer"], plain.state_dict())
    result["saved"] = saved if rank == 0 else None
    for step in range(STEPS, STEPS + RESUMED_STEPS):
        train_step(zero_model, zero, step, rank, world_size)
    result["continued"] = flat(zero_model.module)
    if rank == 0:  # which entries of the consolidated dict changed while training went on
        later = zero.state_dict()
        result["moved"] = [i for i in saved["optimizer"]["state"] if not torch.equal(later["state"][i]["exp_avg"], saved["optimizer"]["state"][i]["exp_avg"])]
        result["rank0_owns"] = [i for i, p in enumerate(zero_model.parameters()) if zero._param_to_rank[p] == 0]
    loaded = copy.deepcopy(saved["optimizer"])
    sharded(network(), torch.optim.Adam).load_state_dict(loaded)
    result["emptied_by_load"] = [index for index, state in loaded["state"].items() if state is None]
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


# %%
if __name__ == "__main__":
    runs = {WORLD_SIZES[0]: launch(every_case, WORLD_SIZES[0])}
    saved = runs[WORLD_SIZES[0]][0]["saved"]  # taken at the first world size, resumed at the second
    for size in WORLD_SIZES[1:]:
        runs[size] = launch(every_case, size, saved)
    for size, ranks in runs.items():
        for r in ranks:
            print(size, r["world_size"], {n: (largest(v["zero"]-v["plain"]), v["state_bytes"], v["plain_state_bytes"], v["owned"], v["owned_elements"]) for n, v in r["runs"].items()})
            print(r["error_before"], "|", r["error_after"], r["matches_plain"], r.get("moved"), r.get("rank0_owns"), largest(r["resumed"]-r["continued"]), largest(r.get("resumed_from_elsewhere", r["resumed"]) - r["continued"]), r["emptied_by_load"])
