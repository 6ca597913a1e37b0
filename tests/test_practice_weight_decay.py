"""The claims of docs/practice/weight-decay.md, checked by running its snippet."""

import copy

import numpy as np
import pytest
import torch
from conftest import snippet_fixture


decay = snippet_fixture("practice/weight_decay_effective")


@pytest.mark.claim("prac-wd-adamw-exact")
def test_adamw_multiplies_each_decayed_weight_by_one_minus_lr_times_decay(decay):
    """torch's AdamW multiplies each decayed weight by exactly 1 - lr_t * weight_decay at every
    step, through the warmup and the cosine, and leaves the group without decay untouched: a step
    with weight decay and the same step from the same state without it differ by lr_t * λ * w."""
    ns = decay.namespace
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 8), torch.nn.ReLU(), torch.nn.Linear(8, 10)).double()
    weights, biases = [model[0].weight, model[2].weight], [model[0].bias, model[2].bias]
    optimizer = torch.optim.AdamW(
        [{"params": weights, "weight_decay": ns["WEIGHT_DECAY"]}, {"params": biases, "weight_decay": 0.0}], lr=ns["LR"]
    )
    scheduler = ns["schedule"](optimizer, steps=60)
    x, y = ns["DATA"][0][:256].double(), ns["DATA"][1][:256]
    for step in range(60):
        lr = optimizer.param_groups[0]["lr"]
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x[step % 8 :: 8]), y[step % 8 :: 8]).backward()
        twin_model = copy.deepcopy(model)
        for p, q in zip(model.parameters(), twin_model.parameters()):
            q.grad = p.grad.clone()
        twin = torch.optim.AdamW(
            [{"params": [twin_model[0].weight, twin_model[2].weight]}, {"params": [twin_model[0].bias, twin_model[2].bias]}]
        )
        twin.load_state_dict(copy.deepcopy(optimizer.state_dict()))  # state_dict() holds the live tensors
        for group in twin.param_groups:
            group["weight_decay"] = 0.0
        before = [p.detach().clone() for p in model.parameters()]
        optimizer.step()
        twin.step()
        for p, q, old in zip(model.parameters(), twin_model.parameters(), before):
            expected = lr * ns["WEIGHT_DECAY"] * old if p.dim() == 2 else torch.zeros_like(old)
            assert torch.allclose(q - p, expected, rtol=1e-9, atol=1e-15)
        scheduler.step()


@pytest.mark.claim("prac-wd-adam-ratio")
def test_adam_with_the_same_value_decays_far_more_and_unevenly(decay):
    """After the warmup Adam's median decay per step is between A and B times AdamW's, always more
    than RATIO_FLOOR times; at each step the 90th percentile decays between C and D times faster
    than the 10th (the ratio is 1 / (sqrt(v_hat) + eps), read from torch's state)."""
    ns, values = decay.namespace, decay.values
    low, high = values["ratio_range"]
    assert ns["RATIO_FLOOR"] < low <= high
    spread_low, spread_high = values["spread_range"]
    assert 1 < spread_low <= spread_high
    after = slice(ns["WARMUP"], ns["STEPS"])
    median = np.median(ns["adam_decay"], axis=1) / ns["adamw_decay"][:, 0]
    assert (float(median[after].min()), float(median[after].max())) == pytest.approx((low, high), rel=1e-12)


@pytest.mark.claim("prac-wd-same-value")
def test_adam_with_the_same_value_ends_smaller_and_less_accurate(decay):
    """With the same weight_decay, Adam ends with less than half AdamW's weight norm, and a lower
    held-out accuracy."""
    norms, accuracies = decay.values["norms"], decay.values["accuracies"]
    assert norms["Adam"] < 0.5 * norms["AdamW"]
    assert accuracies["Adam"] < accuracies["AdamW"]


@pytest.mark.claim("prac-wd-matching-value")
def test_a_matching_adam_value_tracks_adamw_in_the_median(decay):
    """Adam with AdamW's λ divided by the median ratio: its median decay per step stays within
    MATCH_FACTOR of AdamW's after the warmup, its weight norm within NORM_WINDOW and its held-out
    accuracy within ACCURACY_WINDOW of AdamW's."""
    ns, values = decay.namespace, decay.values
    low, high = values["matched_ratio_range"]
    assert 1 / ns["MATCH_FACTOR"] < low <= high < ns["MATCH_FACTOR"]
    norms, accuracies = values["norms"], values["accuracies"]
    assert abs(norms["Adam, matched"] - norms["AdamW"]) < ns["NORM_WINDOW"] * norms["AdamW"]
    assert abs(accuracies["Adam, matched"] - accuracies["AdamW"]) < ns["ACCURACY_WINDOW"]
    assert values["matching_decay"] == pytest.approx(ns["WEIGHT_DECAY"] / np.median(ns["median_ratio"][ns["WARMUP"] :]), rel=1e-12)
