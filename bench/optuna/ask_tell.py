"""Optuna 3.1 study.ask() / study.tell() overhead on a durable storage, for side-by-side figures.

Run with Debian's python3 (python3-optuna): /usr/bin/python3 bench/optuna/ask_tell.py journal 1000
Prints one JSON object: median microseconds per ask and per tell, and the wall time.
"""
import argparse
import json
import os
import statistics
import tempfile
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def make_storage(kind, tmp):
    if kind == "journal":
        return optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(os.path.join(tmp, "journal.log")))
    if kind == "sqlite":
        return optuna.storages.RDBStorage(f"sqlite:///{os.path.join(tmp, 'optuna.db')}")
    raise SystemExit(f"unknown storage {kind}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("storage", choices=["journal", "sqlite"])
    parser.add_argument("trials", type=int)
    args = parser.parse_args()
    dist = {"x": optuna.distributions.FloatDistribution(-5, 5), "n": optuna.distributions.IntDistribution(0, 9)}
    with tempfile.TemporaryDirectory() as tmp:
        study = optuna.create_study(storage=make_storage(args.storage, tmp), sampler=optuna.samplers.RandomSampler(seed=1))
        asks, tells = [], []
        started = time.perf_counter()
        for _ in range(args.trials):
            t0 = time.perf_counter()
            trial = study.ask(dist)
            t1 = time.perf_counter()
            study.tell(trial, trial.params["x"] ** 2 + trial.params["n"])
            t2 = time.perf_counter()
            asks.append((t1 - t0) * 1e6)
            tells.append((t2 - t1) * 1e6)
        wall = time.perf_counter() - started
    print(json.dumps({
        "storage": args.storage,
        "trials": args.trials,
        "askUs": statistics.median(asks),
        "tellUs": statistics.median(tells),
        "wallS": wall,
    }))


if __name__ == "__main__":
    main()
