"""What optuna-dashboard's server does on each refresh of a study page, with Optuna 3.1 (Debian).

optuna-dashboard's study endpoint calls its get_trials(), which re-reads every trial of the study
with storage.get_all_trials(study_id, deepcopy=False) once its in-memory cache is older than
2/5/10 s (by study size) and keeps the whole list in memory per study; its page polls every
10 s by default. optuna-dashboard itself is not installable here (not in Debian), so this times
that storage call on a SQLite RDB storage opened as optuna-dashboard opens one
(optuna.storages.get_storage(url)), from a fresh process (cold) and repeated (warm), and the
memory that one study's trial list takes.

Run with Debian's python3: /usr/bin/python3 bench/optuna/dashboard_poll.py 10000
Prints one JSON object on its last line.
"""
import argparse
import json
import os
import statistics
import tempfile
import time
import tracemalloc

import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution
from optuna.trial import TrialState, create_trial

optuna.logging.set_verbosity(optuna.logging.WARNING)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("trials", type=int)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()

    # On a RAM disk when there is one: seeding pays a sync per trial otherwise (minutes for 10,000).
    ram = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=ram) as tmp:
        url = f"sqlite:///{os.path.join(tmp, 'optuna.db')}"
        study = optuna.create_study(storage=url, study_name="bench")
        dists = {"x": FloatDistribution(-5, 10), "y": FloatDistribution(0, 1), "kind": CategoricalDistribution(["a", "b"])}
        started = time.perf_counter()
        study.add_trials(
            [
                create_trial(
                    params={"x": (i * 7 % 150) / 10 - 5, "y": (i % 100) / 100, "kind": "a" if i % 2 else "b"},
                    distributions=dists,
                    value=float(i % 97),
                    state=TrialState.COMPLETE,
                )
                for i in range(args.trials)
            ]
        )
        seeded_s = time.perf_counter() - started
        del study

        storage = optuna.storages.get_storage(url)
        study_id = storage.get_study_id_from_name("bench")
        times = []
        tracemalloc.start()
        for _ in range(args.reps):
            t = time.perf_counter()
            trials = storage.get_all_trials(study_id, deepcopy=False)
            times.append((time.perf_counter() - t) * 1000)
        current, _peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            json.dumps(
                {
                    "optuna": optuna.__version__,
                    "storage": type(storage).__name__,
                    "trials": len(trials),
                    "seedSeconds": seeded_s,
                    "firstReadMs": times[0],
                    "laterReadMsMedian": statistics.median(times[1:]) if len(times) > 1 else None,
                    "trialListMB": current / 1e6,
                }
            )
        )


main()
