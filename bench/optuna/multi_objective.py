#!/usr/bin/python3
"""Optuna side of bench/multi-objective.ts.

Run with Debian's interpreter, which sees the apt package python3-optuna (3.1):

    /usr/bin/python3 bench/optuna/multi_objective.py --trials 200 --seeds 20

Prints one JSON object on stdout: for every problem and sampler, the objective values of every
completed trial for each seed (seeds 0..N-1, or from --first-seed), so bench/multi-objective.ts computes the
hypervolume of both sides with the same code and the same reference point; and for every
constrained problem, the best feasible value after `--constrained-trials` trials per seed.
The problems are defined exactly as in bench/lib/multi-objective-problems.ts.
"""
import argparse
import json
import math
import pickle
import statistics
import sys
import warnings

import optuna
from optuna.distributions import FloatDistribution
from optuna.samplers._tpe import sampler as _tpe_sampler

optuna.logging.set_verbosity(optuna.logging.ERROR)
optuna.logging.disable_default_handler()
warnings.filterwarnings("ignore")


def _memoize_last(fn):
    """`fn` remembering its last call: Optuna 3.1's independent TPE calls the pure helpers below
    once per parameter with the same trials (30 times per trial on ZDT), and MOTPE's greedy
    hypervolume subset selection and contributions make that the bulk of its time. Results are
    returned from the cache only for equal arguments, so no proposal changes."""
    last = {}

    def wrapped(*args):
        key = pickle.dumps(args)
        if last.get("key") != key:
            last["key"], last["value"] = key, fn(*args)
        value = last["value"]
        return tuple(v.copy() for v in value) if isinstance(value, tuple) else value.copy()

    return wrapped


_tpe_sampler._split_observation_pairs = _memoize_last(_tpe_sampler._split_observation_pairs)
_tpe_sampler._calculate_weights_below_for_multi_objective = _memoize_last(
    _tpe_sampler._calculate_weights_below_for_multi_objective
)


def zdt1(x):
    n = len(x)
    g = 1 + 9 * sum(x[1:]) / (n - 1)
    f1 = x[0]
    return [f1, g * (1 - math.sqrt(f1 / g))]


def zdt2(x):
    n = len(x)
    g = 1 + 9 * sum(x[1:]) / (n - 1)
    f1 = x[0]
    return [f1, g * (1 - (f1 / g) ** 2)]


def zdt3(x):
    n = len(x)
    g = 1 + 9 * sum(x[1:]) / (n - 1)
    f1 = x[0]
    r = f1 / g
    return [f1, g * (1 - math.sqrt(r) - r * math.sin(10 * math.pi * f1))]


def dtlz2(x, m=3):
    k = len(x) - m + 1
    g = sum((xi - 0.5) ** 2 for xi in x[m - 1 :])
    out = []
    for i in range(m):
        v = 1 + g
        for j in range(m - 1 - i):
            v *= math.cos(x[j] * math.pi / 2)
        if i > 0:
            v *= math.sin(x[m - 1 - i] * math.pi / 2)
        out.append(v)
    return out


# name: (function, number of variables in [0, 1], directions)
PROBLEMS = {
    "zdt1": (zdt1, 30, 2),
    "zdt2": (zdt2, 30, 2),
    "dtlz2": (dtlz2, 12, 3),
    "zdt3": (zdt3, 30, 2),
}


def gardner(p):
    """Gardner et al. (2014), problem 1: value and constraint (<= 0 is feasible)."""
    x1, x2 = p["x1"], p["x2"]
    value = math.cos(2 * x1) * math.cos(x2) + math.sin(x1)
    c = math.cos(x1) * math.cos(x2) - math.sin(x1) * math.sin(x2) - 0.5
    return value, [c]


def branin_c(p):
    """Branin under a disk constraint (x1 - 2.5)^2 + (x2 - 7.5)^2 <= 50 (Gelbart et al. 2014)."""
    x1, x2 = p["x1"], p["x2"]
    a, b, c, r, s, t = 1.0, 5.1 / (4 * math.pi**2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
    value = a * (x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s
    return value, [(x1 - 2.5) ** 2 + (x2 - 7.5) ** 2 - 50]


CONSTRAINED = {
    "gardner": (gardner, {"x1": FloatDistribution(0, 6), "x2": FloatDistribution(0, 6)}),
    "branin-c": (branin_c, {"x1": FloatDistribution(-5, 10), "x2": FloatDistribution(0, 15)}),
}


def make_sampler(name, seed, constraints_func=None):
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed, constraints_func=constraints_func)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed, constraints_func=constraints_func)
    raise ValueError(name)


def run_mo(pname, sname, seed, trials):
    fn, nvars, m = PROBLEMS[pname]
    study = optuna.create_study(sampler=make_sampler(sname, seed), directions=["minimize"] * m)
    dists = {"x%02d" % i: FloatDistribution(0, 1) for i in range(nvars)}
    values = []
    for _ in range(trials):
        trial = study.ask(fixed_distributions=dists)
        v = fn([trial.params["x%02d" % i] for i in range(nvars)])
        study.tell(trial, v)
        values.append(v)
    return values


def run_constrained(pname, sname, seed, trials):
    fn, dists = CONSTRAINED[pname]
    study = optuna.create_study(
        sampler=make_sampler(sname, seed, constraints_func=lambda t: t.user_attrs["c"]), direction="minimize"
    )
    best = math.inf
    for _ in range(trials):
        trial = study.ask(fixed_distributions=dists)
        value, c = fn(trial.params)
        trial.set_user_attr("c", c)
        study.tell(trial, value)
        if all(ci <= 0 for ci in c):
            best = min(best, value)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=0, help="seeds first-seed .. first-seed + seeds - 1 (to run seeds in parts)")
    ap.add_argument("--problems", default=",".join(PROBLEMS))
    ap.add_argument("--samplers", default="nsga2,tpe")
    ap.add_argument("--constrained", default=",".join(CONSTRAINED))
    ap.add_argument("--constrained-trials", type=int, default=100)
    args = ap.parse_args()

    seeds = range(args.first_seed, args.first_seed + args.seeds)
    out = {"optuna": optuna.__version__, "python": sys.version.split()[0], "trials": args.trials, "seeds": args.seeds, "firstSeed": args.first_seed, "mo": {}, "constrained": {}}
    for pname in filter(None, args.problems.split(",")):
        for sname in args.samplers.split(","):
            runs = [run_mo(pname, sname, seed, args.trials) for seed in seeds]
            print("optuna %s %s: done" % (pname, sname), file=sys.stderr, flush=True)
            out["mo"].setdefault(pname, {})[sname] = runs
    for pname in filter(None, args.constrained.split(",")):
        bests = [run_constrained(pname, "tpe", seed, args.constrained_trials) for seed in seeds]
        print("optuna %s tpe: median best feasible %.6g" % (pname, statistics.median(bests)), file=sys.stderr, flush=True)
        out["constrained"][pname] = {"tpe": [b if math.isfinite(b) else None for b in bests]}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
