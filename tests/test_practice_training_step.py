"""The claims of docs/practice/training-step.md, checked by running its snippets."""

import inspect

import pytest
import torch
from conftest import snippet_fixture


zero_grad = snippet_fixture("practice/training_step_zero_grad")
order = snippet_fixture("practice/training_step_scheduler_order")
accumulation = snippet_fixture("practice/training_step_accumulation")


@pytest.mark.claim("prac-zero-grad-default")
def test_zero_grad_sets_gradients_to_none_by_default(zero_grad):
    """In torch 2.13 Optimizer.zero_grad() has set_to_none=True by default: every p.grad is None
    until the next backward()."""
    assert zero_grad.values["SET_TO_NONE_DEFAULT"] is True
    assert inspect.signature(torch.optim.Optimizer.zero_grad).parameters["set_to_none"].default is True
    model = torch.nn.Linear(3, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model(torch.ones(1, 3)).sum().backward()
    optimizer.zero_grad()
    assert all(p.grad is None for p in model.parameters())


@pytest.mark.claim("prac-zero-grad-unused-branch")
def test_adam_skips_none_gradients_and_keeps_moving_zero_ones(zero_grad):
    """With set_to_none=True Adam does not move the unused branch after the first step; with
    set_to_none=False it keeps moving it on the first step's momentum, in every later step."""
    moves = zero_grad.values["moves"]
    assert moves["None"][0] > 0 and moves["zero"][0] > 0
    assert moves["None"][1:] == [0.0] * (len(moves["None"]) - 1)
    assert all(move > 0 for move in moves["zero"][1:])
    assert moves == {"None": zero_grad.namespace["unused_branch_moves"](True), "zero": zero_grad.namespace["unused_branch_moves"](False)}


@pytest.mark.claim("prac-zero-grad-breaks-readers")
def test_code_that_reads_or_adds_to_grad_fails_after_zero_grad(zero_grad):
    """Reading .grad's norm raises AttributeError and p.grad += g raises TypeError after
    zero_grad(); both run when the code checks for None first, or with set_to_none=False."""
    errors = zero_grad.values["errors"]
    assert errors["read_norm"] == "AttributeError: 'NoneType' object has no attribute 'norm'"
    assert errors["add_in_place"].startswith("TypeError: unsupported operand type(s) for +=: 'NoneType'")
    assert errors["add_if_present"] == ""
    assert errors["add_in_place, set_to_none=False"] == ""


@pytest.mark.claim("prac-order-warning")
def test_scheduler_first_warns_once_at_the_first_call(order):
    """In the right order torch raises no warning; with scheduler.step() first exactly one
    UserWarning, at the first call, and never again."""
    ns = order.namespace
    assert ns["right_warnings"] == []
    [(step, category, message)] = ns["wrong_warnings"]
    assert (step, category) == (0, "UserWarning")
    assert message.startswith("Detected call of `lr_scheduler.step()` before `optimizer.step()`.")
    assert "skipping the first value of the learning rate schedule" in message
    assert order.values["warning_message"] == message


@pytest.mark.claim("prac-order-skips-first-lr")
def test_scheduler_first_uses_every_rate_one_step_early(order):
    """Each optimizer.step() uses the rate meant for the next step: the first, smallest warmup
    value is never used, and the warmup is one step shorter."""
    right, wrong = order.values["right"], order.values["wrong"]
    ns = order.namespace
    assert right[0] == pytest.approx(ns["LR"] * ns["START_FACTOR"], rel=1e-12)
    assert wrong[:-1] == right[1:]
    assert right[0] not in wrong and min(wrong) > right[0]
    top = max(right)
    assert wrong.index(top) == right.index(top) - 1


@pytest.mark.claim("prac-accum-matches")
def test_accumulation_with_loss_over_k_matches_the_large_batch_to_rounding(accumulation):
    """Loss / k with equal micro-batches, the same with LayerNorm, and unequal micro-batches with
    each loss times n_i / N: the final weights stay within FLOAT32_TOLERANCE (float32) and
    FLOAT64_TOLERANCE (float64) of the distance moved."""
    ns, sgd = accumulation.namespace, accumulation.values["sgd"]
    for name in ("loss / k", "loss / k, LayerNorm", "unequal sizes, loss * n_i / N"):
        assert sgd["float32"][name] < ns["FLOAT32_TOLERANCE"], name
        assert sgd["float64"][name] < ns["FLOAT64_TOLERANCE"], name


@pytest.mark.claim("prac-accum-unscaled-sgd")
def test_unscaled_accumulation_is_sgd_at_k_times_the_learning_rate(accumulation):
    """Without 1/k, SGD's run is the large-batch run at k times the learning rate (to within
    FLOAT32_TOLERANCE of the distance moved), and far from the run that was meant."""
    ns = accumulation.namespace
    unscaled = ns["train"](ns["EQUAL"], ns["one"])
    at_k_times_lr = ns["train"]((ns["BATCH"],), ns["one"], lr=ns["K"] * ns["LR"])
    assert ns["difference"](unscaled, at_k_times_lr) < ns["FLOAT32_TOLERANCE"]
    assert accumulation.values["sgd"]["float32"]["loss not scaled"] > 1


@pytest.mark.claim("prac-accum-unscaled-adam")
def test_adam_hardly_notices_the_missing_one_over_k(accumulation):
    """Adam's final weights with the loss not divided by k differ by under ADAM_TOLERANCE of the
    distance moved."""
    assert 0 < accumulation.values["adam_not_scaled"] < accumulation.namespace["ADAM_TOLERANCE"]


@pytest.mark.claim("prac-accum-unequal-sizes")
def test_unequal_micro_batches_need_weights_n_i_over_n(accumulation):
    """Micro-batches of unequal size with each loss divided by k end far from the large batch;
    weighting each loss by n_i / N brings them back to rounding."""
    ns, sgd = accumulation.namespace, accumulation.values["sgd"]
    assert sum(ns["UNEQUAL"]) == ns["BATCH"] and len(set(ns["UNEQUAL"])) > 1
    assert sgd["float32"]["unequal sizes, loss / k"] > 1000 * ns["FLOAT32_TOLERANCE"]
    assert sgd["float32"]["unequal sizes, loss * n_i / N"] < ns["FLOAT32_TOLERANCE"]


@pytest.mark.claim("prac-accum-batchnorm")
def test_batchnorm_accumulation_differs_by_the_same_amount_in_both_precisions(accumulation):
    """With BatchNorm the weights end far from the large batch's, by the same fraction in float32
    and float64 (to within PRECISIONS_AGREE): not rounding."""
    ns, sgd = accumulation.namespace, accumulation.values["sgd"]
    gap32, gap64 = sgd["float32"]["loss / k, BatchNorm"], sgd["float64"]["loss / k, BatchNorm"]
    assert gap32 > 1000 * ns["FLOAT32_TOLERANCE"]
    assert abs(gap32 - gap64) / gap64 < ns["PRECISIONS_AGREE"]


@pytest.mark.claim("prac-accum-batchnorm-running-stats")
def test_batchnorm_counts_every_micro_batch(accumulation):
    """BatchNorm's running statistics are updated k times per accumulated step: after one step,
    num_batches_tracked is k."""
    ns = accumulation.namespace
    model = ns["network"]("BatchNorm")
    x = torch.tensor(ns["IMAGES"][: ns["BATCH"]] / 16, dtype=torch.float32)
    y = torch.tensor(ns["LABELS"][: ns["BATCH"]])
    for micro_x, micro_y in zip(x.split(list(ns["EQUAL"])), y.split(list(ns["EQUAL"]))):
        (torch.nn.functional.cross_entropy(model(micro_x), micro_y) / ns["K"]).backward()
    assert model[1].num_batches_tracked.item() == ns["K"]
