"""The claims of docs/practice/averaging.md, checked by running its snippet."""

import copy

import pytest
import torch
from torch.optim import swa_utils
from conftest import snippet_fixture


swa = snippet_fixture("practice/averaging_swa")


def snapshots(count=4):
    """A small model and `count` random sets of its parameters, applied one after the other."""
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    sets = [[torch.randn_like(p) for p in model.parameters()] for _ in range(count)]
    return model, sets


@pytest.mark.claim("prac-avg-formulas")
def test_averaged_model_is_the_mean_or_the_ema_of_what_it_was_given():
    """The default average is the plain mean of the parameters given to update_parameters (the
    first call copies them); with get_ema_multi_avg_fn(decay), decay * average + (1 - decay) * w."""
    model, sets = snapshots()
    mean = swa_utils.AveragedModel(model)
    decay = 0.9
    ema = swa_utils.AveragedModel(model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(decay))
    expected_ema = None
    for values in sets:
        with torch.no_grad():
            for p, v in zip(model.parameters(), values):
                p.copy_(v)
        mean.update_parameters(model)
        ema.update_parameters(model)
        expected_ema = [v.clone() for v in values] if expected_ema is None else [
            decay * e + (1 - decay) * v for e, v in zip(expected_ema, values)
        ]
    for p, *values in zip(mean.module.parameters(), *sets):
        assert torch.allclose(p, torch.stack(values).mean(dim=0), rtol=1e-6, atol=1e-7)
    for p, e in zip(ema.module.parameters(), expected_ema):
        assert torch.allclose(p, e, rtol=1e-6, atol=1e-7)


@pytest.mark.claim("prac-avg-buffers")
def test_without_use_buffers_the_statistics_are_the_last_models(swa):
    """Without use_buffers, the averaged model's BatchNorm buffers are the last model's, bit for bit;
    with use_buffers=True they are averaged, and differ."""
    for seed, (_, averages) in swa.namespace["runs"].items():
        model_buffers = list(averages["model"].buffers())
        assert all(torch.equal(a, b) for a, b in zip(averages["SWA"].module.buffers(), model_buffers)), seed
        averaged = list(averages["SWA, use_buffers"].module.buffers())
        assert not torch.equal(averaged[0], model_buffers[0]), seed  # running_mean


@pytest.mark.claim("prac-avg-update-bn-average")
def test_update_bn_averages_the_batch_statistics_one_batch_one_vote(swa):
    """update_bn resets the statistics and, with momentum None, makes the running mean the average
    of the batch means: the mean over the data only when all batches have the same size."""
    ns = swa.namespace
    averaged = ns["runs"][0][1]["SWA"]
    recomputed = ns["with_update_bn"](averaged)
    batches = ns["X_TRAIN"].split(ns["BATCH"])
    assert len(batches[-1]) != len(batches[0])  # a shorter last batch
    with torch.no_grad():
        inputs = [recomputed.module[0](batch) for batch in batches]
    batch_means = torch.stack([features.mean(dim=0) for features in inputs]).mean(dim=0)
    data_mean = torch.cat(inputs).mean(dim=0)
    running_mean = recomputed.module[1].running_mean
    assert torch.allclose(running_mean, batch_means, rtol=1e-5, atol=1e-6)
    assert not torch.allclose(running_mean, data_mean, rtol=1e-5, atol=1e-6)
    assert recomputed.module[1].momentum == averaged.module[1].momentum  # restored after the pass


@pytest.mark.claim("prac-avg-update-bn-gain")
def test_skipping_update_bn_costs_accuracy_at_the_high_learning_rate(swa):
    """At LR, update_bn gains accuracy on every seed and at least MIN_MEAN_GAIN on average; without
    it SWA is worse than the last model on average, with it better."""
    ns, values = swa.namespace, swa.values
    assert all(gain > 0 for gain in values["update_bn_gain"])
    assert values["mean_update_bn_gain"] >= ns["MIN_MEAN_GAIN"]
    mean = values["mean_accuracy"]
    assert mean["SWA, no update_bn"] < mean["last model"] < mean["SWA + update_bn"]


@pytest.mark.claim("prac-avg-use-buffers")
def test_use_buffers_lands_close_to_update_bn(swa):
    """With use_buffers=True the accuracy is within USE_BUFFERS_WINDOW of update_bn's on every seed."""
    window = swa.namespace["USE_BUFFERS_WINDOW"]
    assert all(abs(gap) < window for gap in swa.values["use_buffers_gap"])


@pytest.mark.claim("prac-avg-gentle-lr")
def test_at_the_gentle_learning_rate_update_bn_matters_little(swa):
    """At GENTLE_LR the mean gain from update_bn is under GENTLE_BOUND."""
    assert abs(swa.values["gentle_mean_update_bn_gain"]) < swa.namespace["GENTLE_BOUND"]


@pytest.mark.claim("prac-avg-update-bn-pairs")
def test_update_bn_reads_the_first_element_of_each_batch(swa):
    """update_bn accepts a loader of (x, y) pairs and uses x: the statistics equal those from x alone."""
    ns = swa.namespace
    averaged = ns["runs"][0][1]["SWA"]
    from_inputs = ns["with_update_bn"](averaged)
    from_pairs = copy.deepcopy(averaged)
    swa_utils.update_bn(list(zip(ns["X_TRAIN"].split(ns["BATCH"]), ns["Y_TRAIN"].split(ns["BATCH"]))), from_pairs)
    for a, b in zip(from_inputs.module.buffers(), from_pairs.module.buffers()):
        assert torch.equal(a, b)
