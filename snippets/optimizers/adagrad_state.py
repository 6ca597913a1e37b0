"""Adagrad in torch 2.13: its defaults and the state it keeps

Reads the constructor's keyword defaults from the installed torch with inspect.signature, then
takes one step on a small float32 linear layer and lists what optimizer.state holds for each
parameter (names, shapes, dtypes, bytes). Adagrad fills its state in the constructor;
the last cell shows which initial_accumulator_value that state starts from.
"""

# %%
import inspect

import torch

IN_FEATURES, OUT_FEATURES = 3, 4  # a float32 Linear(3, 4): weight 4x3, bias 4
VARIANTS = {"default": {}}


def defaults(optimizer_class=torch.optim.Adagrad):
    """The constructor's keyword defaults, as the installed torch declares them."""
    parameters = inspect.signature(optimizer_class).parameters.values()
    return {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}


def state_after_one_step(optimizer_class=torch.optim.Adagrad, **options):
    """{parameter name: (parameter, {state key: tensor})} for a Linear layer after one step."""
    torch.manual_seed(0)
    layer = torch.nn.Linear(IN_FEATURES, OUT_FEATURES)
    optimizer = optimizer_class(layer.parameters(), **options)
    layer(torch.randn(8, IN_FEATURES)).pow(2).mean().backward()
    optimizer.step()
    return {name: (p, dict(optimizer.state[p])) for name, p in layer.named_parameters()}


def entries_before_first_step(optimizer_class=torch.optim.Adagrad, **options):
    """How many parameters have state right after the constructor, before any step."""
    layer = torch.nn.Linear(IN_FEATURES, OUT_FEATURES)
    return len(optimizer_class(layer.parameters(), **options).state)


def bytes_per_element(state):
    """Bytes of the state tensors shaped like their parameter, per parameter element."""
    total = sum(t.nbytes for p, entries in state.values() for t in entries.values() if t.shape == p.shape)
    return total / sum(p.numel() for p, _ in state.values())


# %% Defaults
print(f"torch {torch.__version__}: torch.optim.Adagrad defaults")
for name, value in defaults().items():
    print(f"  {name:<26} {value!r}")

# %% State before and after the first step
print(f"\nparameters with state right after the constructor: {entries_before_first_step()}")
for variant, options in VARIANTS.items():
    state = state_after_one_step(**options)
    print(f"\nstate after one step, {variant} (float32 Linear({IN_FEATURES}, {OUT_FEATURES})):")
    (_, weight_state), (_, bias_state) = state["weight"], state["bias"]
    print(f"  {'key':<16} {'dtype':<14} {'shape (weight, bias)':<22} bytes (weight, bias)")
    for key, tensor in weight_state.items():
        shapes = ", ".join("x".join(map(str, t.shape)) or "()" for t in (tensor, bias_state[key]))
        sizes = f"{tensor.nbytes}, {bias_state[key].nbytes}"
        print(f"  {key:<16} {str(tensor.dtype):<14} {shapes:<22} {sizes}")
    print(f"  bytes per parameter element (step counters aside): {bytes_per_element(state):g}")

# %% A parameter group's own initial_accumulator_value


def starting_sums(group_value=1.0, constructor_value=0.0):
    """Two groups; only the first sets initial_accumulator_value. Returns what each group records
    and the value its accumulator `sum` starts from."""
    first, second = torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    optimizer = torch.optim.Adagrad(
        [{"params": [first], "initial_accumulator_value": group_value}, {"params": [second]}],
        initial_accumulator_value=constructor_value,
    )
    return [
        (group["initial_accumulator_value"], optimizer.state[group["params"][0]]["sum"].tolist())
        for group in optimizer.param_groups
    ]


print("\ntwo parameter groups, only the first sets initial_accumulator_value=1.0:")
for number, (recorded, start) in enumerate(starting_sums()):
    print(f"  group {number}: param_groups[{number}]['initial_accumulator_value'] = {recorded}, sum starts at {start}")
