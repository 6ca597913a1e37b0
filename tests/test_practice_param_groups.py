"""The claims of docs/practice/param-groups.md, checked by running its snippets."""

import pytest
import torch
from conftest import snippet_fixture


no_decay = snippet_fixture("practice/param_groups_no_decay")
per_layer = snippet_fixture("practice/param_groups_per_layer")
add_group = snippet_fixture("practice/param_groups_add_group")
manual_lr = snippet_fixture("practice/param_groups_manual_lr")


LINEAR_WEIGHTS = ["embed.weight", "head.weight", "hidden.weight"]


@pytest.mark.claim("prac-groups-by-name-misses")
def test_the_name_list_misses_batchnorm_and_the_module_type_rule_does_not(no_decay):
    """By name, bn.weight keeps its weight decay (the list matches LayerNorm.weight by the
    attribute's name); by module type only the weights of the three Linear layers are decayed."""
    decays = no_decay.values["decays"]
    assert decays["by name"]["bn.weight"] == no_decay.namespace["WEIGHT_DECAY"]
    assert decays["by name"]["LayerNorm.weight"] == 0
    assert no_decay.values["decayed"]["by name"] == sorted(LINEAR_WEIGHTS + ["bn.weight"])
    assert no_decay.values["decayed"]["by type"] == LINEAR_WEIGHTS
    assert no_decay.values["in_no_group"]["by type"] == []


@pytest.mark.claim("prac-groups-forgotten-norms")
def test_a_forgotten_parameter_is_never_trained_and_no_error_is_raised(no_decay):
    """The filter that forgets the normalization weights is accepted, and after the training
    steps those weights are exactly their initial ones."""
    assert no_decay.values["in_no_group"]["forgets norms"] == ["LayerNorm.weight", "bn.weight"]
    assert no_decay.values["norm_weight_moved"]["forgets norms"] == 0.0
    assert no_decay.values["each_once"]["forgets norms"] is False
    assert all(no_decay.values["norm_weight_moved"][label] > 0 for label in ("by name", "by type", "misspelled key"))
    assert all(no_decay.values["each_once"][label] for label in ("by name", "by type", "misspelled key"))


@pytest.mark.claim("prac-groups-duplicate")
def test_a_parameter_in_two_groups_is_refused(no_decay):
    """torch refuses a parameter that is in two groups with a ValueError."""
    assert no_decay.values["duplicate_message"] == "some parameters appear in more than one parameter group"
    shared = torch.nn.Parameter(torch.zeros(1))
    with pytest.raises(ValueError, match="more than one parameter group"):
        torch.optim.SGD([{"params": [shared]}, {"params": [shared]}], lr=0.1)


@pytest.mark.claim("prac-groups-misspelled-key")
def test_a_misspelled_key_is_kept_and_the_default_weight_decay_applies(no_decay):
    """A group with weight_decay_rate instead of weight_decay keeps the unknown key and gets
    AdamW's default weight_decay (0.01): every bias and normalization weight is decayed."""
    default = no_decay.values["ADAMW_DEFAULT_WEIGHT_DECAY"]
    assert default == 0.01 == torch.optim.AdamW([torch.zeros(1, requires_grad=True)]).defaults["weight_decay"]
    decays = no_decay.values["decays"]["misspelled key"]
    assert {name: d for name, d in decays.items() if name not in LINEAR_WEIGHTS} == {
        name: default for name in decays if name not in LINEAR_WEIGHTS
    }
    model = no_decay.namespace["Net"]()
    optimizer = torch.optim.AdamW(no_decay.namespace["misspelled"](model))
    assert optimizer.param_groups[1]["weight_decay_rate"] == 0.0


@pytest.mark.claim("prac-groups-per-layer-steps")
def test_adams_first_step_in_each_group_is_its_lr(per_layer):
    """The groups get lr, lr * decay and lr * decay²; the median entry of each group moves by its
    group's lr in Adam's first step, to within FIRST_STEP_TOLERANCE."""
    ns = per_layer.namespace
    lr, decay = ns["LR"], ns["LAYER_DECAY"]
    assert per_layer.values["group_lrs"] == pytest.approx([lr * decay**2, lr * decay, lr], rel=1e-12)
    for group_lr, step in zip(per_layer.values["group_lrs"], per_layer.values["median_first_steps"]):
        assert step == pytest.approx(group_lr, rel=ns["FIRST_STEP_TOLERANCE"])


@pytest.mark.claim("prac-groups-manual-decay-flattens")
def test_setting_every_group_to_one_lr_flattens_the_layers(per_layer):
    """Setting every group's lr to one value puts all groups at the same rate; scaling each group's
    own lr keeps the ratios."""
    ns, decayed = per_layer.namespace, per_layer.values["decayed"]
    assert decayed["set every group"] == [ns["LR"] * ns["DECAY"]] * 3
    assert decayed["scale every group"] == pytest.approx([lr * ns["DECAY"] for lr in per_layer.values["group_lrs"]], rel=1e-12)


FAILING = ["MultiplicativeLR", "LambdaLR", "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR"]
RUNNING = ["StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "ReduceLROnPlateau"]


@pytest.mark.claim("prac-add-group-errors")
def test_closed_form_schedulers_fail_after_add_param_group(add_group):
    """MultiplicativeLR, LambdaLR, CosineAnnealingWarmRestarts and CyclicLR raise ValueError from
    a zip(), OneCycleLR raises KeyError: 'max_lr'; the other five run on."""
    later = add_group.values["later"]
    assert add_group.values["failed"] == FAILING and add_group.values["failed_count"] == len(FAILING)
    for name in FAILING[:4]:
        assert later[name].startswith("ValueError: zip() argument 2 is"), name
    assert later["OneCycleLR"] == "KeyError: 'max_lr'"
    assert all(isinstance(later[name], list) for name in RUNNING)
    assert add_group.values["scheduler_count"] == len(FAILING) + len(RUNNING)


@pytest.mark.claim("prac-add-group-warmup-overshoots")
def test_linearlr_takes_a_group_added_mid_warmup_above_its_lr(add_group):
    """A group added mid-warmup at ADDED_LR ends above it, at the rate times the warmup factors
    that remained."""
    ns = add_group.namespace
    lrs = add_group.values["warmup_added_lrs"]
    assert lrs[-1] > ns["ADDED_LR"]
    assert add_group.values["warmup_overshoot"] == pytest.approx(lrs[-1] / ns["ADDED_LR"], rel=1e-12)
    # the factors the first group's warmup had left after ADD_AT steps
    first_group = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([first_group], lr=1.0)
    warmup = ns["SCHEDULERS"]["LinearLR"](optimizer)
    rates = [optimizer.param_groups[0]["lr"]]
    for _ in range(ns["STEPS"]):
        first_group.grad = torch.zeros(1)
        optimizer.step()
        warmup.step()
        rates.append(optimizer.param_groups[0]["lr"])
    assert add_group.values["warmup_overshoot"] == pytest.approx(rates[-1] / rates[ns["ADD_AT"]], rel=1e-9)


@pytest.mark.claim("prac-add-group-frozen")
def test_groups_frozen_from_the_start_work_with_every_scheduler(add_group):
    """With every group there from the start and the second frozen, all schedulers run, and the
    frozen weights are untouched and have no optimizer state until unfrozen."""
    frozen = add_group.values["frozen"]
    assert len(frozen) == add_group.values["scheduler_count"]
    assert all(touched is False for _, touched in frozen.values())
    assert add_group.values["frozen_never_touched"] is True


KEEPS = ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "PolynomialLR", "MultiplicativeLR", "ReduceLROnPlateau"]
OVERWRITES = ["LambdaLR", "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR"]


@pytest.mark.claim("prac-manual-lr-kept")
def test_chainable_schedulers_keep_a_manual_change(manual_lr):
    """Eight schedulers keep a halved group["lr"]: every later rate is half the untouched one,
    to within RATIO_TOLERANCE."""
    tolerance = manual_lr.namespace["RATIO_TOLERANCE"]
    assert manual_lr.values["keeps"] == KEEPS
    for name in KEEPS:
        assert all(abs(r - 0.5) < tolerance for r in manual_lr.values["by_hand"][name]), name


@pytest.mark.claim("prac-manual-lr-overwritten")
def test_closed_form_schedulers_overwrite_a_manual_change(manual_lr):
    """LambdaLR, CosineAnnealingWarmRestarts, CyclicLR and OneCycleLR overwrite the change at the
    next step: from then on both runs have the same rate."""
    tolerance = manual_lr.namespace["RATIO_TOLERANCE"]
    assert manual_lr.values["overwrites"] == OVERWRITES
    for name in OVERWRITES:
        row = manual_lr.values["by_hand"][name]
        assert abs(row[0] - 0.5) < tolerance and all(abs(r - 1) < tolerance for r in row[1:]), name


@pytest.mark.claim("prac-manual-lr-source")
def test_halving_what_the_scheduler_computes_from_keeps_the_change(manual_lr):
    """Halving base_lrs (and max_lrs), or OneCycleLR's initial_lr, max_lr and min_lr, halves every
    later rate of those four, to within RATIO_TOLERANCE."""
    tolerance = manual_lr.namespace["RATIO_TOLERANCE"]
    assert sorted(manual_lr.values["by_source"]) == sorted(OVERWRITES)
    for name, row in manual_lr.values["by_source"].items():
        assert all(abs(r - 0.5) < tolerance for r in row), name


@pytest.mark.claim("prac-manual-lr-saved")
def test_a_checkpoint_after_the_change_keeps_it(manual_lr):
    """After halving the source, scheduler.state_dict() holds the halved base_lrs (and max_lrs),
    and optimizer.state_dict() the halved levels OneCycleLR keeps in its groups."""
    ns = manual_lr.namespace
    for name in OVERWRITES:
        weight = torch.nn.Parameter(torch.zeros(1))
        optimizer = torch.optim.SGD([weight], lr=ns["LR"])
        scheduler = ns["SCHEDULERS"][name](optimizer)
        before_scheduler, before_group = scheduler.state_dict(), dict(optimizer.state_dict()["param_groups"][0])
        ns["halve_source"](optimizer, scheduler)
        after_scheduler, after_group = scheduler.state_dict(), optimizer.state_dict()["param_groups"][0]
        if name == "OneCycleLR":
            for key in ("initial_lr", "max_lr", "min_lr"):
                assert after_group[key] == 0.5 * before_group[key]
        else:
            assert after_scheduler["base_lrs"] == [0.5 * lr for lr in before_scheduler["base_lrs"]]
        if name == "CyclicLR":
            assert after_scheduler["max_lrs"] == [0.5 * lr for lr in before_scheduler["max_lrs"]]
