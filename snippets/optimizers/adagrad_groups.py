"""Adagrad fills its accumulators in the constructor, from the constructor's argument

torch.optim.Adagrad creates its state when it is constructed, not at the first step, and fills
every accumulator `sum` from the initial_accumulator_value given to the constructor. A parameter
group that sets its own value has it recorded in param_groups, and not used.
"""

# %%
import torch

GROUP_VALUE = 1.0  # what the first of two parameter groups asks for
CONSTRUCTOR_VALUE = 0.0  # what the constructor is given (its default)


def starting_sums(group_value=GROUP_VALUE, constructor_value=CONSTRUCTOR_VALUE):
    """For two groups, only the first of which sets initial_accumulator_value: (what each group
    records, the value its accumulator starts from), before any step."""
    first, second = torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    optimizer = torch.optim.Adagrad(
        [{"params": [first], "initial_accumulator_value": group_value}, {"params": [second]}],
        initial_accumulator_value=constructor_value,
    )
    return [
        (group["initial_accumulator_value"], optimizer.state[group["params"][0]]["sum"][0].item())
        for group in optimizer.param_groups
    ]


# %% Two groups, one value of its own
groups = starting_sums()
recorded = [value for value, _ in groups]
starts = [start for _, start in groups]
print(f"Adagrad(groups, initial_accumulator_value={CONSTRUCTOR_VALUE:g}), the first group asking for"
      f" {GROUP_VALUE:g}:")
for name, (value, start) in zip(("first", "second"), groups):
    print(f"  {name} group: param_groups records {value:g}, its sum starts at {start:g}")
