"""The claims of docs/scale/data-parallel.md, checked on the process groups its snippet really starts."""

import pytest
from conftest import snippet_fixture

FAR = 1000  # "thousands of times the tolerance"


ddp = snippet_fixture("scale/data_parallel")


def each_world_size(ddp):
    values = ddp.values
    return [values["results"][str(size)] for size in values["WORLD_SIZES"]]


@pytest.mark.claim("scale-ddp-ranks-identical")
def test_every_rank_ends_with_bit_identical_parameters(ddp):
    """At 2 and at 4 ranks (each rank reports that world size), the parameters after the last step
    are bit for bit the same on every rank."""
    for size, result in zip(ddp.values["WORLD_SIZES"], each_world_size(ddp)):
        assert result["ranks_reporting"] == [size] * size
        assert result["ranks_differ"] == 0


@pytest.mark.claim("scale-ddp-equals-one-process")
def test_ddp_matches_one_process_on_the_whole_batch(ddp):
    """DDP's parameters are within the tolerance of one process trained on the whole batch, at 2 and 4 ranks."""
    tolerance = ddp.values["TOLERANCE"]
    for result in each_world_size(ddp):
        assert result["ddp_vs_single"] <= tolerance


@pytest.mark.claim("scale-ddp-fresh-first-gradient")
def test_a_fresh_ddp_first_gradient_differs_in_the_last_bits_at_four_ranks(ddp):
    """From the same parameters on the same batch, a freshly built DDP's first all-reduced gradient
    differs from a trained DDP's in the last bits at 4 ranks and not at all at 2; its second is identical."""
    results = ddp.values["results"]
    assert results["2"]["fresh_first_gradient"] == 0
    assert 0 < results["4"]["fresh_first_gradient"] < ddp.values["TOLERANCE"]
    assert results["2"]["fresh_second_gradient"] == results["4"]["fresh_second_gradient"] == 0


@pytest.mark.claim("scale-ddp-batchnorm")
def test_batchnorm_breaks_the_equality_and_syncbatchnorm_is_refused_on_the_cpu(ddp):
    """With a BatchNorm layer, DDP ends thousands of times the tolerance away from one process,
    though the ranks still agree bit for bit; SyncBatchNorm is refused by DDP on the CPU."""
    tolerance = ddp.values["TOLERANCE"]
    for result in each_world_size(ddp):
        assert result["batch_norm_vs_single"] > FAR * tolerance
        assert result["batch_norm_ranks_differ"] == 0
    assert ddp.values["sync_batch_norm"] == "ValueError: SyncBatchNorm layers only work with GPU modules"


@pytest.mark.claim("scale-ddp-uneven")
def test_uneven_batches_weight_each_rank_equally_not_each_sample(ddp):
    """With slices of unequal size, DDP ends thousands of times the tolerance away from one process;
    its gradient is the whole batch's with each sample weighted 1/(N b), to within the tolerance."""
    tolerance = ddp.values["TOLERANCE"]
    for result in each_world_size(ddp):
        assert len(set(result["uneven_shards"])) > 1
        assert result["uneven_vs_single"] > FAR * tolerance
        assert result["uneven_gradient_vs_full"] > FAR * tolerance
        assert result["uneven_gradient_vs_weighted"] <= tolerance


@pytest.mark.claim("scale-ddp-no-sync")
def test_accumulating_under_no_sync_matches_one_process_with_one_all_reduce_per_step(ddp):
    """Accumulating micro-batches under no_sync() matches one process within the tolerance, the
    ranks agree bit for bit, and DDP all-reduces once per step instead of once per micro-batch."""
    tolerance, micro = ddp.values["TOLERANCE"], ddp.values["MICRO_BATCHES"]
    for result in each_world_size(ddp):
        assert result["no_sync_vs_single"] <= tolerance
        assert result["no_sync_ranks_differ"] == 0
        assert result["no_sync_all_reduces"] == 1
        assert result["syncing_all_reduces"] == micro
        assert result["syncing_vs_single"] <= tolerance


@pytest.mark.claim("scale-ddp-step-inside-no-sync")
def test_a_step_inside_no_sync_lets_the_ranks_drift_apart(ddp):
    """Calling step() on a gradient accumulated under no_sync() leaves the ranks with parameters
    thousands of times the tolerance apart, and DDP never brings them back together."""
    tolerance = ddp.values["TOLERANCE"]
    for result in each_world_size(ddp):
        assert result["step_inside_ranks_differ"] > FAR * tolerance
