"""The claims every optimizer page makes about its optimizer, one case per optimizer: its update
rule from scratch matches torch.optim (snippets/optimizers/from_scratch.py), and its state is laid
out as the page says (snippets/optimizers/state.py)."""

import inspect
import itertools

import pytest
import torch

SCRATCH, STATE = "optimizers/from_scratch", "optimizers/state"
SMALLEST_CHANGE = 1e-4  # two settings that exercise different code give iterates at least this far apart

MEMBERS = [
    pytest.param("adagrad", marks=pytest.mark.claim("adagrad-matches-torch"), id="adagrad"),
    pytest.param("rmsprop", marks=pytest.mark.claim("rmsprop-matches-torch"), id="rmsprop"),
    pytest.param("adadelta", marks=pytest.mark.claim("adadelta-matches-torch"), id="adadelta"),
    pytest.param("adam", marks=pytest.mark.claim("adam-matches-torch"), id="adam"),
    pytest.param("adamw", marks=pytest.mark.claim("adamw-matches-torch"), id="adamw"),
    pytest.param("adamax", marks=pytest.mark.claim("adamax-matches-torch"), id="adamax"),
    pytest.param("nadam", marks=pytest.mark.claim("nadam-matches-torch"), id="nadam"),
    pytest.param("radam", marks=pytest.mark.claim("radam-matches-torch"), id="radam"),
    pytest.param("sparseadam", marks=pytest.mark.claim("sparseadam-matches-torch"), id="sparseadam"),
    pytest.param("asgd", marks=pytest.mark.claim("asgd-matches-torch"), id="asgd"),
    pytest.param("rprop", marks=pytest.mark.claim("rprop-matches-torch"), id="rprop"),
    pytest.param("lbfgs", marks=pytest.mark.claim("lbfgs-matches-torch"), id="lbfgs"),
    pytest.param("adafactor", marks=pytest.mark.claim("adafactor-matches-torch"), id="adafactor"),
    pytest.param("muon", marks=pytest.mark.claim("muon-matches-torch"), id="muon"),
]


@pytest.fixture
def member(request, snippet):
    """(name, the from_scratch namespace): one member of the family, for the case at hand."""
    return request.param, snippet(SCRATCH).namespace


@pytest.mark.parametrize("member", MEMBERS, indirect=True)
def test_from_scratch_matches_torch(member):
    """In every setting listed with it, over the same steps, the from-scratch iterates agree with
    those of its torch.optim class to within the tolerance the snippet holds it to, in float64 and
    in float32 (a tolerance of 0: identical, bit for bit). The settings start from the defaults and
    each exercises its own code: it moves the iterates away from every other setting's, except that
    maximizing the negated loss gives exactly the iterates of minimizing the loss."""
    name, ns = member
    for dtype, tolerance in ns["TOLERANCES"][name].items():
        worst = ns["worst"][name][dtype]
        if tolerance == 0:
            assert worst == 0, dtype
        elif tolerance is not None:
            assert worst < tolerance, dtype
    family = ns["FAMILY"][name]
    assert family.settings[0] == {}
    torch_defaults = inspect.signature(family.optimizer).parameters
    for argument, parameter in inspect.signature(family.step).parameters.items():
        if argument in torch_defaults and parameter.default is not inspect.Parameter.empty:
            assert parameter.default == torch_defaults[argument].default, argument
    runs = [(options, ns["run_torch"](name, options)) for options in family.settings]
    for (first, a), (second, b) in itertools.combinations(runs, 2):
        twins = {k: v for k, v in first.items() if k != "maximize"} == {k: v for k, v in second.items() if k != "maximize"}
        assert ns["max_difference"](a, b) == 0 if twins else ns["max_difference"](a, b) > SMALLEST_CHANGE, (first, second)


def adams_defaults_but(v, name, *arguments):
    """The defaults of `name` are Adam's, but for `arguments` (and the arguments Adam alone has)."""
    own, adam = v["defaults"][name], v["defaults"]["adam"]
    return all(own[k] == adam[k] for k in own if k in adam and k not in arguments)


LAYOUTS = [  # optimizer, the entries that grow like the parameter (per setting), its scalars, the rest its sentence says
    pytest.param("adagrad", {"default": ["sum"]}, {"step": "float32"},
                 lambda v: v["before_first_step"]["adagrad"] == 1 and sum(v["before_first_step"].values()) == 1,
                 marks=pytest.mark.claim("adagrad-state"), id="adagrad"),
    pytest.param("rmsprop", {"default": ["square_avg"], "momentum": ["square_avg", "momentum_buffer"],
                             "centered": ["square_avg", "grad_avg"],
                             "momentum-centered": ["square_avg", "momentum_buffer", "grad_avg"]}, {"step": "float32"},
                 lambda v: v["before_first_step"]["rmsprop"] == 0,
                 marks=pytest.mark.claim("rmsprop-state"), id="rmsprop"),
    pytest.param("adadelta", {"default": ["square_avg", "acc_delta"]}, {"step": "float32"},
                 lambda v: v["before_first_step"]["adadelta"] == 0,
                 marks=pytest.mark.claim("adadelta-state"), id="adadelta"),
    pytest.param("adam", {"default": ["exp_avg", "exp_avg_sq"], "amsgrad": ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"]},
                 {"step": "float32"}, lambda v: v["before_first_step"]["adam"] == 0,
                 marks=pytest.mark.claim("adam-state"), id="adam"),
    pytest.param("adamw", {"default": ["exp_avg", "exp_avg_sq"], "amsgrad": ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"]},
                 {"step": "float32"},
                 lambda v: v["defaults"]["adamw"]["weight_decay"] > 0 and v["defaults"]["adam"]["weight_decay"] == 0
                 and "decoupled_weight_decay" not in v["defaults"]["adamw"] and adams_defaults_but(v, "adamw", "weight_decay"),
                 marks=pytest.mark.claim("adamw-default-weight-decay"), id="adamw"),
    pytest.param("adamax", {"default": ["exp_avg", "exp_inf"]}, {"step": "float32"},
                 lambda v: v["defaults"]["adamax"]["lr"] == 2 * v["defaults"]["adam"]["lr"] and v["before_first_step"]["adamax"] == 0,
                 marks=pytest.mark.claim("adamax-state"), id="adamax"),
    pytest.param("nadam", {"default": ["exp_avg", "exp_avg_sq"]}, {"step": "float32", "mu_product": "float32"},
                 lambda v: v["defaults"]["nadam"]["lr"] == 2 * v["defaults"]["adam"]["lr"],
                 marks=pytest.mark.claim("nadam-defaults-and-state"), id="nadam"),
    pytest.param("radam", {"default": ["exp_avg", "exp_avg_sq"]}, {"step": "float32"},
                 lambda v: adams_defaults_but(v, "radam"),
                 marks=pytest.mark.claim("radam-defaults-and-state"), id="radam"),
    pytest.param("sparseadam", {"default": ["exp_avg", "exp_avg_sq"]}, {"step": "Python int"},
                 lambda v: adams_defaults_but(v, "sparseadam") and "weight_decay" not in v["defaults"]["sparseadam"]
                 and v["coalesced_rows"] != list(range(v["SHAPE"][0])),
                 marks=pytest.mark.claim("sparseadam-defaults-and-state"), id="sparseadam"),
    pytest.param("asgd", {"default": ["ax"]}, {"step": "float32", "eta": "float32", "mu": "float32"},
                 lambda v: True, marks=pytest.mark.claim("asgd-defaults-and-state"), id="asgd"),
    pytest.param("rprop", {"default": ["prev", "step_size"]}, {"step": "float32"},
                 lambda v: True, marks=pytest.mark.claim("rprop-defaults-and-state"), id="rprop"),
    pytest.param("muon", {"default": ["momentum_buffer"]}, {}, lambda v: True,
                 marks=pytest.mark.claim("muon-defaults-and-state"), id="muon"),
]


@pytest.mark.parametrize("name, grows, scalars, says", LAYOUTS)
def test_state_layout(snippet, name, grows, scalars, says):
    """After one step the optimizer keeps, for each setting, the entries its page names, each with
    the parameter's shape and dtype, so that its bytes per parameter element are 4 per entry in
    float32; besides them only the scalars it names, of the dtype it names whatever the parameter's
    (a float32 tensor, or a Python int); and what else its sentence says (where the state is created,
    how its defaults relate to Adam's)."""
    v = snippet(STATE).values
    shape = " × ".join(map(str, v["SHAPE"]))
    for setting, keys in grows.items():
        rows = [row for row in v["rows"][name] if row["variant"] == setting]
        growing = [row for row in rows if not row["scalar"]]
        assert [row["key"] for row in growing] == keys, setting
        assert all((row["shape"], row["float32"], row["float64"]) == (shape, "float32", "float64") for row in growing)
        assert v["per_element"][name][setting] == 4 * len(keys)
        kinds = {row["key"]: row["float64"] if row["shape"] == "scalar" else row["shape"] for row in rows if row["scalar"]}
        assert kinds == scalars, setting
        assert all(row["float32"] in ("float32", "-") for row in rows if row["scalar"])
    assert says(v)


ROUNDED = [  # optimizer, the step's option that keeps torch's float32 scalars in float64, the state entry it rounds
    pytest.param("nadam", "mu_product_dtype", "mu_product", marks=pytest.mark.claim("nadam-float32-mu-product"), id="nadam"),
    pytest.param("asgd", "scalar_dtype", "eta", marks=pytest.mark.claim("asgd-float32-scalars"), id="asgd"),
]


@pytest.mark.parametrize("name, option, entry", ROUNDED)
def test_torchs_float32_scalars_matter(snippet, name, option, entry):
    """torch keeps these scalars in float32 tensors even for a float64 parameter, as the state table
    shows, and the function rounds them the same way; keeping them in float64 instead takes the
    iterates further from torch's than the float64 tolerance, in every setting."""
    ns = snippet(SCRATCH).namespace
    assert {row["key"]: row["float64"] for row in snippet(STATE).values["rows"][name]}[entry] == "float32"
    tolerance = ns["TOLERANCES"][name]["float64"]
    for options in ns["FAMILY"][name].settings:
        wider = ns["run_scratch"](name, {**options, option: torch.float64})
        assert ns["max_difference"](wider, ns["run_torch"](name, options)) > tolerance, options
