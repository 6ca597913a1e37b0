"""The claims of docs/optimizers/sparseadam.md, checked by running its snippets."""

import pytest
import torch


@pytest.fixture(scope="module")
def anatomy(snippet):
    return snippet("optimizers/sparseadam")


@pytest.fixture(scope="module")
def lazy(snippet):
    return snippet("optimizers/sparseadam_lazy")


@pytest.mark.claim("sparseadam-defaults-and-state")
def test_sparseadam_has_no_weight_decay_and_keeps_dense_moments_of_the_whole_table(anatomy):
    defaults = anatomy.namespace["defaults"](torch.optim.SparseAdam)
    assert defaults == {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "maximize": False}
    embedding = torch.nn.Embedding(10, 3, sparse=True)
    optimizer = torch.optim.SparseAdam(embedding.parameters())
    embedding(torch.tensor([1, 3, 3])).sum().backward()
    assert embedding.weight.grad.is_sparse
    assert embedding.weight.grad.coalesce().indices()[0].tolist() == [1, 3]
    optimizer.step()
    state = optimizer.state[embedding.weight]
    assert set(state) == {"step", "exp_avg", "exp_avg_sq"}
    assert state["step"] == 1 and type(state["step"]) is int
    for name in ("exp_avg", "exp_avg_sq"):
        assert state[name].shape == (10, 3) and state[name].dtype == torch.float32 and state[name].layout == torch.strided
    assert "bytes per table element: 8" in anatomy.output


@pytest.mark.claim("sparseadam-gradient-layout-errors")
def test_sparseadam_rejects_dense_gradients_and_adam_rejects_sparse_ones(anatomy):
    error_of = anatomy.namespace["error_of"]
    dense = error_of(torch.optim.SparseAdam, sparse=False)
    assert isinstance(dense, RuntimeError)
    assert str(dense) == "SparseAdam does not support dense gradients, please consider Adam instead"
    sparse = error_of(torch.optim.Adam, sparse=True)
    assert isinstance(sparse, RuntimeError)
    assert str(sparse) == "Adam does not support sparse gradients, please consider SparseAdam instead"
    assert error_of(torch.optim.SparseAdam, sparse=True) is None
    assert str(dense) in anatomy.output and str(sparse) in anatomy.output


@pytest.mark.claim("sparseadam-matches-torch")
def test_from_scratch_sparseadam_matches_torch_within_1e_15_for_20_steps_in_four_settings(anatomy):
    ns = anatomy.namespace
    assert len(ns["SETTINGS"]) == 4 and len(ns["BATCHES"]) == 20
    for indices in ns["BATCHES"]:
        assert len(set(indices.tolist())) < ns["ROWS"]  # every step leaves rows out
    for setting in ns["SETTINGS"]:
        ours = ns["sparse_adam"](ns["TABLE0"], ns["BATCHES"], **setting)
        theirs = ns["torch_iterates"](ns["TABLE0"], ns["BATCHES"], **setting)
        assert ns["max_difference"](ours, theirs) < 1e-15
        assert (theirs[-1] - theirs[0]).abs().max() > 5e-3  # the table really moved


@pytest.mark.claim("sparseadam-is-adam")
def test_with_every_row_every_step_sparseadam_equals_adam_up_to_where_eps_enters(anatomy):
    ns = anatomy.namespace
    every_row = [torch.arange(ns["ROWS"])] * 20

    def gap(eps):
        return ns["max_difference"](
            ns["torch_iterates"](ns["TABLE0"], every_row, eps=eps),
            ns["torch_iterates"](ns["TABLE0"], every_row, cls=torch.optim.Adam, sparse=False, eps=eps),
        )

    assert gap(1e-30) < 1e-15
    assert 1e-8 < gap(1e-8) < 5e-8


@pytest.mark.claim("sparseadam-absent-rows-stand-still")
def test_after_its_last_lookup_row_0_stays_at_1_0246_under_sparseadam_but_adam_moves_it_to_0_179(lazy):
    ns = lazy.namespace
    adam = ns["row_path"](torch.optim.Adam, sparse=False)
    sparse = ns["row_path"](torch.optim.SparseAdam, sparse=True)
    assert adam[:11] == pytest.approx(sparse[:11], abs=1e-6)  # same while the row is looked up
    assert sparse[10] == pytest.approx(1.0246, abs=1e-4)
    assert sparse[10:] == [sparse[10]] * 31  # bit for bit unchanged from step 10 to 40
    assert adam[-1] == pytest.approx(0.1788, abs=1e-4)
    assert all(after < before for before, after in zip(adam[10:], adam[11:]))


@pytest.mark.claim("sparseadam-first-update-depends-on-step")
def test_first_update_of_a_new_row_is_1_then_0_48_at_step_10_0_98_at_100_2_51_at_1000_up_to_3_16_lr(lazy):
    ns = lazy.namespace
    measured = {k: ns["first_update"](k) / 1e-3 for k in (1, 10, 100)}
    assert measured == pytest.approx({1: 1.0, 10: 0.4844, 100: 0.9758}, abs=1e-4)
    for k in ns["FIRST_SEEN"]:
        assert ns["first_update"](k) == pytest.approx(ns["first_update_formula"](k), rel=1e-6)
    assert ns["first_update_formula"](1000) / 1e-3 == pytest.approx(2.5146, abs=1e-4)
    assert ns["first_update_formula"](10**5) / 1e-3 == pytest.approx(0.1 / 0.001**0.5, rel=1e-9)
    assert 0.1 / 0.001**0.5 == pytest.approx(3.1623, abs=1e-4)
    smallest, where = min((ns["first_update_formula"](k) / 1e-3, k) for k in range(1, 1000))
    assert round(smallest, 2) == 0.48 and where == 12  # the figure's minimum
