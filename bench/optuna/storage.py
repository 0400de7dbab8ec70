"""Per-trial overhead of Optuna 3.1 storages on trivial work, for side-by-side figures.

Run with Debian's python3 (python3-optuna): /usr/bin/python3 bench/optuna/storage.py journal 1100 --windows 100,1000
Prints one JSON object: median milliseconds per trial in each window [start, start + 100).
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
        path = os.path.join(tmp, "journal.log")
        return optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(path))
    if kind == "memory":
        return optuna.storages.InMemoryStorage()
    if kind == "sqlite":
        return optuna.storages.RDBStorage(f"sqlite:///{os.path.join(tmp, 'optuna.db')}")
    raise SystemExit(f"unknown storage {kind}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("storage", choices=["memory", "journal", "sqlite"])
    parser.add_argument("trials", type=int)
    parser.add_argument("--windows", default="100")
    parser.add_argument("--window-size", type=int, default=100)
    args = parser.parse_args()
    windows = [int(w) for w in args.windows.split(",")]

    with tempfile.TemporaryDirectory() as tmp:
        storage = make_storage(args.storage, tmp)
        study = optuna.create_study(storage=storage, sampler=optuna.samplers.RandomSampler(seed=1))
        stamps = [time.perf_counter()]

        def objective(trial):
            x = trial.suggest_float("x", -5, 10)
            n = trial.suggest_int("n", 0, 9)
            return x * x + n

        def record(_study, _trial):
            stamps.append(time.perf_counter())

        study.optimize(objective, n_trials=args.trials, callbacks=[record])

    durations = [(b - a) * 1000 for a, b in zip(stamps, stamps[1:])]
    out = {"storage": args.storage, "trials": args.trials, "optuna": optuna.__version__, "windows": {}}
    for start in windows:
        window = durations[start : start + args.window_size]
        if window:
            out["windows"][str(start)] = statistics.median(window)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
