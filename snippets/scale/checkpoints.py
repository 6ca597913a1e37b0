"""Sharded checkpoints with torch.distributed.checkpoint: saved on 2 ranks, loaded on 4 and on 1

The FSDP2 network of the FSDP page is trained with Adam on 2 ranks and saved with
`torch.distributed.checkpoint` (DCP): every rank writes its own shards. The checkpoint is then
loaded into the same network sharded over 4 ranks, and into a plain, unsharded network in a single
process without any process group; both train on from there. All three continuations are compared
with one process that trained straight through.

Run it as a script: the ranks are spawned processes that import their function from this file.
"""

# %%
import os
import tempfile
import textwrap
import warnings

import torch
import torch.distributed as dist
import torch.distributed.checkpoint as dcp
from fsdp import LR, full, sharded_mlp, train, train_single
from overview_setup import flat, launch, mlp
from torch.distributed.checkpoint.state_dict import get_state_dict, set_state_dict

SAVED_AT = 2  # the world size that saves
LOADED_AT = 4  # the world size that loads it on more ranks
STEPS = 10  # before the checkpoint
MORE_STEPS = 5  # after it
TOLERANCE = 1e-5  # as on the data-parallel page: sharded training against one process


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
