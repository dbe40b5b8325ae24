"""Python peers for Makemore.ML's `peers` benchmark (never a product dependency).

Run with Debian's /usr/bin/python3 (python3-torch 1.13, python3-nltk 3.8). Every mode prints one JSON object on one
line; times are medians of `passes` passes inside this process (the C# driver takes the median over its rounds).

  peers.py versions
  peers.py round NAMES KN6_TABLE STEPS PASSES   one round of the fast peers (plain Python, torch), all on 1 thread
  peers.py nltk NAMES KN_SUBSET LAPLACE_SUBSET  NLTK nltk.lm (Laplace bigram, interpolated Kneser-Ney 6-gram), once;
                                                a subset of 0 leaves that model out

KN6_TABLE: lines "6-gram<TAB>log p" written by the driver from our model (the same numbers, so the loop is the
honest plain-Python equivalent of one table lookup per character).
"""
import json
import math
import os
import sys
import tempfile
import time


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def timed(passes, fn):
    times = []
    for _ in range(passes):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return median(times)


def read_names(path):
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


def versions():
    out = {"python": sys.version.split()[0]}
    try:
        import torch
        out["torch"] = torch.__version__
    except Exception as e:  # noqa: BLE001 - report any import failure as "missing"
        out["torch_error"] = str(e).splitlines()[0] if str(e) else type(e).__name__
    try:
        import nltk
        out["nltk"] = nltk.__version__
    except Exception as e:  # noqa: BLE001
        out["nltk_error"] = str(e).splitlines()[0] if str(e) else type(e).__name__
    return out


def bigram_table(words):
    """The lecture's add-1 bigram as a plain list of lists of log p, and the char -> id dict."""
    chars = sorted(set("".join(words)))
    stoi = {c: i + 1 for i, c in enumerate(chars)}
    stoi["."] = 0
    v = len(stoi)
    counts = [[1] * v for _ in range(v)]
    for w in words:
        prev = 0
        for ch in w:
            i = stoi[ch]
            counts[prev][i] += 1
            prev = i
        counts[prev][0] += 1
    table = []
    for row in counts:
        total = sum(row)
        table.append([math.log(c / total) for c in row])
    return stoi, table


def score_bigram(words, stoi, table):
    total = 0.0
    for w in words:
        prev = 0
        s = 0.0
        for ch in w:
            i = stoi[ch]
            s += table[prev][i]
            prev = i
        s += table[prev][0]
        total += s
    return total


def score_table(words, table, order):
    pad = "." * (order - 1)
    total = 0.0
    for w in words:
        p = pad + w + "."
        s = 0.0
        for i in range(len(w) + 1):
            s += table[p[i:i + order]]
        total += s
    return total


def fit_bigram_torch(words, torch):
    """The lecture's counting (part 1): a dict of bigram counts, then the 27x27 tensor N and P = (N+1) normalised."""
    b = {}
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            bigram = (ch1, ch2)
            b[bigram] = b.get(bigram, 0) + 1
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    N = torch.zeros((len(stoi), len(stoi)), dtype=torch.int32)
    for (ch1, ch2), c in b.items():
        N[stoi[ch1], stoi[ch2]] = c
    P = (N + 1).float()
    P /= P.sum(1, keepdims=True)
    return P


def softmax_steps(words, torch, block, steps):
    """The lecture's neural n-gram at batch 32: W[ix] (the embedding route), cross_entropy + 0.01 (W**2).mean(),
    backward, W.data -= lr * grad; ms/step after 200 warm-up steps."""
    import torch.nn.functional as F
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    v = len(stoi)
    xs, ys = [], []
    for w in words:
        context = [0] * block
        for ch in list(w) + ["."]:
            ix = stoi[ch]
            row = 0
            for c in context:
                row = row * v + c
            xs.append(row)
            ys.append(ix)
            context = context[1:] + [ix]
    X = torch.tensor(xs)
    Y = torch.tensor(ys)
    g = torch.Generator().manual_seed(2147483647)
    W = torch.randn((v ** block, v), generator=g, requires_grad=True)

    def run(n):
        for _ in range(n):
            ix = torch.randint(0, X.shape[0], (32,), generator=g)
            logits = W[X[ix]]
            loss = F.cross_entropy(logits, Y[ix]) + 0.01 * (W ** 2).mean()
            W.grad = None
            loss.backward()
            W.data += -10 * W.grad

    run(200)
    start = time.perf_counter()
    run(steps)
    return (time.perf_counter() - start) * 1000 / steps


def torch_load_ms(torch, rows, cols, passes):
    fd, path = tempfile.mkstemp(suffix=".pt")
    os.close(fd)
    try:
        torch.save(torch.randn(rows, cols), path)
        torch.load(path)
        return timed(passes, lambda: torch.load(path)) * 1000
    finally:
        os.remove(path)


def one_round(names_path, table_path, steps, passes):
    words = read_names(names_path)
    out = {}
    stoi, table = bigram_table(words)
    out["py_score_bigram"] = len(words) / timed(passes, lambda: score_bigram(words, stoi, table))
    if table_path and os.path.exists(table_path):
        kn = {}
        with open(table_path, encoding="utf-8") as f:
            for line in f:
                gram, logp = line.rstrip("\n").split("\t")
                kn[gram] = float(logp)
        order = len(next(iter(kn)))
        out["py_score_kn6"] = len(words) / timed(passes, lambda: score_table(words, kn, order))
    try:
        import torch
    except Exception:  # noqa: BLE001
        return out
    torch.set_num_threads(1)
    fit_bigram_torch(words, torch)
    out["torch_fit_bigram_ms"] = timed(passes, lambda: fit_bigram_torch(words, torch)) * 1000
    out["torch_step_bigram_ms"] = softmax_steps(words, torch, 1, steps)
    out["torch_step_trigram_ms"] = softmax_steps(words, torch, 2, steps)
    out["torch_load_729x27_ms"] = torch_load_ms(torch, 729, 27, 20)
    out["torch_load_27x27_ms"] = torch_load_ms(torch, 27, 27, 20)
    return out


def steps_round(names_path, steps):
    """The neural n-gram steps alone (the "steps" table)."""
    import torch
    torch.set_num_threads(1)
    words = read_names(names_path)
    return {"torch_step_bigram_ms": softmax_steps(words, torch, 1, steps),
            "torch_step_trigram_ms": softmax_steps(words, torch, 2, steps)}


def nltk_round(names_path, kn_subset, laplace_subset):
    from nltk.lm import KneserNeyInterpolated, Laplace
    from nltk.lm.preprocessing import padded_everygram_pipeline
    words = read_names(names_path)
    out = {}
    for key, cls, order, subset in [("laplace2", Laplace, 2, laplace_subset), ("kn6", KneserNeyInterpolated, 6, kn_subset)]:
        if subset <= 0:
            continue
        train, vocab = padded_everygram_pipeline(order, [list(w) for w in words])
        model = cls(order)
        start = time.perf_counter()
        model.fit(train, vocab)
        out[f"nltk_fit_{key}_ms"] = (time.perf_counter() - start) * 1000
        scored = words[:subset]
        start = time.perf_counter()
        for w in scored:
            padded = ["<s>"] * (order - 1) + list(w) + ["</s>"]
            s = 0.0
            for i in range(order - 1, len(padded)):
                s += model.logscore(padded[i], padded[i - order + 1:i])
        out[f"nltk_score_{key}"] = len(scored) / (time.perf_counter() - start)
        out[f"nltk_score_{key}_names"] = len(scored)
    return out


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "versions":
        result = versions()
    elif mode == "round":
        result = one_round(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif mode == "steps":
        result = steps_round(sys.argv[2], int(sys.argv[3]))
    elif mode == "nltk":
        result = nltk_round(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result))
