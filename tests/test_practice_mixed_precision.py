"""The claims of docs/practice/mixed-precision.md, checked by running its snippets."""

import pytest
import torch
from conftest import snippet_fixture


cpu = snippet_fixture("practice/mixed_precision_cpu")
scaler = snippet_fixture("practice/mixed_precision_scaler")


ORDER_WARNING = "Detected call of `lr_scheduler.step()` before `optimizer.step()`."


@pytest.mark.claim("prac-amp-cpu-dtypes")
def test_cpu_autocast_accepts_both_half_types_and_refuses_single_precision(cpu):
    """torch.autocast("cpu") runs in bfloat16 by default and accepts float16, without a warning;
    asked for float32 it returns float32 and warns that CPU autocast supports only the two."""
    values = cpu.values
    assert values["default_dtype"] == "bfloat16" == str(torch.get_autocast_dtype("cpu")).removeprefix("torch.")
    assert values["output_dtype"] == {"float16": "float16", "bfloat16": "bfloat16", "float32": "float32"}
    assert values["outputs"]["float16"][1] == [] and values["outputs"]["bfloat16"][1] == []
    assert values["float32_warning"].startswith("In CPU autocast, but the target dtype is not supported. Disabling autocast.")
    assert "torch.bfloat16, torch.float16" in values["float32_warning"]


@pytest.mark.claim("prac-amp-float16-underflow")
def test_half_precision_gradients_underflow_without_a_loss_scale(cpu):
    """In float16 without scaling some gradient entries come out exactly zero where float32's are
    not; with the loss scaled by 2^16, none do."""
    underflow = cpu.values["underflow"]
    assert underflow["float16, scale 1"]["flushed"] > 0
    assert underflow["float16, scale 65536"]["flushed"] == 0
    assert cpu.namespace["SCALES"][1] == torch.amp.GradScaler("cpu").get_scale()


@pytest.mark.claim("prac-amp-bfloat16-no-scaler")
def test_brain_float_needs_no_scale_and_is_less_precise(cpu):
    """In bfloat16 no entry underflows and the gradients with and without the scale are bit for
    bit the same; its relative error is several times that of scaled float16."""
    underflow = cpu.values["underflow"]
    assert underflow["bfloat16, scale 1"]["flushed"] == underflow["bfloat16, scale 65536"]["flushed"] == 0
    assert cpu.values["bfloat16_scale_changes_nothing"] is True
    assert cpu.values["bfloat16_error_ratio"] > 3


@pytest.mark.claim("prac-scaler-skips-steps")
def test_overflowing_steps_are_skipped_and_halve_the_scale(scaler):
    """The first steps overflow: each is skipped with the weights unchanged, and the scale halves
    each time; a later step is skipped too."""
    ns = scaler.namespace
    usual = ns["usual"]
    first = scaler.values["first_real"]
    assert first > 0 and scaler.values["skipped"][: first] == list(range(first))
    assert scaler.values["skipped"][-1] > first
    for row, following in zip(usual, usual[1:]):
        if row["stepped"]:
            assert row["moved"] > 0 and following["scale"] == row["scale"]
        else:
            assert row["moved"] == 0.0 and following["scale"] == row["scale"] * ns["BACKOFF_FACTOR"]
    assert scaler.values["scale_at_first_real"] == ns["INIT_SCALE"] * ns["BACKOFF_FACTOR"] ** first
    assert ns["BACKOFF_FACTOR"] == 0.5


@pytest.mark.claim("prac-scaler-scheduler-warning")
def test_stepping_the_scheduler_on_skipped_steps_advances_the_warmup_and_warns(scaler):
    """With scheduler.step() after every scaler.update(), the first real step runs at a later
    warmup value than the first, and torch raises its order warning though the order is right."""
    ns = scaler.namespace
    lrs = scaler.values["first_real_lr"]
    first = scaler.values["first_real"]
    start = ns["LR"] * 0.1
    assert lrs["usual"] == pytest.approx(start + first * (ns["LR"] - start) / ns["WARMUP"], rel=1e-9)
    assert lrs["usual"] > lrs["skip-aware"]
    assert scaler.values["usual_warning"].startswith(ORDER_WARNING)
    assert len(ns["usual_warnings"]) == 1


@pytest.mark.claim("prac-scaler-skip-aware")
def test_stepping_the_scheduler_only_after_real_steps_keeps_the_schedule(scaler):
    """Stepping the scheduler only when the scale did not drop: the first real step uses the
    warmup's first value, every real step the next one, and no warning is raised."""
    ns = scaler.namespace
    assert ns["skip_aware_warnings"] == []
    used = [row["lr"] for row in ns["skip_aware"] if row["stepped"]]
    start = ns["LR"] * 0.1
    expected = [min(ns["LR"], start + k * (ns["LR"] - start) / ns["WARMUP"]) for k in range(len(used))]
    assert used == pytest.approx(expected, rel=1e-9)


@pytest.mark.claim("prac-scaler-clip-before-unscale")
def test_clipping_the_scaled_gradients_shrinks_the_steps_by_about_the_scale(scaler):
    """Clipping before unscale_() makes the median step many orders of magnitude smaller."""
    assert scaler.values["moved_ratio"] > 1e3
