"""The claims of docs/optimizers/rmsprop.md that are RMSprop's own (the family's are in
test_optimizers_family.py)."""

import pytest


def steps(snippet):
    return snippet("optimizers/rmsprop_steps").namespace


@pytest.mark.claim("rmsprop-first-steps-large")
def test_plain_rmsprop_starts_large_and_nears_lr_only_slowly(snippet):
    """Under a constant gradient plain RMSprop moves by 1 / sqrt(1 - alpha^t) lr: its first step is
    that large, it is still above lr at step SHOWN[2], and it stays within WITHIN of lr only from
    the quoted step on."""
    ns = steps(snippet)
    sizes, alpha = ns["runs"]["plain"], ns["ALPHA"]
    for t in ns["SHOWN"]:
        assert sizes[t - 1] == pytest.approx(1 / (1 - alpha**t) ** 0.5, rel=1e-6)
        assert ns["at"]["plain"][t] == sizes[t - 1]
    assert ns["at"]["plain"][ns["SHOWN"][2]] > 1 + ns["WITHIN"]
    t = ns["close_from"]
    assert abs(sizes[t - 2] - 1) > ns["WITHIN"] and all(abs(size - 1) <= ns["WITHIN"] for size in sizes[t - 1:])


@pytest.mark.claim("rmsprop-centered-explodes")
def test_centered_rmsprop_never_falls_below_two_lr_and_then_grows(snippet):
    """Centered RMSprop moves by 1 / sqrt((1 - alpha^t) alpha^t) lr: never below 2 lr, smallest
    where alpha^t = 1/2, and growing without bound after that."""
    ns = steps(snippet)
    sizes, alpha = ns["runs"]["centered"], ns["ALPHA"]
    for t in ns["SHOWN"]:
        assert sizes[t - 1] == pytest.approx(1 / ((1 - alpha**t) * alpha**t) ** 0.5, rel=1e-3)
    low = ns["lowest"]["centered"]
    assert ns["smallest"]["centered"] == min(sizes) == pytest.approx(2, rel=1e-6)
    assert abs(alpha**low - 0.5) < abs(alpha ** (low + 1) - 0.5) and abs(alpha**low - 0.5) < abs(alpha ** (low - 1) - 0.5)
    assert all(b > a for a, b in zip(sizes[low:], sizes[low + 1:]))


@pytest.mark.claim("rmsprop-momentum-ten-lr")
def test_rmsprop_momentum_settles_at_one_over_one_minus_mu(snippet):
    """With momentum mu the step peaks and then settles at 1 / (1 - mu) times the plain step."""
    ns = steps(snippet)
    sizes, mu = ns["runs"]["momentum"], ns["VARIANTS"]["momentum"]["momentum"]
    assert ns["largest"]["momentum"] == max(sizes) == sizes[ns["peak"]["momentum"] - 1] > 1 / (1 - mu)
    assert sizes[-1] == pytest.approx(ns["runs"]["plain"][-1] / (1 - mu), rel=1e-6)
