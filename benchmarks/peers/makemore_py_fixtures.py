"""Makes the makemore.py interop fixtures (tests/Makemore.ML.TorchSharp.Tests/Interop/Fixtures/MakemorePy; docs/interop.md,
"PyTorch and makemore.py"). makemore.py is not ours to ship: give its path; this script only runs it.

  python3 benchmarks/peers/makemore_py_fixtures.py PATH/TO/makemore.py [--makemore PATH/TO/makemore-cli]

Words: the first 2,000 names of data/names.txt (words.txt; makemore.py's split: 1,800 train, 200 test, seed 3407).
For each of makemore.py's types (transformer, bigram, mlp, rnn, gru, bow):
  - py-TYPE.pt: makemore.py trained at tiny sizes (--n-layer 1 --n-head 2 --n-embd 8 --n-embd2 16) for 501 steps, one
    thread, no workers (it saves model.pt at step 500, its first evaluation);
  - py-TYPE.nll.tsv: each test word and its NLL under makemore.py's own forward pass (makemore_py_nll.py);
  - ours-TYPE.zip: a model of the matching kind trained here (`makemore train`, --split makemore-py, tiny sizes; softmax
    block 1 for bigram), ours-TYPE.pt its `makemore export --format makemore-py`, and ours-TYPE.nll.tsv each test word's
    NLL under makemore.py's forward pass of that export (after makemore.py itself loaded it with --resume --sample-only).
Also split-names.txt: the indices of makemore.py's test words of data/names.txt (seed 3407), as create_datasets draws them.
flags.tsv lists each file's makemore.py flags. The tests read these files; none of them runs Python.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(REPO, "tests", "Makemore.ML.TorchSharp.Tests", "Interop", "Fixtures", "MakemorePy")
TYPES = ["transformer", "bigram", "mlp", "rnn", "gru", "bow"]
PY_FLAGS = {
    "transformer": ["--n-layer", "1", "--n-head", "2", "--n-embd", "8"],
    "bigram": [],
    "mlp": ["--n-embd", "8", "--n-embd2", "16"],
    "rnn": ["--n-embd", "8", "--n-embd2", "16"],
    "gru": ["--n-embd", "8", "--n-embd2", "16"],
    "bow": ["--n-embd", "8", "--n-embd2", "16"],
}
# Ours: the kind and tiny flags per makemore.py type (a block-1 softmax regression is makemore.py's bigram).
OURS = {
    "transformer": ["transformer", "--n-layer", "1", "--n-head", "2", "--n-embd", "8", "--steps", "300"],
    "bigram": ["softmax", "--block-size", "1", "--steps", "100"],
    "mlp": ["mlp", "--block-size", "3", "--n-embd", "4", "--n-hidden", "16", "--steps", "300"],
    "rnn": ["rnn", "--n-embd", "8", "--n-embd2", "16", "--steps", "300"],
    "gru": ["gru", "--n-embd", "8", "--n-embd2", "16", "--steps", "300"],
    "bow": ["bow", "--n-embd", "8", "--n-embd2", "16", "--steps", "300"],
}


def run(command, **kw):
    print("+", " ".join(command), file=sys.stderr)
    return subprocess.run(command, check=True, text=True, stdout=subprocess.PIPE, **kw).stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("makemore_py")
    parser.add_argument("--python", default="/usr/bin/python3")
    parser.add_argument("--makemore", default=os.path.join(REPO, "src", "Makemore.Cli", "bin", "Release", "net10.0", "linux-x64", "makemore"))
    args = parser.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS="1")
    os.makedirs(OUT, exist_ok=True)
    words = os.path.join(OUT, "words.txt")
    with open(os.path.join(REPO, "data", "names.txt")) as f:
        names = f.read().splitlines()
    with open(words, "w") as f:
        f.write("".join(n + "\n" for n in names[:2000]))
    nll = [args.python, os.path.join(HERE, "makemore_py_nll.py"), args.makemore_py]
    with open(os.path.join(OUT, "split-names.txt"), "w") as f:
        f.write(run(nll + ["-i", os.path.join(REPO, "data", "names.txt"), "--indices"], env=env))
    work = tempfile.mkdtemp(prefix="makemore_py_fixtures_")
    runnable = os.path.join(work, "makemore_run.py")
    with open(args.makemore_py) as f:
        source = f.read()
    with open(runnable, "w") as f:
        f.write(source.replace("from torch.utils.tensorboard import SummaryWriter",
                               "class SummaryWriter:\n    def __init__(self, *a, **k): pass\n"
                               "    def add_scalar(self, *a, **k): pass\n    def flush(self): pass"))
    flags_rows = []
    for kind in TYPES:
        flags = ["--type", kind] + PY_FLAGS[kind]
        # makemore.py trains and saves its model.pt at step 500
        folder = os.path.join(work, "py-" + kind)
        run([args.python, runnable, "-i", words, "-o", folder, "--max-steps", "501", "--num-workers", "0"] + flags, env=env)
        shutil.copy(os.path.join(folder, "model.pt"), os.path.join(OUT, f"py-{kind}.pt"))
        with open(os.path.join(OUT, f"py-{kind}.nll.tsv"), "w") as f:
            f.write(run(nll + ["-i", words, "--model", os.path.join(folder, "model.pt")] + flags, env=env))
        flags_rows.append(f"py-{kind}.pt\t{' '.join(flags)}")
        # ours: train, export, makemore.py loads it (--resume --sample-only) and scores it
        zip_path = os.path.join(OUT, f"ours-{kind}.zip")
        run([args.makemore, "train"] + OURS[kind] + ["-i", words, "--split", "makemore-py", "--split-seed", "3407",
                                                     "--seed", "1", "--samples", "0", "--quiet", "-o", zip_path], env=env)
        folder = os.path.join(work, "ours-" + kind)
        os.makedirs(folder)
        printed = run([args.makemore, "export", "-m", zip_path, "--format", "makemore-py", "-i", words,
                       "-o", os.path.join(folder, "model.pt")], env=env)
        exported = printed.split(" -o ", 1)[1].split(" --resume", 1)[0].split(" ", 1)[1].split()
        run([args.python, runnable, "-i", words, "-o", folder] + exported + ["--resume", "--sample-only", "--num-workers", "0"], env=env)
        shutil.copy(os.path.join(folder, "model.pt"), os.path.join(OUT, f"ours-{kind}.pt"))
        with open(os.path.join(OUT, f"ours-{kind}.nll.tsv"), "w") as f:
            f.write(run(nll + ["-i", words, "--model", os.path.join(folder, "model.pt")] + exported, env=env))
        flags_rows.append(f"ours-{kind}.pt\t{' '.join(exported)}")
    with open(os.path.join(OUT, "flags.tsv"), "w") as f:
        f.write("".join(r + "\n" for r in flags_rows))
    shutil.rmtree(work)
    print(f"fixtures written to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
