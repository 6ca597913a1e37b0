"""The claims of docs/practice/clipping.md, checked by running its snippet."""

import pytest
import torch
from conftest import snippet_fixture


spikes = snippet_fixture("practice/clipping_spikes")


@pytest.mark.claim("prac-clip-norm-keeps-direction")
def test_norm_clipping_keeps_the_direction_and_value_clipping_does_not(spikes):
    """At the spike, clip_grad_norm_ returns the norm before clipping and keeps the direction
    (cosine 1 to within DIRECTION_TOLERANCE); clip_grad_value_ turns it (cosine well below 1)."""
    ns, values = spikes.namespace, spikes.values
    assert values["spike_grad_norm"] > 100 * values["typical_grad_norm"]
    assert abs(values["spike_cosine"]["norm"] - 1) < ns["DIRECTION_TOLERANCE"]
    assert values["spike_cosine"]["value"] < 0.9
    # torch: the returned norm is the total norm before clipping, and the gradients end at max_norm
    torch.manual_seed(0)
    layers = [torch.nn.Parameter(torch.randn(5, 3)), torch.nn.Parameter(torch.randn(4))]
    for p in layers:
        p.grad = 100 * torch.randn_like(p)
    before = torch.cat([p.grad.flatten() for p in layers])
    returned = torch.nn.utils.clip_grad_norm_(layers, 1.0)
    after = torch.cat([p.grad.flatten() for p in layers])
    assert returned.item() == pytest.approx(before.norm().item(), rel=1e-6)
    assert after.norm().item() == pytest.approx(1.0, rel=1e-5)
    assert torch.nn.functional.cosine_similarity(before, after, dim=0).item() == pytest.approx(1, abs=1e-6)


@pytest.mark.claim("prac-clip-sgd")
def test_unclipped_sgd_is_thrown_off_by_the_spike_and_norm_clipping_saves_it(spikes):
    """Unclipped, SGD's spike step is many times its typical step, the loss jumps and is still far
    above the run without spikes at the end; with clip_grad_norm_ the final loss is within a
    factor RECOVERED of that run."""
    ns, values = spikes.namespace, spikes.values
    assert values["spike_step_ratio"]["SGD"] > 50
    assert values["result"]["SGD, none"]["loss after spike"] > 10 * values["result"]["SGD, norm"]["loss after spike"]
    assert values["final_loss_ratio"]["SGD, none"] > 10
    assert values["final_loss_ratio"]["SGD, norm"] < ns["RECOVERED"]


@pytest.mark.claim("prac-clip-adam")
def test_adams_step_is_bounded_anyway_but_the_spike_stays_in_its_averages(spikes):
    """Unclipped, Adam's spike step is only a few times its typical step, its steps after the spike
    are larger than in the run without spikes, and its final loss is several times that run's;
    with clip_grad_norm_ the final loss is within a factor RECOVERED."""
    ns, values = spikes.namespace, spikes.values
    assert 1 < values["spike_step_ratio"]["Adam"] < 5
    assert values["result"]["Adam, none"]["steps after, mean"] > values["calm_step"]["Adam"]
    assert values["final_loss_ratio"]["Adam, none"] > 2
    assert values["final_loss_ratio"]["Adam, norm"] < ns["RECOVERED"]
