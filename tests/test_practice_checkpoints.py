"""The claims of docs/practice/checkpoints.md, checked by running its snippets."""

import io
import pickle

import numpy as np
import pytest
import torch
from conftest import snippet_fixture


resume = snippet_fixture("practice/checkpoints_resume")
load = snippet_fixture("practice/checkpoints_load")
size = snippet_fixture("practice/checkpoints_size")


@pytest.mark.claim("prac-resume-bit-identical")
def test_resuming_from_the_whole_checkpoint_is_bit_identical(resume):
    """Resumed from the whole checkpoint in a fresh set of objects, in the same process, the final
    weights equal those of the run that never stopped, bit for bit."""
    ns = resume.namespace
    assert resume.values["bit_identical"] is True
    assert torch.equal(ns["resumed"], ns["reference"])
    assert torch.equal(ns["resume"](), ns["reference"])  # and again


@pytest.mark.claim("prac-resume-each-part-matters")
def test_leaving_out_any_part_changes_the_final_weights(resume):
    """Leaving out any one of the six parts changes the final weights, and none raises an error."""
    left_out = resume.values["left_out"]
    assert sorted(left_out) == sorted(resume.namespace["PARTS"]) and len(left_out) == 6
    assert all(difference > 1e-4 for difference in left_out.values()), left_out


@pytest.mark.claim("prac-snapshot-is-live")
def test_state_dicts_kept_in_memory_follow_training(load):
    """model.state_dict() and optimizer.state_dict() kept in memory change with one more training
    step; deep copies do not; an optimizer loaded from another's state_dict() shares its tensors."""
    assert load.values["snapshot_changes"] == {"as is": [True, True], "deepcopy": [False, False]}
    assert load.values["shared_after_load"] is True


@pytest.mark.claim("prac-numpy-state-weights-only")
def test_numpy_random_state_does_not_load_with_weights_only(load):
    """A checkpoint holding np.random.get_state() fails torch.load's default weights_only=True with
    an UnpicklingError; with the array as a list it loads."""
    assert load.values["numpy_state_error"].startswith("UnpicklingError: Weights only load failed.")
    assert load.values["as_list_error"] == ""
    buffer = io.BytesIO()
    torch.save({"numpy RNG": np.random.get_state()}, buffer)  # saving works
    buffer.seek(0)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(buffer)


@pytest.mark.claim("prac-load-map-location")
def test_map_location_sees_the_saved_location_and_meta_reads_no_data(load):
    """Every storage of the checkpoint is tagged cpu; map_location="meta" gives meta tensors with
    their shapes."""
    assert load.values["storage_locations"] == ["cpu"]
    assert load.values["meta_device"] == "meta" and load.values["meta_shape"] == [4, 4]


@pytest.mark.claim("prac-load-dtype")
def test_the_optimizer_casts_its_state_to_the_parameters_dtype_but_not_step(load):
    """Loaded for a float64 model, Adam's exp_avg and exp_avg_sq become float64 while step stays
    float32; the model keeps its float64 parameters."""
    assert load.values["loaded_dtypes"] == {"step": "float32", "exp_avg": "float64", "exp_avg_sq": "float64"}
    assert load.values["model_dtype"] == "float64"


@pytest.mark.claim("prac-load-by-position")
def test_torch_saves_names_but_loads_by_position(load):
    """The saved groups hold param_names, but load_state_dict matches by position: each parameter
    gets the other layer's moments, and the next step differs from the original model's."""
    assert load.values["saved_names"] == ["encoder.weight", "encoder.bias", "decoder.weight", "decoder.bias"]
    swapped = {"decoder.weight": "encoder.weight", "decoder.bias": "encoder.bias",
               "encoder.weight": "decoder.weight", "encoder.bias": "decoder.bias"}
    assert load.values["same_shapes"] == swapped
    assert load.values["same_shapes_error"] == ""
    assert load.values["same_step_by_position"] is False
    assert "will not affect the loading process" in " ".join(torch.optim.Optimizer.load_state_dict.__doc__.split())


@pytest.mark.claim("prac-load-shape-error")
def test_other_shapes_load_and_fail_at_the_first_step(load):
    """With layers of different shapes load_state_dict succeeds and the first step raises a
    RuntimeError."""
    assert load.values["shape_error"].startswith("RuntimeError: The size of tensor a")


@pytest.mark.claim("prac-load-by-name-hook")
def test_the_pre_hook_loads_by_name(load):
    """With the by_name pre-hook each parameter gets the moments saved under its own name, and the
    next step equals the original model's, bit for bit."""
    assert load.values["named"] == {name: name for name in load.values["named"]}
    assert load.values["named_error"] == ""
    assert load.values["same_step_by_name"] is True


@pytest.mark.claim("prac-checkpoint-size")
def test_an_optimizers_checkpoint_is_a_whole_number_of_models(size):
    """SGD saves only its hyperparameters; momentum, Adagrad and RMSprop one model's size; Adam,
    AdamW and NAdam two; amsgrad and centered RMSprop with momentum three, each to within
    SIZE_TOLERANCE; Adafactor a small fraction."""
    ratio, tolerance = size.values["ratio"], size.namespace["SIZE_TOLERANCE"]
    expected = {"SGD, momentum": 1, "Adagrad": 1, "RMSprop": 1, "Adam": 2, "AdamW": 2, "NAdam": 2,
                "Adam, amsgrad": 3, "RMSprop, centered + momentum": 3}
    for label, k in expected.items():
        assert abs(ratio[label] - k) < tolerance * k, label
    assert size.values["rows"][0]["KiB"] < 4 and ratio["SGD"] < tolerance
    assert ratio["Adafactor"] < 0.1
