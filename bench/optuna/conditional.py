#!/usr/bin/python3
"""Optuna side of bench/conditional.ts: choosing among three model families, each with its own
parameters (one with a nested choice), scored by a known function.

    /usr/bin/python3 bench/optuna/conditional.py --trials 100 --seeds 20

Define-by-run: the objective suggests `lr` and `family`, then only the chosen family's
parameters (and, for mlp, the optimizer's own parameter). The score is defined exactly as in
bench/conditional.ts (same constants, same order of operations). Prints one JSON object on
its last line: for every sampler, each seed's best value after `--trials` trials (seeds 0..N-1).

Samplers: `tpe` = TPESampler(seed) (Optuna's default, independent per parameter: each modelled
from the trials that have it), `tpe-group` = TPESampler(seed, multivariate=True, group=True)
(the group decomposition), `random` = RandomSampler(seed).
"""
import argparse
import json
import math
import statistics
import sys
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
optuna.logging.disable_default_handler()
warnings.filterwarnings("ignore")

KERNEL_PENALTY = {"rbf": 0.0, "poly": 0.03, "linear": 0.06}
OPTIMUM = 0.07


def score(p):
    """The known function (lower is better; minimum 0.07: mlp, adam, beta2 0.999, lr 0.01, 3 layers of 256, dropout 0.2)."""
    s = 0.02 * (math.log10(p["lr"]) + 2) ** 2
    f = p["family"]
    if f == "svm":
        return s + 0.12 + 0.02 * (math.log10(p["c"]) - 1.5) ** 2 + 0.03 * (math.log10(p["gamma"]) + 1.5) ** 2 + KERNEL_PENALTY[p["kernel"]]
    if f == "forest":
        return s + 0.1 + 0.01 * math.log2(p["trees"] / 400) ** 2 + 0.0005 * (p["depth"] - 18) ** 2 + 0.2 * (p["features"] - 0.35) ** 2
    s = s + 0.07 + 0.01 * (p["layers"] - 3) ** 2 + 0.01 * math.log2(p["width"] / 256) ** 2 + 0.2 * (p["dropout"] - 0.2) ** 2
    if p["opt"] == "sgd":
        return s + 0.02 + 0.3 * (p["momentum"] - 0.9) ** 2
    return s + 20 * (p["beta2"] - 0.999) ** 2


def objective(trial):
    p = {"lr": trial.suggest_float("lr", 1e-4, 1, log=True), "family": trial.suggest_categorical("family", ["forest", "mlp", "svm"])}
    if p["family"] == "svm":
        p["c"] = trial.suggest_float("c", 1e-3, 1e3, log=True)
        p["gamma"] = trial.suggest_float("gamma", 1e-4, 10, log=True)
        p["kernel"] = trial.suggest_categorical("kernel", ["linear", "poly", "rbf"])
    elif p["family"] == "forest":
        p["trees"] = trial.suggest_int("trees", 10, 1000, log=True)
        p["depth"] = trial.suggest_int("depth", 2, 30)
        p["features"] = trial.suggest_float("features", 0.1, 1)
    else:
        p["layers"] = trial.suggest_int("layers", 1, 5)
        p["width"] = trial.suggest_int("width", 16, 1024, log=True)
        p["dropout"] = trial.suggest_float("dropout", 0, 0.7)
        p["opt"] = trial.suggest_categorical("opt", ["adam", "sgd"])
        if p["opt"] == "sgd":
            p["momentum"] = trial.suggest_float("momentum", 0, 0.99)
        else:
            p["beta2"] = trial.suggest_float("beta2", 0.9, 0.9999)
    return score(p)


def make_sampler(name, seed):
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "tpe-group":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True)
    raise ValueError(name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--samplers", default="tpe,tpe-group,random")
    args = ap.parse_args()
    out = {"optuna": optuna.__version__, "trials": args.trials, "seeds": args.seeds, "optimum": OPTIMUM, "results": {}}
    for name in args.samplers.split(","):
        bests = []
        for seed in range(args.seeds):
            study = optuna.create_study(sampler=make_sampler(name, seed), direction="minimize")
            study.optimize(objective, n_trials=args.trials)
            bests.append(study.best_value)
        print("optuna %s: median %.6g" % (name, statistics.median(bests)), file=sys.stderr, flush=True)
        out["results"][name] = {"best": bests, "median": statistics.median(bests)}
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
