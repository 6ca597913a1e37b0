"""The claims of docs/scale/zero.md, checked on the process groups its snippet really starts."""

import pytest
from conftest import snippet_fixture


zero = snippet_fixture("scale/zero")


def parameter_names(zero):
    return [name for name, _ in zero.module.mlp().named_parameters()]


def each_world_size(zero):
    return [zero.values["results"][str(size)] for size in zero.values["WORLD_SIZES"]]


@pytest.mark.claim("scale-zero-parity")
def test_zero_gives_bit_identical_iterates_to_the_unsharded_optimizer(zero):
    """At 2 and 4 ranks (so many ranks report), ZeroRedundancyOptimizer wrapping Adam and AdamW gives
    bit for bit the parameters of DDP with the plain optimizer, within the tolerance of one process."""
    for size, result in zip(zero.values["WORLD_SIZES"], each_world_size(zero)):
        assert result["ranks_reporting"] == [size] * size
        assert result["zero_vs_plain"] == {"Adam": 0, "AdamW": 0}
        assert result["zero_vs_single"] <= zero.values["TOLERANCE"]


@pytest.mark.claim("scale-zero-partition")
def test_each_parameter_lives_whole_on_one_rank_by_the_sorted_greedy_rule(zero):
    """Each parameter's state lives whole on one rank, placed by the sorted-greedy rule (largest
    first, to the rank with the fewest elements); the ranks' state adds up to the unsharded
    optimizer's, byte for byte, and the largest rank holds more than its even share."""
    sizes = [p.numel() for p in zero.module.mlp().parameters()]
    for size, result in zip(zero.values["WORLD_SIZES"], each_world_size(zero)):
        owners = [name for held in result["owned"] for name in held]
        assert sorted(owners) == sorted(parameter_names(zero))  # each one once
        assert result["owned_elements"] == zero.module.greedy_partition(sizes, size)[0]
        assert result["state_bytes"] == [sum(held.values()) for held in result["owned"]]
        assert sum(result["state_bytes"]) == result["plain_state_bytes"]
        assert result["largest_over_mean"] > 1
    assert each_world_size(zero)[-1]["largest_over_mean"] > each_world_size(zero)[0]["largest_over_mean"]


@pytest.mark.claim("scale-zero-consolidate-error")
def test_state_dict_raises_where_the_state_was_not_consolidated(zero):
    """Before consolidate_state_dict, state_dict() raises on every rank; after consolidate_state_dict(to=0),
    on every rank but 0, with a message that tells rank r to call consolidate_state_dict(to=r)."""
    for result in each_world_size(zero):
        assert all(message.startswith("Optimizer state has not been consolidated on this rank.") for message in result["error_before"])
        assert result["error_after"][0] == "no error"
        for rank, message in enumerate(result["error_after"][1:], start=1):
            assert message == (
                "Optimizer state has not been consolidated on this rank. Please call "
                f"`consolidate_state_dict(to={rank})` on all ranks beforehand if you meant to save the global state."
            )


@pytest.mark.claim("scale-zero-consolidated-state")
def test_the_consolidated_state_is_the_unsharded_optimizers_and_rank_zeros_share_stays_live(zero):
    """The consolidated state_dict on rank 0 is bit for bit the plain Adam's; on the CPU, the entries
    of rank 0's own parameters (and only those) keep changing as training goes on after it."""
    for result in each_world_size(zero):
        assert result["matches_plain_state"]
        assert result["moved"] == result["own_indices"][0]
        assert result["moved"]


@pytest.mark.claim("scale-zero-load-empties")
def test_load_state_dict_replaces_other_ranks_entries_by_none_in_the_dict_given(zero):
    """ZeroRedundancyOptimizer.load_state_dict sets to None, in the dict it is given, the entry of
    every parameter that another rank owns."""
    for result in each_world_size(zero):
        everything = set(range(len(parameter_names(zero))))
        for own, emptied in zip(result["own_indices"], result["emptied_by_load"]):
            assert set(emptied) == everything - set(own)


@pytest.mark.claim("scale-zero-resume")
def test_resuming_from_the_consolidated_checkpoint(zero):
    """Resumed from the consolidated checkpoint at the same world size, training goes on bit for bit
    at 2 ranks and within the last bits at 4; saved at 2 ranks and resumed at 4, or in one process
    with a plain Adam, it ends within the tolerance of one process trained straight through."""
    values = zero.values
    tolerance = values["TOLERANCE"]
    results = values["results"]
    assert results["2"]["resumed_vs_continued"] == 0
    assert 0 <= results["4"]["resumed_vs_continued"] < tolerance
    assert all(result["continued_vs_single"] <= tolerance for result in each_world_size(zero))
    assert values["elsewhere"]["4"] <= tolerance
    assert values["one_process"] <= tolerance
