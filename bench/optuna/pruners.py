#!/usr/bin/python3
"""Optuna side of bench/pruners.ts: Optuna 3.1's own pruning decisions on fixed learning curves.

    /usr/bin/python3 bench/optuna/pruners.py --trials 40 --seeds 3

For every pruner configuration (the same ones as bench/pruners.ts, by name), direction and
seed, runs a study of `--trials` sequential trials (study name = the seed, so Hyperband draws
its brackets from the same string as ours). Each trial's curve is drawn from a seeded
`random.Random` (a level, a decay rate, noise; `--steps` steps), reported every `--stride`
steps with `should_prune()` asked after each report; a pruned trial stops there. Prints one
JSON line: for every study, each trial's reported points and its outcome, and the curve it
would have run, so the TypeScript side can replay the same curves.
"""
import argparse
import json
import random
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
optuna.logging.disable_default_handler()
warnings.filterwarnings("ignore")

P = optuna.pruners
CONFIGS = {
    "median": lambda: P.MedianPruner(),
    "median-warmup-interval": lambda: P.MedianPruner(n_startup_trials=2, n_warmup_steps=3, interval_steps=4, n_min_trials=3),
    "percentile-25": lambda: P.PercentilePruner(25.0),
    "patient": lambda: P.PatientPruner(None, patience=2, min_delta=0.01),
    "patient-median": lambda: P.PatientPruner(P.MedianPruner(n_startup_trials=2), patience=1),
    "asha-auto": lambda: P.SuccessiveHalvingPruner(),
    "asha-1-3": lambda: P.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3),
    "asha-bootstrap": lambda: P.SuccessiveHalvingPruner(min_resource=2, reduction_factor=2, bootstrap_count=2),
    "asha-rate-1": lambda: P.SuccessiveHalvingPruner(min_resource=1, reduction_factor=4, min_early_stopping_rate=1),
    "hyperband-30": lambda: P.HyperbandPruner(min_resource=1, max_resource=30, reduction_factor=3),
    "hyperband-auto": lambda: P.HyperbandPruner(),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--stride", type=int, default=1)
    ap.add_argument("--configs", default=",".join(CONFIGS))
    a = ap.parse_args()
    out = {}
    for name in a.configs.split(","):
        for direction in ("minimize", "maximize"):
            for seed in range(1, a.seeds + 1):
                rnd = random.Random(f"{name}/{direction}/{seed}")
                study = optuna.create_study(study_name=str(seed), direction=direction, pruner=CONFIGS[name]())
                trials = []
                for _ in range(a.trials):
                    level, rate = rnd.random() * 2, rnd.random()
                    full = [[i, level + 1 / (1 + rate * i) + 0.1 * rnd.random()] for i in range(0, a.steps, a.stride)]
                    if direction == "maximize":
                        full = [[s, -v] for s, v in full]
                    trial = study.ask()
                    reported, status = [], "ok"
                    for s, v in full:
                        trial.report(v, s)
                        reported.append([s, v])
                        if trial.should_prune():
                            status = "pruned"
                            break
                    if status == "ok":
                        study.tell(trial, full[-1][1])
                    else:
                        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                    trials.append({"status": status, "reported": reported, "full": full})
                out[f"{name}/{direction}/{seed}"] = trials
    print(json.dumps({"optuna": optuna.__version__, "studies": out}))


if __name__ == "__main__":
    main()
