"""Training speed side by side with makemore.py itself (issue 9; docs/models.md, "Training speed side by side with
makemore.py"). makemore.py is not ours to ship: you supply its path, and this script only runs it.

  python3 benchmarks/peers/makemore_py_side_by_side.py PATH/TO/makemore.py [--names FILE] [--rounds 3]
      [--steps 1000] [--types rnn gru bow transformer]

Both sides run at makemore.py's defaults for each type: 1 thread (OMP_NUM_THREADS=1; ours --threads 1), batch 32.
The runs are interleaved (each round runs makemore.py, then ours, for every type), so both see the same load, and
the table gives medians over the rounds.

Each process is timed from outside while it runs. Whenever it prints a progress line (makemore.py every 10 steps;
ours every tenth of the run), the script reads the wall clock and the process's CPU time (utime + stime, all threads,
from /proc). ms/step is the sum over the windows between consecutive lines past the first quarter of the run
(warm-up left out), divided by the steps in them. Windows that hold work other than training are left out:
  - makemore.py's sampling after every 200th step and its evaluation after every 500th step;
  - our dev evaluation before the last line.
CPU ms/step is what a step costs, whatever else runs on the machine. Wall ms/step also counts the time another
process held the core. makemore.py's own figure (the median of the single-step times it prints) is shown too.

Python: --python (default Debian's /usr/bin/python3 with python3-torch). When tensorboard is missing, its import is
replaced by a no-op SummaryWriter in a temporary copy; nothing else changes. Ours: --makemore (default the Release
CLI; build it with `dotnet build src/Makemore.Cli -c Release`).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TICKS = os.sysconf("SC_CLK_TCK")
PY_LINE = re.compile(r"^step (\d+) \| loss \S+ \| step time ([\d.]+)ms")
OURS_LINE = re.compile(r"^step +(\d+)/(\d+) ")
TENSORBOARD_IMPORT = "from torch.utils.tensorboard import SummaryWriter"
NO_OP_WRITER = ("class SummaryWriter:\n    def __init__(self, *a, **k): pass\n"
                "    def add_scalar(self, *a, **k): pass\n    def flush(self): pass")


def cpu_seconds(pid):
    """utime + stime of a process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def load_average():
    with open("/proc/loadavg") as f:
        return f.read().split()[:3]


def run_timed(command, env, pattern):
    """Runs a command; for every output line matching pattern: (match, wall s, CPU s) read when the line arrived."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    marks, output = [], []
    for line in process.stdout:
        wall, cpu = time.perf_counter(), cpu_seconds(process.pid)
        output.append(line)
        m = pattern.match(line)
        if m:
            marks.append((m, wall, cpu))
    if process.wait() != 0:
        sys.exit(f"side-by-side: {' '.join(command)} failed:\n{''.join(output[-20:])}")
    return marks


def per_step(windows):
    """(wall ms/step, CPU ms/step) over windows of (steps, wall s, CPU s)."""
    steps = sum(w[0] for w in windows)
    if steps == 0:
        sys.exit("side-by-side: no progress window to time")
    return (1000 * sum(w[1] for w in windows) / steps, 1000 * sum(w[2] for w in windows) / steps)


def windows_of(marks, first_step, skip):
    result = []
    for (a, wa, ca), (b, wb, cb) in zip(marks, marks[1:]):
        if a >= first_step and not skip(a, b):
            result.append((b - a, wb - wa, cb - ca))
    return result


def run_makemore_py(args, script, work, kind):
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    command = [args.python, script, "-i", args.names, "-o", os.path.join(work, "out-" + kind), "--type", kind,
               "--max-steps", str(args.steps), "--num-workers", "0", "--device", "cpu"]
    marks = run_timed(command, env, PY_LINE)
    first = args.steps // 4
    printed = [float(m.group(2)) for m, _, _ in marks if int(m.group(1)) >= first]
    steps = [(int(m.group(1)), w, c) for m, w, c in marks]
    # makemore.py samples after printing step s when s % 200 == 0, and evaluates when s % 500 == 0.
    wall, cpu = per_step(windows_of(steps, first, lambda a, b: a > 0 and (a % 200 == 0 or a % 500 == 0)))
    return statistics.median(printed), wall, cpu


def run_ours(args, work, kind):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    command = [args.makemore, "train", "--type", kind, "-i", args.names, "--steps", str(args.steps),
               "--eval-every", "100000", "--threads", "1", "--samples", "0", "-o", os.path.join(work, kind + ".zip")]
    marks = run_timed(command, env, OURS_LINE)
    steps = [(int(m.group(1)), w, c) for m, w, c in marks]
    # The last line comes after the dev evaluation.
    return per_step(windows_of(steps, args.steps // 4, lambda a, b: b == args.steps))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("makemore_py", help="path to karpathy/makemore's makemore.py")
    parser.add_argument("--names", default=os.environ.get("MAKEMORE_NAMES",
                                                          os.path.join(REPO, "..", "shared", "data", "names.txt")))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--types", nargs="+", default=["rnn", "gru", "bow", "transformer"])
    parser.add_argument("--python", default="/usr/bin/python3")
    parser.add_argument("--makemore", default=os.path.join(REPO, "src/Makemore.Cli/bin/Release/net10.0/linux-x64/makemore"))
    args = parser.parse_args()
    for path, what in ((args.makemore_py, "makemore.py"), (args.names, "names file"), (args.makemore, "our CLI")):
        if not os.path.isfile(path):
            sys.exit(f"side-by-side: no {what} at {path}")
    if args.steps < 400:
        sys.exit("side-by-side: --steps must be at least 400 (ours prints progress every tenth of the run)")
    probe = subprocess.run([args.python, "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True)
    if probe.returncode != 0:
        sys.exit(f"side-by-side: {args.python} has no torch (apt-get install python3-torch)")

    with tempfile.TemporaryDirectory() as work:
        script = os.path.join(work, "makemore.py")
        shutil.copyfile(args.makemore_py, script)
        if subprocess.run([args.python, "-c", "import torch.utils.tensorboard"], capture_output=True).returncode != 0:
            with open(script) as f:
                source = f.read()
            with open(script, "w") as f:
                f.write(source.replace(TENSORBOARD_IMPORT, NO_OP_WRITER))
        print(f"torch {probe.stdout.strip()}, {os.cpu_count()} cores, load average before: {' '.join(load_average())}")
        results = {kind: [] for kind in args.types}
        for round_ in range(1, args.rounds + 1):
            for kind in args.types:
                printed, py_wall, py_cpu = run_makemore_py(args, script, work, kind)
                ours_wall, ours_cpu = run_ours(args, work, kind)
                results[kind].append((printed, py_wall, py_cpu, ours_wall, ours_cpu))
                print(f"round {round_} {kind}: makemore.py printed {printed:.2f}, wall {py_wall:.2f}, CPU {py_cpu:.2f}; "
                      f"ours wall {ours_wall:.2f}, CPU {ours_cpu:.2f} ms/step (load {load_average()[0]})", file=sys.stderr)
        print(f"load average after: {' '.join(load_average())}\n")

    print(f"| type | makemore.py printed step (median) | makemore.py wall | ours wall | wall ratio | "
          f"makemore.py CPU | ours CPU | **CPU ratio** (goal ≥ 1.2) | CPU ratio per round |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind, rows in results.items():
        med = [statistics.median(column) for column in zip(*rows)]
        per_round = ", ".join(f"{r[2] / r[4]:.2f}" for r in rows)
        print(f"| {kind} | {med[0]:.2f} | {med[1]:.2f} | {med[3]:.2f} | {med[1] / med[3]:.2f} | "
              f"{med[2]:.2f} | {med[4]:.2f} | {med[2] / med[4]:.2f} | {per_round} |")
    print(f"\nms/step, medians over {args.rounds} interleaved rounds of {args.steps} steps per run, 1 thread, batch 32.")


if __name__ == "__main__":
    main()
