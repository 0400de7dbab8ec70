#!/usr/bin/python3
"""Optuna side of bench/motpe-distribution.ts: one multi-objective history (Optuna 3.1's
TPESampler, seed 0, on a problem of multi_objective.py), then `draws` proposals of a fresh
TPESampler (seed 12345) for that history, parameter by parameter through `sample_independent`
(the history does not grow), and the log densities of the good and the other Parzen estimator
at 21 points per parameter. Prints one JSON object.

    /usr/bin/python3 bench/optuna/motpe_distribution.py --trials 60 --draws 2000 --problem zdt1
"""
import argparse
import json
import os
import sys
import warnings

import numpy as np
import optuna
from optuna.distributions import FloatDistribution
from optuna.samplers._tpe import sampler as _tpe_sampler
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import multi_objective  # noqa: E402  (its problems, and its memoized MOTPE helpers)

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=60)
    ap.add_argument("--draws", type=int, default=2000)
    ap.add_argument("--problem", default="zdt1")
    args = ap.parse_args()
    fn, nvars, m = multi_objective.PROBLEMS[args.problem]
    dists = {"x%02d" % i: FloatDistribution(0, 1) for i in range(nvars)}
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0), directions=["minimize"] * m)
    history = []
    for _ in range(args.trials):
        trial = study.ask(fixed_distributions=dists)
        values = fn([trial.params[k] for k in dists])
        study.tell(trial, values)
        history.append({"params": trial.params, "values": values})
    sampler = optuna.samplers.TPESampler(seed=12345)
    last = study.trials[-1]
    proposals = {k: [sampler.sample_independent(study, last, k, d) for _ in range(args.draws)] for k, d in dists.items()}
    values, scores, violations = _tpe_sampler._get_observation_pairs(study, list(dists), False, False)
    below, above = _tpe_sampler._split_observation_pairs(scores, sampler._gamma(len(scores)), violations)
    weights = _tpe_sampler._calculate_weights_below_for_multi_objective(scores, below, violations)
    grid = [i / 20 for i in range(21)]
    logpdf = {}
    for k, d in dists.items():
        column = np.asarray(values[k], dtype=float)
        params = sampler._parzen_estimator_parameters
        l = _ParzenEstimator({k: column[below]}, {k: d}, params, weights)
        g = _ParzenEstimator({k: column[above]}, {k: d}, params)
        logpdf[k] = {"l": l.log_pdf({k: np.asarray(grid)}).tolist(), "g": g.log_pdf({k: np.asarray(grid)}).tolist()}
    out = {"optuna": optuna.__version__, "history": history, "below": sorted(int(i) for i in below), "proposals": proposals, "grid": grid, "logpdf": logpdf}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
