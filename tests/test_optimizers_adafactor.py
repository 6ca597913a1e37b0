"""The claims of docs/optimizers/adafactor.md that are Adafactor's own (the from-scratch match is
in test_optimizers_family.py)."""

import ast

import pytest
import torch


@pytest.mark.claim("adafactor-defaults-and-state")
def test_factored_state_for_matrices_full_for_vectors_no_first_moment(snippet):
    """A matrix gets a column of row means row_var and a row of column means col_var; a vector gets
    a full variance of its own shape; a three-dimensional tensor gets factors over its last two
    dimensions. Each also has a 0-dimensional float32 step, and none has a first moment."""
    v = snippet("optimizers/state").values
    rows = v["rows"]["adafactor"]
    state = {variant: {row["key"]: row for row in rows if row["variant"] == variant} for variant in ("default", "vector", "3-d")}
    n, m = v["SHAPE"]
    assert set(state["default"]) == {"step", "row_var", "col_var"}
    assert (state["default"]["row_var"]["shape"], state["default"]["col_var"]["shape"]) == (f"{n} × 1", f"1 × {m}")
    assert set(state["vector"]) == {"step", "variance"}
    assert state["vector"]["variance"]["shape"] == str(v["VARIANTS"]["Adafactor"]["vector"][1][0])
    a, b, c = v["VARIANTS"]["Adafactor"]["3-d"][1]
    assert (state["3-d"]["row_var"]["shape"], state["3-d"]["col_var"]["shape"]) == (f"{a} × {b} × 1", f"{a} × 1 × {c}")
    for entries in state.values():
        assert (entries["step"]["shape"], entries["step"]["float32"], entries["step"]["float64"]) == ("scalar", "float32", "float32")
        assert all(row["float64"] == "float64" for key, row in entries.items() if key != "step")
    assert v["per_element"]["adafactor"]["default"] == 4 * (n + m) / (n * m) < v["per_element"]["adam"]["default"]


@pytest.mark.claim("adafactor-docstring-weight-decay")
def test_signature_default_weight_decay_is_not_the_docstrings(snippet):
    """The signature's default weight_decay is what a default-constructed optimizer uses; the
    docstring states another."""
    v = snippet("optimizers/state").values
    row = next(row for row in v["default_rows"]["adafactor"] if row["argument"] == "weight_decay")
    assert row["default"] == v["defaults"]["adafactor"]["weight_decay"] == 0.0
    assert torch.optim.Adafactor([torch.zeros(2, requires_grad=True)]).defaults["weight_decay"] == row["default"]
    assert ast.literal_eval(row["docstring"]) != row["default"]


@pytest.mark.claim("adafactor-rank-one-exact")
def test_factored_estimate_is_exact_for_a_rank_one_square(snippet):
    """In torch's first step on a gradient whose square is an outer product the estimate equals G^2
    to within TOLERANCE relative, and the update is alpha_1 sign(G) to within the same; for a
    gradient of independent random entries some entries are off by more than FAR."""
    ns = snippet("optimizers/adafactor_factors").namespace
    assert ns["rank_one_error"] < ns["TOLERANCE"] and ns["update_error"] < ns["TOLERANCE"]
    assert ns["random_off"] > 0 and ns["entries"] == ns["ROWS"] * ns["COLS"]
    assert ns["beta2"][1] == 0 and all(0 < ns["beta2"][t] < 1 for t in ns["SHOWN"][1:])  # 1 - t^tau from 0 up
    assert ns["steps_at_lr"] ** -0.5 == pytest.approx(ns["defaults"]["lr"])


@pytest.mark.claim("adafactor-memory")
def test_square_matrix_state_grows_with_n_not_n_squared(snippet):
    """For an n x n float32 matrix Adafactor keeps 4 * 2n + 4 bytes of state and Adam 8 n^2 + 4:
    for the largest n, over a thousand times less."""
    memory = snippet("optimizers/adafactor_scaling").namespace["memory"]
    for n, (adam, factored) in memory.items():
        assert adam == 8 * n * n + 4 and factored == 4 * (n + n) + 4
    assert memory[max(memory)][0] / memory[max(memory)][1] > 1000


@pytest.mark.claim("adafactor-relative-step")
def test_first_step_is_lr_times_the_parameters_rms_but_at_least_eps2(snippet):
    """The first step of Adafactor moves a vector by max(eps2, RMS(theta)) * lr in RMS, whatever the
    gradient, where Adam with the same lr moves every one of them by lr; a parameter at zero needs
    eps2 / (eps2 lr) = 1 / lr such steps to reach an RMS of eps2."""
    ns = snippet("optimizers/adafactor_scaling").namespace
    lr, eps2 = ns["LR"], ns["EPS2"]
    for scale, moved in ns["steps_rms"].items():
        assert moved["adafactor"] == pytest.approx(max(eps2, scale) * lr, rel=1e-9)
        assert ns["first_step"](torch.optim.Adafactor, scale, seed=3) == pytest.approx(moved["adafactor"], rel=1e-9)
        assert moved["adam"] == pytest.approx(lr, rel=1e-6)
    assert ns["steps_to_eps2"] == pytest.approx(1 / lr)
