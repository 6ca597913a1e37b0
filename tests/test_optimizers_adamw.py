"""The claims of docs/optimizers/adamw.md that are AdamW's own (the family's are in
test_optimizers_family.py)."""

import pytest
import torch


@pytest.mark.claim("adamw-is-adam-decoupled")
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
def test_adamw_is_adam_with_decoupled_weight_decay(snippet, dtype):
    """torch.optim.Adam with decoupled_weight_decay=True (and the same weight_decay) gives
    bit-identical iterates to torch.optim.AdamW in every one of the AdamW settings."""
    ns = snippet("optimizers/from_scratch").namespace
    weight_decay = torch.optim.AdamW([torch.zeros(1)]).defaults["weight_decay"]
    for options in ns["FAMILY"]["adamw"].settings:
        adamw = ns["run_torch"]("adamw", options, dtype)
        adam = ns["run_torch"]("adamw", {"weight_decay": weight_decay, **options, "decoupled_weight_decay": True},
                               dtype, optimizer=torch.optim.Adam)
        assert ns["max_difference"](adamw, adam) == 0.0, options


@pytest.mark.claim("adamw-decay-versus-l2")
def test_zero_gradient_adamw_decays_by_its_factor_and_adam_l2_ignores_lambda(snippet):
    """With a zero loss gradient AdamW brings theta to (1 - lr lambda)^T, up to rounding, for each
    weight_decay; Adam's L2 term brings it to one value for either: WEIGHT_DECAYS[1] /
    WEIGHT_DECAYS[0] times the weight decay, the same path, and a first step of lr up to eps."""
    ns = snippet("optimizers/adamw_decay").namespace
    lr, eps = ns["LR"], torch.optim.Adam([torch.zeros(1)]).defaults["eps"]
    assert lr == torch.optim.AdamW([torch.zeros(1)]).defaults["lr"]
    for wd, path in ns["runs"]["AdamW"].items():
        assert path == pytest.approx([(1 - lr * wd) ** t for t in range(ns["STEPS"] + 1)], rel=1e-12)
        assert ns["final"]["AdamW"][wd] == pytest.approx(ns["exact"][wd], rel=1e-12)
    small, large = (ns["runs"]["Adam"][wd] for wd in ns["WEIGHT_DECAYS"])
    assert ns["decay_ratio"] == ns["WEIGHT_DECAYS"][1] / ns["WEIGHT_DECAYS"][0]
    assert small == pytest.approx(large, abs=1e-6)  # the same path, up to eps
    for wd in ns["WEIGHT_DECAYS"]:
        assert ns["runs"]["Adam"][wd][1] == pytest.approx(1 - lr * wd / (wd + eps), rel=1e-12)  # g = wd * theta_0
