"""torch.optim.SGD's signature, its defaults and what its constructor refuses

Reads the defaults from the installed torch (nothing typed by hand), then builds optimizers with
settings the constructor might reject and prints the message of each error.
"""

# %%
import inspect
import textwrap

import torch

# Settings to try, each on its own, in three groups.
NESTEROV = (  # nesterov=True without momentum (the default, 0), with dampening, and as it should be
    {"nesterov": True},
    {"momentum": 0.9, "dampening": 0.1, "nesterov": True},
    {"momentum": 0.9, "nesterov": True},
)
NEGATIVE = ({"lr": -0.1}, {"momentum": -0.5}, {"weight_decay": -1e-4})
UNCHECKED = ({"dampening": 2.0}, {"dampening": -1.0}, {"momentum": 1.5})
BOTH_IMPLEMENTATIONS = {"foreach": True, "fused": True}


def defaults():
    """{name: default} for every argument of torch.optim.SGD after `params`, from its signature."""
    parameters = inspect.signature(torch.optim.SGD.__init__).parameters
    return {name: p.default for name, p in parameters.items() if name not in ("self", "params")}


def keyword_only():
    parameters = inspect.signature(torch.optim.SGD.__init__).parameters
    return [name for name, p in parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]


def try_settings(**settings):
    """Build an SGD with these settings: None if it accepts them, else 'ErrorType: message'."""
    w = torch.zeros(2, requires_grad=True)
    try:
        torch.optim.SGD([w], **settings)
    except (ValueError, RuntimeError) as error:
        return f"{type(error).__name__}: {error}"
    return None


# %% The defaults of the installed torch
sgd_defaults = defaults()
keyword_only_arguments = keyword_only()
default_lr = sgd_defaults["lr"]
# One row per argument, for the page's table.
default_rows = [
    {"argument": name, "default": default if isinstance(default, (int, float)) and not isinstance(default, bool)
     else repr(default), "keyword-only": "yes" if name in keyword_only_arguments else "no"}
    for name, default in sgd_defaults.items()
]
print(f"torch {torch.__version__}")
for name, default in sgd_defaults.items():
    print(f"  {name} = {default}")
print(f"keyword-only: {', '.join(keyword_only_arguments)}")

# %% What the constructor refuses
for settings in (*NESTEROV, *NEGATIVE, *UNCHECKED, BOTH_IMPLEMENTATIONS):
    shown = ", ".join(f"{key}={value}" for key, value in settings.items())
    print(f"SGD(params, {shown})")
    print(textwrap.fill(f"-> {try_settings(**settings) or 'accepted'}", width=78,
                        initial_indent="    ", subsequent_indent="       "))
