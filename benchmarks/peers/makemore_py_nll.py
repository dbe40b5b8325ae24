"""Per-word NLL of a makemore.py checkpoint under makemore.py's own forward pass (docs/interop.md, "PyTorch and
makemore.py"). makemore.py is not ours to ship: give its path; this script imports it and runs its code only.

  python3 benchmarks/peers/makemore_py_nll.py PATH/TO/makemore.py -i WORDS --model model.pt --type transformer
      [--n-layer 4 --n-head 4 --n-embd 64 --n-embd2 64] [--seed 3407] [--part test|train] [--indices]

It does what makemore.py does before it trains: torch.manual_seed(--seed), create_datasets(-i) (so the split is its
torch.randperm split), builds the --type model from the flags, and load_state_dict(torch.load(--model)) (strict, as
--resume does). Then, for every word of the part in makemore.py's order, it prints

  word<TAB>nll

where nll is F.cross_entropy(logits, targets, ignore_index=-1) of that word alone: makemore.py's loss, the mean over
the word's characters and its end token, in nats. With --indices it prints the part's indices into the file's words
instead (one per line). With --manifest FILE, each line of FILE is one model, "model.pt --type T [flags]", all scored
in one process (torch is imported once) and printed as model.pt<TAB>word<TAB>nll. makemore.py's own prints go to stderr. When tensorboard is missing, its import is replaced by
a no-op SummaryWriter in a temporary copy; nothing else changes.
"""
import argparse
import contextlib
import importlib.util
import os
import sys
import tempfile

TENSORBOARD_IMPORT = "from torch.utils.tensorboard import SummaryWriter"
NO_OP_WRITER = ("class SummaryWriter:\n    def __init__(self, *a, **k): pass\n"
                "    def add_scalar(self, *a, **k): pass\n    def flush(self): pass")


def load_makemore(path):
    """makemore.py as a module (its __main__ block does not run)."""
    with open(path) as f:
        source = f.read()
    folder = tempfile.mkdtemp(prefix="makemore_py_")
    copy = os.path.join(folder, "makemore_run.py")
    with open(copy, "w") as f:
        f.write(source.replace(TENSORBOARD_IMPORT, NO_OP_WRITER))
    spec = importlib.util.spec_from_file_location("makemore_run", copy)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(mm, kind, config):
    return {
        "transformer": lambda: mm.Transformer(config),
        "bigram": lambda: mm.Bigram(config),
        "mlp": lambda: mm.MLP(config),
        "rnn": lambda: mm.RNN(config, cell_type="rnn"),
        "gru": lambda: mm.RNN(config, cell_type="gru"),
        "bow": lambda: mm.BoW(config),
    }[kind]()


def model_parser():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--model", required=True)
    parser.add_argument("--type", required=True)
    parser.add_argument("--n-layer", type=int, default=4)
    parser.add_argument("--n-head", type=int, default=4)
    parser.add_argument("--n-embd", type=int, default=64)
    parser.add_argument("--n-embd2", type=int, default=64)
    return parser


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("makemore_py")
    parser.add_argument("--input-file", "-i", required=True)
    parser.add_argument("--seed", type=int, default=3407)
    parser.add_argument("--part", choices=["test", "train"], default="test")
    parser.add_argument("--indices", action="store_true", help="print the part's indices into the file's words")
    parser.add_argument("--manifest", help="score every model listed in this file (one 'model.pt --type T [flags]' a line)")
    args, rest = parser.parse_known_args()

    mm = load_makemore(args.makemore_py)
    import torch
    torch.set_num_threads(1)
    if args.indices:
        # create_datasets' split, repeated: the same randperm right after the same seed
        torch.manual_seed(args.seed)
        with open(args.input_file) as f:
            words = [w for w in (line.strip() for line in f.read().splitlines()) if w]
        test_set_size = min(1000, int(len(words) * 0.1))
        rp = torch.randperm(len(words)).tolist()
        for i in (rp[-test_set_size:] if args.part == "test" else rp[:-test_set_size]):
            print(i)
        return
    if args.manifest:
        with open(args.manifest) as f:
            models = [model_parser().parse_args(["--model"] + line.split()) for line in f.read().splitlines() if line.strip()]
    else:
        models = [model_parser().parse_args(rest)]
    for m in models:
        with contextlib.redirect_stdout(sys.stderr):
            torch.manual_seed(args.seed)
            train, test = mm.create_datasets(args.input_file)
            config = mm.ModelConfig(vocab_size=train.get_vocab_size(), block_size=train.get_output_length(),
                                    n_layer=m.n_layer, n_head=m.n_head, n_embd=m.n_embd, n_embd2=m.n_embd2)
            model = build(mm, m.type, config)
            model.load_state_dict(torch.load(m.model))
            model.eval()
        dataset = test if args.part == "test" else train
        prefix = m.model + "\t" if args.manifest else ""
        with torch.no_grad():
            for i, word in enumerate(dataset.words):
                x, y = dataset[i]
                _, loss = model(x.unsqueeze(0), y.unsqueeze(0))
                print(f"{prefix}{word}\t{loss.item():.9g}")


if __name__ == "__main__":
    main()
