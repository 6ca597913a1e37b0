"""The claims of docs/scale/memory.md: arithmetic on constants measured by torch, checked against
the per-rank state the ZeRO and FSDP pages measured on real process groups."""

import pytest
from conftest import snippet_fixture


memory = snippet_fixture("scale/memory")


@pytest.mark.claim("scale-memory-constants")
def test_float32_adamw_measures_four_four_and_eight_bytes_per_element(memory):
    """Measured in float32 after an AdamW step: 4 bytes per element for the parameter, 4 for its
    gradient, 8 for AdamW's state, and a 4-byte step counter per parameter tensor."""
    assert memory.namespace["measured_bytes_per_element"]() == memory.values["BYTES"] == {
        "parameter": 4, "gradient": 4, "optimizer": 8, "counter_bytes_per_tensor": 4,
    }


@pytest.mark.claim("scale-memory-matches-runs")
def test_the_formulas_give_the_state_the_sharded_runs_measured(memory, snippet):
    """The optimizer-state term of the formulas, 8 bytes times the parameters a rank holds, is
    exactly what each rank of the ZeRO and FSDP runs measured, step counters aside; ZeRO's ranks
    average the 1/N share, FSDP's each hold it up to the rows of padding."""
    zero, fsdp = snippet("scale/zero").values, snippet("scale/fsdp").values
    per_element = memory.values["BYTES"]["optimizer"]
    counter = memory.values["BYTES"]["counter_bytes_per_tensor"]
    parameters = snippet("scale/zero").module.mlp()
    elements, tensors = sum(p.numel() for p in parameters.parameters()), len(list(parameters.parameters()))
    per_gpu = memory.namespace["per_gpu"]
    for size in zero["WORLD_SIZES"]:
        result = zero["results"][str(size)]
        held = [b - counter * len(owned) for b, owned in zip(result["state_bytes"], result["owned"])]
        assert held == [per_element * n for n in result["owned_elements"]]
        assert sum(held) / size == per_gpu("ZeRO-1", elements, size, 1)["optimizer"]
        shards = fsdp["results"][str(size)]
        for rank, described in enumerate(shards["parameters"]):
            rows = sum(p["local_elements"] for p in described)
            assert shards["state_bytes"][rank] - counter * tensors == per_element * rows
        even = per_gpu("FSDP", elements, size, 1)["optimizer"]
        assert max(shards["state_bytes"]) - counter * tensors >= even >= min(shards["state_bytes"]) - counter * tensors


@pytest.mark.claim("scale-memory-seven-billion")
def test_seven_billion_parameters_per_gpu(memory):
    """For 7 B parameters with AdamW in fp32, DDP needs 112 GB of model states on every GPU at any
    number of GPUs, more than an 80 GB GPU holds; ZeRO-1 stays above 56 GB (the parameters and
    gradients it keeps whole), ZeRO-2 above 28 GB (the parameters); ZeRO-3 falls as 1/N, and FSDP
    stays above it by the one layer it holds whole."""
    values = memory.values
    table, gpus, (parameters, layers) = values["table"]["7B"], values["GPUS"], values["MODELS"]["7B"]
    b = {part: size * parameters / values["GB"] for part, size in values["BYTES"].items()}
    everything = b["parameter"] + b["gradient"] + b["optimizer"]
    assert table["DDP"] == [everything] * len(gpus) and everything > values["GPU_MEMORY_GB"]
    assert values["fits"]["7B"]["DDP"] is None
    assert values["kept_whole"]["7B"] == {"ZeRO-1": b["parameter"] + b["gradient"], "ZeRO-2": b["parameter"]}
    assert all(gb > b["parameter"] + b["gradient"] for gb in table["ZeRO-1"])
    assert all(gb > b["parameter"] for gb in table["ZeRO-2"])
    assert all(gb * n == pytest.approx(everything) for gb, n in zip(table["ZeRO-3"], gpus))
    layer = (b["parameter"] + b["gradient"]) / layers
    assert all(gb == pytest.approx(zero + layer) for gb, zero in zip(table["FSDP"], table["ZeRO-3"]))


@pytest.mark.claim("scale-memory-state-stops-dominating")
def test_where_the_optimizer_state_stops_being_the_largest_item(memory):
    """Under DDP (b_s = 2 b_p), and in ZeRO-3's formula, the optimizer state is the largest item on a
    GPU at any number of GPUs; under ZeRO-1 and ZeRO-2 it stops being so from 2 GPUs; under FSDP
    at N = L GPUs, where the layer held whole (b_p + b_g = b_s) catches up with it."""
    b = memory.values["BYTES"]
    assert b["optimizer"] == 2 * b["parameter"] == b["parameter"] + b["gradient"]
    for model, (_, layers) in memory.values["MODELS"].items():
        crossover = memory.values["crossover"][model]
        assert crossover == {"DDP": None, "ZeRO-1": 2, "ZeRO-2": 2, "ZeRO-3": None, "FSDP": layers}
        parameters = memory.values["MODELS"][model][0]
        held = memory.namespace["per_gpu"]("FSDP", parameters, layers, layers)
        assert held["optimizer"] == held["working"]
