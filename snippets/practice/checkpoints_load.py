"""Loading a checkpoint elsewhere: map_location, another dtype, another parameter order

Five things that happen between `state_dict()` and a successful `load_state_dict`: a
checkpoint kept in memory instead of saved, where the tensors land (`map_location`), what an optimizer does with state saved in float32 when its model
is now float64, what happens when the model's parameters come in another order than when the
checkpoint was saved (and a pre-hook that loads the optimizer's state by parameter name), and a
checkpoint holding NumPy's random state under `torch.load`'s default `weights_only=True`.
"""

# %%
import copy
import io
import pickle
import re
import textwrap

import numpy as np
import torch
from torch import nn


def round_trip(obj, **load_options):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer, **load_options)


def adam_after_one_step(model, dtype=torch.float32):
    """An Adam optimizer over model.named_parameters(), after one step on a fixed input."""
    optimizer = torch.optim.Adam(model.named_parameters(), lr=1e-2)
    model(torch.ones(2, 4, dtype=dtype)).pow(2).sum().backward()
    optimizer.step()
    return optimizer


class Net(nn.Module):
    """Version 1: the encoder is defined first."""

    def __init__(self, hidden=4):
        super().__init__()
        self.encoder = nn.Linear(4, hidden)
        self.decoder = nn.Linear(hidden, 4)

    def forward(self, x):
        return self.decoder(torch.relu(self.encoder(x)))


class NetV2(Net):
    """Version 2: the same layers, the decoder defined first."""

    def __init__(self, hidden=4):
        nn.Module.__init__(self)
        self.decoder = nn.Linear(hidden, 4)
        self.encoder = nn.Linear(4, hidden)


# %% A checkpoint kept in memory
def snapshot_follows_training(keep):
    """Keep model.state_dict() and optimizer.state_dict() in memory with `keep`, train one more step:
    (the kept model weights changed, the kept Adam moment changed)."""
    torch.manual_seed(0)
    model = Net()
    optimizer = adam_after_one_step(model)
    kept_model, kept_optimizer = keep(model.state_dict()), keep(optimizer.state_dict())
    weight, moment = kept_model["encoder.weight"].clone(), kept_optimizer["state"][0]["exp_avg"].clone()
    optimizer.zero_grad()
    model(torch.ones(2, 4)).pow(2).sum().backward()
    optimizer.step()
    return (not torch.equal(kept_model["encoder.weight"], weight), not torch.equal(kept_optimizer["state"][0]["exp_avg"], moment))


def as_is(state):
    return state


snapshot_changes = {"as is": snapshot_follows_training(as_is), "deepcopy": snapshot_follows_training(copy.deepcopy)}


def loaded_state_is_shared():
    """An optimizer loaded from another's state_dict() in memory: does it share the moment tensor?"""
    torch.manual_seed(0)
    model = Net()
    optimizer = adam_after_one_step(model)
    twin = torch.optim.Adam(model.named_parameters(), lr=1e-2)
    twin.load_state_dict(optimizer.state_dict())
    weight = model.encoder.weight
    return twin.state[weight]["exp_avg"].data_ptr() == optimizer.state[weight]["exp_avg"].data_ptr()


shared_after_load = loaded_state_is_shared()
print("kept in memory, then one more training step: did the kept copy change?")
for how, (weights_changed, moment_changed) in snapshot_changes.items():
    print(f"  {how:<10} model weights {str(weights_changed):<6} Adam moment {moment_changed}")
print(f"an optimizer loaded from another's state_dict() shares its tensors: {shared_after_load}")

# %% map_location
torch.manual_seed(0)
saved = {"model": Net().state_dict()}
locations = []
loaded = round_trip(saved, map_location=lambda storage, location: locations.append(location) or storage)
storage_locations = sorted(set(locations))


def on_meta(saved):
    """The device and shape of the encoder's weight loaded with map_location="meta"."""
    weight = round_trip(saved, map_location="meta")["model"]["encoder.weight"]
    return str(weight.device), list(weight.shape)


meta_device, meta_shape = on_meta(saved)
print(f"\nlocations the saved storages carry: {storage_locations}")
print(f"map_location='meta': device {meta_device}, shape {meta_shape}, no data read")

# %% Optimizer state saved in float32, loaded for a float64 model
torch.manual_seed(0)
state32 = adam_after_one_step(Net()).state_dict()
model64 = Net().double()
model64.load_state_dict(round_trip({"model": saved["model"]})["model"])  # copied into float64
optimizer64 = torch.optim.Adam(model64.named_parameters(), lr=1e-2)
optimizer64.load_state_dict(round_trip(state32))
entry = optimizer64.state[model64.encoder.weight]
loaded_dtypes = {key: str(value.dtype).removeprefix("torch.") for key, value in entry.items()}
model_dtype = str(model64.encoder.weight.dtype).removeprefix("torch.")
print(f"\nfloat64 model after load_state_dict: {model_dtype}")
print("its Adam state after load_state_dict:")
for key, dtype in loaded_dtypes.items():
    print(f"  {key:<12}{dtype}")


# %% The parameter order changed
def moment_goes_to(old_model, old_optimizer, new_model, new_optimizer):
    """For each parameter name of the new model: the name whose saved exp_avg it now holds."""
    saved_by_name = {name: old_optimizer.state[p]["exp_avg"] for name, p in old_model.named_parameters()}
    found = {}
    for name, p in new_model.named_parameters():
        mine = new_optimizer.state[p]["exp_avg"]
        found[name] = next((n for n, m in saved_by_name.items() if m.shape == mine.shape and torch.equal(m, mine)), None)
    return found


# --8<-- [start:by-name]
def by_name(optimizer, state_dict):
    """A load_state_dict pre-hook: reorder the saved groups' parameters to this optimizer's
    names (both built from named_parameters()), so that state follows names, not positions."""
    groups = []
    for group, saved in zip(optimizer.param_groups, state_dict["param_groups"]):
        index = dict(zip(saved["param_names"], saved["params"]))
        groups.append({**saved, "params": [index[name] for name in group["param_names"]],
                       "param_names": group["param_names"]})
    return {**state_dict, "param_groups": groups}
# --8<-- [end:by-name]


def reload(new_class, hidden=4, hook=None):
    """Save Adam's state with Net, load it into new_class. Returns the mapping of the moments, the
    error of the next step if any, and whether that step gives the weights Net's own next step does."""
    torch.manual_seed(0)
    old_model = Net(hidden)
    old_optimizer = adam_after_one_step(old_model)
    new_model = new_class(hidden)
    new_model.load_state_dict(old_model.state_dict())  # by key: always right
    new_optimizer = torch.optim.Adam(new_model.named_parameters(), lr=1e-2)
    if hook is not None:
        new_optimizer.register_load_state_dict_pre_hook(hook)
    new_optimizer.load_state_dict(round_trip(old_optimizer.state_dict()))
    mapping = moment_goes_to(old_model, old_optimizer, new_model, new_optimizer)
    for model, optimizer in ((old_model, old_optimizer), (new_model, new_optimizer)):
        optimizer.zero_grad()
        model(torch.ones(2, 4)).pow(2).sum().backward()
        try:
            optimizer.step()
        except RuntimeError as error:
            return mapping, f"RuntimeError: {error}", False
    old = dict(old_model.named_parameters())
    same_step = all(torch.equal(p, old[name]) for name, p in new_model.named_parameters())
    return mapping, "", same_step


saved_names = state32["param_groups"][0]["param_names"]
same_shapes, same_shapes_error, same_step_by_position = reload(NetV2)
named, named_error, same_step_by_name = reload(NetV2, hook=by_name)
print("\nsaved param_names:", ", ".join(saved_names))
print("parameter order changed, Adam's exp_avg of each parameter came from:")
for name in same_shapes:
    print(f"  {name:<16} by position: {str(same_shapes[name]):<16} by name: {named[name]}")
print(f"next step as Net's own: by position {same_step_by_position}, by name {same_step_by_name}")


_, shape_error, _ = reload(NetV2, hidden=8)  # encoder and decoder no longer of the same shape
print("with other shapes, load_state_dict runs and the first step raises:")
print(textwrap.fill(shape_error, width=76, initial_indent="  ", subsequent_indent="    "))


# %% NumPy's random state in a checkpoint
def load_error(obj):
    try:
        round_trip(obj)
    except pickle.UnpicklingError as error:
        first_line = re.sub(r"\x1b\[[0-9;]*m", "", str(error).splitlines()[0])  # torch makes a phrase bold
        return f"{type(error).__name__}: {first_line}"
    return ""


numpy_state = np.random.get_state()
numpy_state_error = load_error({"numpy RNG": numpy_state})
as_list_error = load_error({"numpy RNG": (numpy_state[0], numpy_state[1].tolist(), *numpy_state[2:])})
print("\nnp.random.get_state() in a checkpoint, then torch.load():")
print(textwrap.fill(numpy_state_error, width=76, initial_indent="  ", subsequent_indent="    "))
print(f"with its array as a list: {as_list_error or 'loads'}")
