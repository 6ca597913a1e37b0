"""The claims of docs/optimizers/sparseadam.md that are SparseAdam's own (the family's are in
test_optimizers_family.py)."""

import pytest
import torch


@pytest.mark.claim("sparseadam-gradient-layout-errors")
def test_sparseadam_takes_only_sparse_gradients_and_adam_only_dense_ones(snippet):
    """SparseAdam.step() on the gradient of an ordinary nn.Embedding raises a RuntimeError, and so
    does Adam.step() on a sparse one; SparseAdam on a sparse gradient raises nothing."""
    ns = snippet("optimizers/sparseadam_layout").namespace
    dense, sparse = ns["error_of"](torch.optim.SparseAdam, sparse=False), ns["error_of"](torch.optim.Adam, sparse=True)
    assert isinstance(dense, RuntimeError) and "dense gradients" in str(dense)
    assert isinstance(sparse, RuntimeError) and "sparse gradients" in str(sparse)
    assert ns["errors"] == {"sparseadam_dense": f"RuntimeError: {dense}", "adam_sparse": f"RuntimeError: {sparse}"}
    assert ns["accepted"]


@pytest.mark.claim("sparseadam-is-adam")
def test_with_every_row_in_every_step_sparseadam_is_adam_up_to_eps(snippet):
    """With every row in every step and a negligible eps, SparseAdam and Adam agree within TOLERANCE;
    with the default eps they differ by more, only because eps enters at a different place."""
    ns = snippet("optimizers/sparseadam_layout").namespace
    assert ns["default_eps"] == torch.optim.Adam([torch.zeros(1)]).defaults["eps"]
    assert ns["gaps"]["tiny"] < ns["TOLERANCE"] < ns["gaps"]["default"]


@pytest.mark.claim("sparseadam-absent-rows-stand-still")
def test_an_absent_row_stands_still_under_sparseadam_and_moves_under_adam(snippet):
    """After its last lookup the row stays where it is, bit for bit, under SparseAdam for the
    remaining steps, while Adam keeps moving it on gradients that are all zero; the two agree while
    the row is looked up."""
    ns = snippet("optimizers/sparseadam_lazy").namespace
    adam, lazy, k = ns["adam"], ns["lazy"], ns["PRESENT_UNTIL"]
    assert adam[: k + 1] == pytest.approx(lazy[: k + 1], abs=1e-6)
    assert lazy[k:] == [lazy[k]] * (ns["remaining"] + 1) and ns["remaining"] == ns["STEPS"] - k
    assert all(after < before for before, after in zip(adam[k:], adam[k + 1:]))


@pytest.mark.claim("sparseadam-first-update-depends-on-step")
def test_a_rows_first_update_follows_the_tables_bias_corrections(snippet):
    """A row first looked up at step k gets a first update of
    lr sqrt(1 - beta2^k) / (1 - beta1^k) (1 - beta1) / sqrt(1 - beta2), torch measured against the
    formula; it is lr at k = 1, below lr for a while, and tends to (1 - beta1) / sqrt(1 - beta2) lr."""
    ns = snippet("optimizers/sparseadam_lazy").namespace
    assert ns["BETAS"] == torch.optim.SparseAdam([torch.zeros(1)]).defaults["betas"]
    for k, value in ns["measured"].items():
        assert value == pytest.approx(ns["formula"][k], rel=1e-6)
    assert ns["formula"][1] == pytest.approx(1, rel=1e-9) and ns["smallest"] < 1 < ns["formula"][ns["LATE"][0]]
    assert ns["formula"][ns["LATE"][-1]] == pytest.approx(ns["limit"], rel=1e-4) and ns["limit"] > 1
