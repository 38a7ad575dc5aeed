"""Train a torch MLP on scikit-learn's digits with an activation you define, exported by symact.

``symact.export`` writes the activation as a ``torch.nn.Module`` (the stable forward, symact's f' as the
backward) after checking it against symact's reference; here a swish with beta = 1.7, written as a string.

    python examples/export_torch_digits.py
"""

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import symact

act = symact.export("x*sigmoid(1.7*x)", "torch")  # verified on this first export: raises ExportFailed if not
print(f"exported {act}: {act.report.status.value}, saves the {'output' if act.saves_output else 'input'}")

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16, y, test_size=0.2, random_state=0)
X_train, X_test = (torch.tensor(a, dtype=torch.float32) for a in (X_train, X_test))
y_train, y_test = (torch.tensor(a) for a in (y_train, y_test))

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(64, 32), act.module(), torch.nn.Linear(32, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(1, 11):
    for batch in torch.randperm(len(X_train)).split(64):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(X_train[batch]), y_train[batch])
        loss.backward()
        optimizer.step()
    if epoch % 5 == 0:
        print(f"epoch {epoch}: training loss {loss.item():.3f}")

with torch.no_grad():
    accuracy = (model(X_test).argmax(1) == y_test).float().mean().item()
print(f"test accuracy {100 * accuracy:.1f}%")
