"""PyTorch peer for the MLP-family step-time benchmark (Debian's python3-torch; never a product dependency).

The same three models as Makemore.ML's MlpNetwork, written as the lectures write them (nn-zero-to-hero parts 2, 3, 5),
trained with minibatch SGD at batch 32 on random windows over 27 symbols. Prints one line per model:
`kind ms_per_step parameters`, the median over rounds of `steps` steps after a warm-up.
Usage: python3 mlp_family_steps.py THREADS STEPS ROUNDS
"""
import sys
import time
import torch
import torch.nn.functional as F

threads, steps, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
g = torch.Generator().manual_seed(2147483647)
V = 27


class BatchNorm1d(torch.nn.Module):
    """Over batch (and positions for 3-D input), per channel: torch's BatchNorm1d on (B, C, T)."""

    def __init__(self, dim):
        super().__init__()
        self.bn = torch.nn.BatchNorm1d(dim)

    def forward(self, x):
        return self.bn(x.transpose(1, 2)).transpose(1, 2) if x.ndim == 3 else self.bn(x)


class Level(torch.nn.Module):
    def __init__(self, group, fan_in, out, bias, bn, scale):
        super().__init__()
        self.group = group
        self.W = torch.nn.Parameter(torch.randn(group * fan_in, out, generator=g) * scale)
        self.b = torch.nn.Parameter(torch.randn(out, generator=g)) if bias else None
        self.bn = BatchNorm1d(out) if bn else None

    def forward(self, x):  # (B, T, in) -> (B, T/g, out)
        B, T, _ = x.shape
        h = x.reshape(B, T // self.group, -1) @ self.W
        if self.b is not None:
            h = h + self.b
        if self.bn is not None:
            h = self.bn(h)
        return torch.tanh(h)


class Net(torch.nn.Module):
    def __init__(self, kind, block, emb, hidden):
        super().__init__()
        self.block, self.emb = block, emb
        self.C = torch.nn.Parameter(torch.randn(V, emb, generator=g))
        group = 2 if kind == "wavenet" else block
        levels, width, positions = [], emb, block
        while positions > 1:
            scale = {"mlp": 1.0, "bn-mlp": 5 / 3 / (group * width) ** 0.5, "wavenet": 1 / (group * width) ** 0.5}[kind]
            levels.append(Level(group, width, hidden, kind == "mlp", kind != "mlp", scale))
            width, positions = hidden, positions // group
        self.levels = torch.nn.ModuleList(levels)
        read_out = {"mlp": 1.0, "bn-mlp": 0.01, "wavenet": 0.1 / hidden ** 0.5}[kind]
        self.W = torch.nn.Parameter(torch.randn(hidden, V, generator=g) * read_out)
        self.b = torch.nn.Parameter(torch.randn(V, generator=g) if kind == "mlp" else torch.zeros(V))

    def forward(self, idx):  # (B, block) -> (B, V)
        x = self.C[idx]  # (B, block, E)
        for level in self.levels:
            x = level(x)
        return x.squeeze(1) @ self.W + self.b


for kind, block, emb, hidden in [("mlp", 3, 10, 200), ("bn-mlp", 3, 10, 200), ("wavenet", 8, 24, 128)]:
    net = Net(kind, block, emb, hidden)
    params = list(net.parameters())
    X = torch.randint(0, V, (100_000, block), generator=g)
    Y = torch.randint(0, V, (100_000,), generator=g)

    def run(n):
        for _ in range(n):
            ix = torch.randint(0, X.shape[0], (32,), generator=g)
            loss = F.cross_entropy(net(X[ix]), Y[ix])
            for p in params:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p.add_(p.grad, alpha=-0.1)

    run(200)  # warm-up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run(steps)
        times.append((time.perf_counter() - start) * 1000 / steps)
    times.sort()
    print(kind, f"{times[len(times) // 2]:.4f}", sum(p.numel() for p in params))
