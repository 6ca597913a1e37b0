"""The claims of docs/scale/fsdp.md, checked on the process groups its snippet really starts."""

import math

import pytest
from conftest import snippet_fixture

SHARD = "(Shard(dim=0),)"


fsdp = snippet_fixture("scale/fsdp")


def each_world_size(fsdp):
    return [(size, fsdp.values["results"][str(size)]) for size in fsdp.values["WORLD_SIZES"]]


@pytest.mark.claim("scale-fsdp-parity")
def test_fsdp_matches_one_process(fsdp):
    """At 2 and 4 ranks (so many ranks report), FSDP2 with Adam ends within the tolerance of one process on the whole batch."""
    for size, result in each_world_size(fsdp):
        assert result["ranks_reporting"] == [size] * size
        assert result["fsdp_vs_single"] <= fsdp.values["TOLERANCE"]


@pytest.mark.claim("scale-fsdp-rows")
def test_every_rank_holds_a_block_of_rows_of_every_parameter(fsdp):
    """Every parameter, its gradient, and Adam's exp_avg and exp_avg_sq of it, is a DTensor placed Shard(dim=0):
    rank r holds rows r·c to (r + 1)·c of it, c = ⌈rows / N⌉, the last rank what is left;
    to_local() is exactly those rows of the whole tensor, and the storage behind it has room for c
    rows on every rank."""
    for size, result in each_world_size(fsdp):
        for rank, described in enumerate(result["parameters"]):
            for held in described:
                rows = held["shape"][0]
                per_rank = math.ceil(rows / size)
                assert held["placements"] == SHARD
                assert held["state_placements"] == {"exp_avg": SHARD, "exp_avg_sq": SHARD}
                start = min(rank * per_rank, rows)
                assert held["rows"] == [start, min(start + per_rank, rows)]
                assert held["local_shape"] == [held["rows"][1] - start, *held["shape"][1:]]
                assert held["state_local_shapes"] == {"exp_avg": held["local_shape"], "exp_avg_sq": held["local_shape"]}
                assert held["is_those_rows"]
                assert held["gradient_placements"] == SHARD and held["gradient_local_shape"] == held["local_shape"]
                assert held["padded_rows"] == per_rank
    last = fsdp.values["results"][str(fsdp.values["WORLD_SIZES"][-1])]["parameters"][-1]
    assert any(held["padded_rows"] > held["local_shape"][0] for held in last)  # some padding to show


@pytest.mark.claim("scale-fsdp-state-per-rank")
def test_fsdp_splits_the_state_evenly_where_zero_cannot(fsdp):
    """FSDP2's optimizer state is the same on every rank up to the rows of padding the last rank
    lacks, plus one step counter per parameter on every rank; ZeRO's largest rank holds far more."""
    counters = 4 * len(fsdp.values["results"]["2"]["parameters"][0])
    for size, result in each_world_size(fsdp):
        elements = [sum(held["state_elements"] for held in described) for described in result["parameters"]]
        assert result["state_bytes"] == [4 * n + counters for n in elements]
        padded = [sum(held["padded_rows"] * math.prod(held["shape"][1:]) for held in described) for described in result["parameters"]]
        assert len(set(padded)) == 1  # the padded shards are equal
        assert result["fsdp_largest_over_mean"] < result["zero_largest_over_mean"]
        assert sum(result["zero_state_bytes"]) + counters * (size - 1) == result["total_state_bytes"]
