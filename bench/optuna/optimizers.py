#!/usr/bin/python3
"""Optuna side of bench/optimizers.ts.

Run with Debian's interpreter, which sees the apt package python3-optuna (3.1):

    /usr/bin/python3 bench/optuna/optimizers.py --trials 100 --seeds 20

Prints one JSON object on stdout: for every function and sampler, the best value after
`--trials` trials for each seed (seeds 0..N-1), and the sampler's own time per suggestion
(`study.ask` + `study.tell`, the objective excluded) in milliseconds. The functions and the
search spaces are defined exactly as in bench/optimizers.ts.
"""
import argparse
import json
import math
import statistics
import sys
import time
import warnings

import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from test_functions import hartmann6

optuna.logging.set_verbosity(optuna.logging.ERROR)
optuna.logging.disable_default_handler()
warnings.filterwarnings("ignore")


def branin(p):
    x1, x2 = p["x1"], p["x2"]
    a, b, c, r, s, t = 1.0, 5.1 / (4 * math.pi**2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
    return a * (x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


def rosenbrock5(p):
    x = [p["x%d" % i] for i in range(5)]
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(4))


KERNEL_PENALTY = {"rbf": 0.0, "linear": 0.05, "poly": 0.1}


def mixed(p):
    return (
        (math.log10(p["lr"]) + 3) ** 2 / 10
        + ((p["n"] - 17) / 32) ** 2
        + (p["momentum"] - 0.9) ** 2
        + KERNEL_PENALTY[p["kernel"]]
    )


FUNCTIONS = {
    "branin": (branin, {"x1": FloatDistribution(-5, 10), "x2": FloatDistribution(0, 15)}),
    "hartmann6": (lambda p: hartmann6([p["x%d" % i] for i in range(6)]), {"x%d" % i: FloatDistribution(0, 1) for i in range(6)}),
    "rosenbrock5": (rosenbrock5, {"x%d" % i: FloatDistribution(-5, 10) for i in range(5)}),
    "mixed": (
        mixed,
        {
            "kernel": CategoricalDistribution(["rbf", "linear", "poly"]),
            "lr": FloatDistribution(1e-5, 1e-1, log=True),
            "momentum": FloatDistribution(0, 1),
            "n": IntDistribution(1, 64),
        },
    ),
}


def make_sampler(name, seed):
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "tpe-mv":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    if name == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    raise ValueError(name)


def run_one(fname, sampler_name, seed, trials):
    fn, dists = FUNCTIONS[fname]
    study = optuna.create_study(sampler=make_sampler(sampler_name, seed), direction="minimize")
    best = math.inf
    spent = 0.0
    for _ in range(trials):
        t0 = time.perf_counter()
        trial = study.ask(fixed_distributions=dists)
        t1 = time.perf_counter()
        value = fn(trial.params)
        t2 = time.perf_counter()
        study.tell(trial, value)
        t3 = time.perf_counter()
        spent += (t1 - t0) + (t3 - t2)
        best = min(best, value)
    return best, spent * 1000 / trials


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--functions", default=",".join(FUNCTIONS))
    ap.add_argument("--samplers", default="random,tpe,tpe-mv,cmaes")
    ap.add_argument("--long-trials", type=int, default=1000, help="trials of the long TPE timing run (0 to skip)")
    ap.add_argument("--long-seeds", type=int, default=3)
    ap.add_argument("--long-function", default="hartmann6")
    args = ap.parse_args()

    out = {"optuna": optuna.__version__, "python": sys.version.split()[0], "trials": args.trials, "seeds": args.seeds, "results": {}, "long": {}}
    for fname in args.functions.split(","):
        for sname in args.samplers.split(","):
            bests, times = [], []
            for seed in range(args.seeds):
                b, ms = run_one(fname, sname, seed, args.trials)
                bests.append(b)
                times.append(ms)
            print("optuna %s %s: median %.6g, %.3f ms/suggestion" % (fname, sname, statistics.median(bests), statistics.median(times)), file=sys.stderr, flush=True)
            out["results"].setdefault(fname, {})[sname] = {
                "best": bests,
                "median": statistics.median(bests),
                "msPerSuggestion": statistics.median(times),
            }
    if args.long_trials > 0:
        for sname in ("tpe", "tpe-mv"):
            times, bests = [], []
            for seed in range(args.long_seeds):
                b, ms = run_one(args.long_function, sname, seed, args.long_trials)
                bests.append(b)
                times.append(ms)
            print("optuna long %s: %.3f ms/suggestion" % (sname, statistics.median(times)), file=sys.stderr, flush=True)
            out["long"][sname] = {
                "function": args.long_function,
                "trials": args.long_trials,
                "seeds": args.long_seeds,
                "median": statistics.median(bests),
                "msPerSuggestion": statistics.median(times),
            }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
