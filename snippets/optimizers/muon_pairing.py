"""Muon takes matrices only: pairing it with AdamW for the rest of a model

torch.optim.Muon refuses, at construction, any parameter that is not two-dimensional, and accepts
every matrix, the embedding and the output layer included. The snippet offers it each parameter
of a small language model, then splits the model the usual way, hidden matrices to Muon and
everything else to AdamW, and trains it with both.
"""

# %%
import textwrap

import torch

VOCABULARY, WIDTH = 50, 16
STEPS = 30
MUON_LR, ADAMW_LR = 0.02, 3e-3


def error_for(parameter):
    """The exception torch.optim.Muon raises for this parameter, or None."""
    try:
        torch.optim.Muon([parameter])
    except ValueError as error:
        return error
    return None


class TinyLanguageModel(torch.nn.Module):
    """Embedding, one hidden layer, output layer: the usual mix of 2-D and 1-D parameters."""

    def __init__(self, vocabulary=VOCABULARY, width=WIDTH):
        super().__init__()
        self.embed = torch.nn.Embedding(vocabulary, width)
        self.hidden = torch.nn.Linear(width, width)
        self.out = torch.nn.Linear(width, vocabulary)

    def forward(self, tokens):
        return self.out(torch.relu(self.hidden(self.embed(tokens))))


def split_for_muon(model):
    """Hidden 2-D weights for Muon; embeddings, the output layer and all biases for AdamW."""
    muon, adamw = [], []
    for name, p in model.named_parameters():
        hidden_matrix = p.ndim == 2 and not name.startswith(("embed", "out"))
        (muon if hidden_matrix else adamw).append((name, p))
    return muon, adamw


def train_pair(steps=STEPS, seed=0):
    """Train TinyLanguageModel with Muon (hidden weight) and AdamW (the rest): the loss per step."""
    torch.manual_seed(seed)
    model = TinyLanguageModel()
    tokens = torch.randint(0, VOCABULARY, (64,))
    targets = (tokens * 7 + 3) % VOCABULARY  # a fixed next-token rule to learn
    muon_params, adamw_params = split_for_muon(model)
    optimizers = [torch.optim.Muon([p for _, p in muon_params], lr=MUON_LR),
                  torch.optim.AdamW([p for _, p in adamw_params], lr=ADAMW_LR)]
    losses = []
    for _ in range(steps):
        for optimizer in optimizers:
            optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(tokens), targets)
        loss.backward()
        for optimizer in optimizers:
            optimizer.step()
        losses.append(loss.item())
    return losses


# %% Muon on each parameter of a small model
model = TinyLanguageModel()
refused = {name: error_for(p) is not None for name, p in model.named_parameters()}
error_message = f"ValueError: {error_for(model.hidden.bias)}"
print("torch.optim.Muon on each parameter of a small model:")
for name, p in model.named_parameters():
    print(f"  {name:<14} {str(tuple(p.shape)):<9} {'refused' if refused[name] else 'accepted'}")
print("the error for hidden.bias:\n" + textwrap.fill(error_message, 78, initial_indent="  ", subsequent_indent="  "))

# %% Muon for the hidden matrices, AdamW for the rest
muon_names, adamw_names = ([name for name, _ in part] for part in split_for_muon(model))
losses = train_pair()
print(f"\nMuon (lr = {MUON_LR}):  " + ", ".join(muon_names))
print(f"AdamW (lr = {ADAMW_LR}): " + ", ".join(adamw_names))
print(f"{STEPS} steps of both: cross-entropy {losses[0]:.3f} -> {losses[-1]:.3f}")
