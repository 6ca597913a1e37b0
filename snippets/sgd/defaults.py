"""torch.optim.SGD's signature, its defaults and what its constructor refuses

Reads the defaults from the installed torch (nothing typed by hand), then builds optimizers with
settings the constructor rejects and prints the message of each error.
"""

# %%
import inspect

import torch

REFUSED = (  # settings to try, each on its own
    {"momentum": 0.0, "nesterov": True},
    {"momentum": 0.9, "dampening": 0.1, "nesterov": True},
    {"momentum": 0.9, "nesterov": True},
    {"lr": -0.1},
    {"momentum": -0.5},
    {"momentum": 1.5},
    {"weight_decay": -1e-4},
    {"dampening": 2.0},
    {"dampening": -1.0},
    {"foreach": True, "fused": True},
)


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


# %% The defaults of torch 2.13
print(f"torch {torch.__version__}")
for name, default in defaults().items():
    print(f"  {name} = {default!r}")
print(f"keyword-only: {', '.join(keyword_only())}")

# %% What the constructor refuses
for settings in REFUSED:
    shown = ", ".join(f"{key}={value}" for key, value in settings.items())
    print(f"SGD(params, {shown})\n    -> {try_settings(**settings) or 'accepted'}")
