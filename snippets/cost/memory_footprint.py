"""The whole training footprint per parameter: weights, gradients, optimizer state, master weights

Takes one training step of a small network under six set-ups (SGD, SGD with momentum and AdamW
in float32; AdamW with bfloat16 autocast; AdamW on float32 master weights of a bfloat16 model;
AdamW on a bfloat16 model) and adds up the sizes of the tensors that are alive when
optimizer.step() runs, by role, per parameter of the network. Sizes come from the tensors
themselves (nbytes), not from the process's memory: activations, the allocator's caches and
the Python objects are left out.
"""

# %%
import matplotlib.pyplot as plt
import torch

WIDTHS = (64, 256, 256, 10)  # a 64-256-256-10 network of Linear layers (the digits' shape)
BATCH = 32
ZERO_COUNT = (2, 2, 12)  # ZeRO's count for mixed-precision Adam: fp16 weights, fp16 gradients, fp32 weights + m + v
ROLES = {  # role -> its label in the figure
    "weights": "weights",
    "gradients": "gradients",
    "master_weights": "master weights",
    "master_gradients": "master gradients",
    "state": "optimizer state",
}


def network(dtype=torch.float32):
    torch.manual_seed(0)
    layers = []
    for fan_in, fan_out in zip(WIDTHS, WIDTHS[1:]):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1]).to(dtype)


def batch(dtype):
    generator = torch.Generator().manual_seed(1)
    inputs = torch.randn(BATCH, WIDTHS[0], generator=generator)
    labels = torch.randint(0, WIDTHS[-1], (BATCH,), generator=generator)
    return inputs.to(dtype), labels


def nbytes(tensors):
    return sum(t.nbytes for t in tensors if t is not None)


def state_bytes(optimizer):
    """Every tensor the optimizer keeps, 0-d step counters included."""
    return nbytes(v for state in optimizer.state.values() for v in state.values() if isinstance(v, torch.Tensor))


def plain_step(optimizer_class, dtype=torch.float32, autocast=False, **options):
    """One step with the optimizer on the network's own parameters; bytes by role."""
    model = network(dtype)
    optimizer = optimizer_class(model.parameters(), lr=1e-3, **options)
    inputs, labels = batch(dtype)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
        loss = torch.nn.functional.cross_entropy(model(inputs).float(), labels)
    loss.backward()
    optimizer.step()
    parameters = list(model.parameters())
    return {
        "weights": nbytes(parameters),
        "gradients": nbytes(p.grad for p in parameters),
        "state": state_bytes(optimizer),
    }


def master_weight_step():
    """Mixed precision with float32 master weights: a bfloat16 model, AdamW on float32 copies.

    The bfloat16 gradients are copied into float32 gradients of the masters (torch.optim.AdamW
    refuses a bfloat16 gradient on a float32 parameter), the masters step, and the model's
    weights are copied back from them."""
    model = network(torch.bfloat16)
    masters = [torch.nn.Parameter(p.detach().float()) for p in model.parameters()]
    optimizer = torch.optim.AdamW(masters, lr=1e-3)
    inputs, labels = batch(torch.bfloat16)
    torch.nn.functional.cross_entropy(model(inputs).float(), labels).backward()
    for master, p in zip(masters, model.parameters()):
        master.grad = p.grad.float()
    optimizer.step()
    with torch.no_grad():
        for master, p in zip(masters, model.parameters()):
            p.copy_(master)
    parameters = list(model.parameters())
    return {
        "weights": nbytes(parameters),
        "gradients": nbytes(p.grad for p in parameters),
        "master_weights": nbytes(masters),
        "master_gradients": nbytes(m.grad for m in masters),
        "state": state_bytes(optimizer),
    }


SETUPS = {  # id -> (label, one training step)
    "sgd": ("SGD, fp32", lambda: plain_step(torch.optim.SGD)),
    "sgd-momentum": ("SGD + momentum,\nfp32", lambda: plain_step(torch.optim.SGD, momentum=0.9)),
    "adamw": ("AdamW, fp32", lambda: plain_step(torch.optim.AdamW)),
    "adamw-autocast": ("AdamW, fp32 +\nbf16 autocast", lambda: plain_step(torch.optim.AdamW, autocast=True)),
    "adamw-master": ("AdamW, bf16 +\nfp32 master", master_weight_step),
    "adamw-bf16": ("AdamW, bf16", lambda: plain_step(torch.optim.AdamW, dtype=torch.bfloat16)),
}

# %% Bytes per parameter, by role
PARAMETERS = sum(p.numel() for p in network().parameters())
TENSORS = len(list(network().parameters()))
footprint = {}  # set-up -> {role: bytes per parameter}
for setup, (_, step) in SETUPS.items():
    measured = step()
    footprint[setup] = {role: measured.get(role, 0) / PARAMETERS for role in ROLES}
total = {setup: sum(roles.values()) for setup, roles in footprint.items()}
zero_total = sum(ZERO_COUNT)
counters = 4 * TENSORS / PARAMETERS  # AdamW's 0-d float32 step counter, one per tensor, per parameter

print(f"a {'-'.join(map(str, WIDTHS))} network: {PARAMETERS:,} parameters in {TENSORS} tensors; "
      "bytes per parameter")
print(f"{'set-up':<28}{'weights':>8}{'grads':>7}{'master':>8}{'m.grads':>8}{'state':>7}{'total':>7}")
for setup, roles in footprint.items():
    cells = "".join(f"{roles[role]:>{w}.2f}" for role, w in zip(ROLES, (8, 7, 8, 8, 7)))
    print(f"{SETUPS[setup][0].replace(chr(10), ' '):<28}{cells}{total[setup]:>7.2f}")
print(f"(AdamW's step counters: {counters:.2g} B per parameter of the state column)")

# %% The footprint, drawn
plt.figure("bytes-per-parameter", figsize=(4.4, 4.4))
labels = [label for label, _ in SETUPS.values()]
left = [0.0] * len(SETUPS)
for role, role_label in ROLES.items():
    widths = [footprint[setup][role] for setup in SETUPS]
    plt.barh(labels, widths, left=left, label=role_label)
    left = [a + b for a, b in zip(left, widths)]
for y, setup in enumerate(SETUPS):
    plt.text(total[setup] + 0.2, y, f"{total[setup]:.4g}", va="center")
plt.gca().invert_yaxis()
plt.xlim(0, max(total.values()) * 1.12)
plt.xticks(range(0, int(max(total.values())) + 1, 4))
plt.xlabel("bytes per parameter\n(tensors alive at optimizer.step())")
plt.legend(loc="upper center", bbox_to_anchor=(0.35, -0.2), ncol=2, frameon=False)
plt.show()
