"""The claims of docs/practice/starting-point.md, checked by running its snippet."""

import pytest
import torch
from conftest import snippet_fixture


sweep = snippet_fixture("practice/starting_point_lr_sweep")


@pytest.mark.claim("prac-start-adam-default")
def test_adams_default_learning_rate_is_below_its_best_here(sweep):
    """Adam's default lr (1e-3) is not its best here: the best of the sweep is at a larger rate,
    and the default's held-out accuracy is lower by more than WINDOW."""
    ns, values = sweep.namespace, sweep.values
    assert values["ADAM_DEFAULT_LR"] == 1e-3 == torch.optim.Adam([torch.zeros(1, requires_grad=True)]).defaults["lr"]
    assert values["best_lr"]["Adam"] > values["ADAM_DEFAULT_LR"]
    assert values["adam_default_gap"] > ns["WINDOW"]


@pytest.mark.claim("prac-start-window")
def test_the_good_window_is_at_most_a_decade_and_depends_on_the_optimizer(sweep):
    """The rates within WINDOW of each optimizer's best span at most a factor of ten; SGD with
    momentum's best rate is above Adam's; the best accuracies are within WINDOW of each other; past
    the window the runs fail (below FAILED)."""
    ns, values = sweep.namespace, sweep.values
    assert all(span <= 10 * (1 + 1e-3) for span in values["good_span"].values())
    assert values["best_lr"]["SGD + momentum"] > values["best_lr"]["Adam"]
    assert values["best_spread"] < ns["WINDOW"]
    assert values["failed_from"]["Adam"] == values["failed_from"]["AdamW"]
    lrs = ns["LRS"]
    for name, found in values["accuracy"].items():
        failed = values["failed_from"][name]
        assert all(a < ns["FAILED"] for lr, a in zip(lrs, found) if lr >= failed), name
