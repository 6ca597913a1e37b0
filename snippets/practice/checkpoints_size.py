"""How large a checkpoint each optimizer makes

A 64-256-256-10 network in float32, and the bytes `torch.save` writes for its `state_dict()` and
for the `state_dict()` of each optimizer after one step, at the optimizer's defaults except where
the label says otherwise.
"""

# %%
import io

import matplotlib.pyplot as plt
import torch

OPTIMIZERS = {  # label -> (class, arguments)
    "SGD": (torch.optim.SGD, {"lr": 0.1}),
    "SGD, momentum": (torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    "Adagrad": (torch.optim.Adagrad, {}),
    "RMSprop": (torch.optim.RMSprop, {}),
    "RMSprop, centered + momentum": (torch.optim.RMSprop, {"centered": True, "momentum": 0.9}),
    "Adam": (torch.optim.Adam, {}),
    "AdamW": (torch.optim.AdamW, {}),
    "Adam, amsgrad": (torch.optim.Adam, {"amsgrad": True}),
    "NAdam": (torch.optim.NAdam, {}),
    "Adafactor": (torch.optim.Adafactor, {}),
}


SIZE_TOLERANCE = 0.01  # a checkpoint is k times the model's to within this fraction


def network():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(64, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10)
    )


def saved_bytes(obj):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getbuffer().nbytes


def optimizer_bytes(optimizer_class, arguments):
    model = network()
    optimizer = optimizer_class(model.parameters(), **arguments)
    model(torch.randn(8, 64)).pow(2).mean().backward()
    optimizer.step()
    return saved_bytes(optimizer.state_dict())


MODEL = network()
model_bytes = saved_bytes(MODEL.state_dict())
parameters = sum(p.numel() for p in MODEL.parameters())
rows = []
for label, (optimizer_class, arguments) in OPTIMIZERS.items():
    size = optimizer_bytes(optimizer_class, arguments)
    rows.append({"optimizer": label, "KiB": size / 1024, "ratio": size / model_bytes})
ratio = {row["optimizer"]: row["ratio"] for row in rows}
print(f"model: {parameters:,} parameters, state_dict {model_bytes / 1024:.1f} KiB")
print(f"{'optimizer.state_dict() of':<30}{'KiB':>9}{'x model':>10}")
for row in rows:
    print(f"{row['optimizer']:<30}{row['KiB']:>9.1f}{row['ratio']:>10.3f}")

# %% Drawn
fig, axis = plt.subplots(figsize=(7, 4), num="sizes")
labels = [row["optimizer"] for row in rows][::-1]
axis.barh(labels, [ratio[label] for label in labels], color="C0")
axis.set_xlabel("optimizer checkpoint size / model checkpoint size")
axis.grid(alpha=0.3, axis="x")
plt.show()
