"""The claims of docs/scale/checkpoints.md, checked on the process groups its snippet really starts."""

import math

import pytest
from conftest import snippet_fixture


checkpoints = snippet_fixture("scale/checkpoints")


@pytest.mark.claim("scale-dcp-files")
def test_each_saving_rank_writes_its_own_file(checkpoints):
    """Saved at 2 ranks (both report that world size), the checkpoint is a folder with one .distcp
    file per saving rank and one .metadata file."""
    values = checkpoints.values
    saved_at = values["SAVED_AT"]
    assert values["ranks_reporting"][str(saved_at)] == [saved_at] * saved_at
    assert values["files"] == [".metadata"] + [f"__{rank}_0.distcp" for rank in range(saved_at)]


@pytest.mark.claim("scale-dcp-reshard")
def test_the_state_loads_bit_for_bit_on_four_ranks_and_in_one_process(checkpoints):
    """Loaded at 4 ranks (all report that world size), and into a plain network in one process, the
    Adam state is bit for bit the state the 2 ranks saved."""
    values = checkpoints.values
    loaded_at = values["LOADED_AT"]
    assert values["ranks_reporting"][str(loaded_at)] == [loaded_at] * loaded_at
    assert values["state_loaded_exactly"] == {str(loaded_at): True, "1": True}
    rows = [p.shape[0] for p in checkpoints.module.mlp().parameters()]
    for rank, held in enumerate(values["rows_at_load"]):  # each rank holds its own block of rows at 4
        blocks = [math.ceil(d / loaded_at) for d in rows]
        assert held == [[max(0, min(c, d - rank * c))] for c, d in zip(blocks, rows)]


@pytest.mark.claim("scale-dcp-continue")
def test_training_goes_on_from_the_checkpoint_as_one_process_would(checkpoints):
    """Trained on from the checkpoint at 4 ranks and in one process, and at the saving 2 ranks
    without reloading, training ends within the tolerance of one process trained straight through."""
    values = checkpoints.values
    assert len(values["against_straight"]) == 3
    assert all(difference <= values["TOLERANCE"] for difference in values["against_straight"].values())


@pytest.mark.claim("scale-dcp-one-process-warning")
def test_loading_without_a_process_group_warns_and_assumes_one_process(checkpoints):
    """Loading without any process group works, with one warning."""
    assert checkpoints.values["one_process_warnings"] == [
        "torch.distributed is disabled, unavailable or uninitialized, assuming the intent is to load in a single process."
    ]
