#!/usr/bin/python3
"""Optuna side of bench/workers.ts: worker processes on one study.

Run with Debian's interpreter, which sees the apt package python3-optuna (3.1):

    /usr/bin/python3 bench/optuna/workers.py

It speaks the line protocol of bench/lib/worker-pool.ts: prints `ready` once Optuna is
imported, then reads one command per line, each `<command> <json>` with the JSON fields
`storage` (journal | sqlite), `path` (directory of the journal file or SQLite database),
`study`, `trials`, and optionally `heartbeat` and `sleep` (seconds, default 0.5):

- `create`: creates the study; answers `create {...}`.
- `open`: opens the storage and loads the study (before the measured go, as a Cairn worker
  has its store open); answers `open {}`.
- `go`: runs `study.optimize` on the study opened last with a MaxTrialsCallback until it holds
  `trials` COMPLETE trials. The objective prints `start <trial number> <number of the failed trial it
  retries, or -1> <epoch ms>` and sleeps (an I/O-bound remote trial). Answers `done {}`.
- `summary` (with `t0`, epoch ms the workers were told to go): the trials by state, when the
  `trials`-th trial completed (ms after t0), trials completed beyond `trials` (workers that
  started one more before they saw the limit) and candidates completed twice.

`heartbeat` (SQLite only: Optuna 3.1's JournalStorage has no heartbeat) sets a 1 s heartbeat,
a 2 s grace period and RetryFailedTrialCallback, the configuration that re-runs a dead worker's
trial; without it a killed worker's trial stays RUNNING.
"""
import json
import os
import sys
import time
import warnings
from collections import Counter

import optuna
from optuna.storages import RetryFailedTrialCallback
from optuna.study import MaxTrialsCallback
from optuna.trial import TrialState

optuna.logging.set_verbosity(optuna.logging.ERROR)
optuna.logging.disable_default_handler()
warnings.filterwarnings("ignore")

HEARTBEAT_INTERVAL_S = 1
# Optuna's default grace period is twice the interval (the interval is whole seconds, at least 1).
# A grace of 1 s failed live trials whose heartbeat thread was late on a loaded machine, and the
# worker whose trial was failed under it then died in `optimize` (AssertionError).
GRACE_PERIOD_S = 2


def make_storage(c):
    kind, path, heartbeat = c["storage"], c["path"], c.get("heartbeat", False)
    if kind == "journal":
        if heartbeat:
            raise ValueError("Optuna 3.1's JournalStorage has no heartbeat: heartbeat needs sqlite")
        return optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(os.path.join(path, "journal.log")))
    if kind == "sqlite":
        url = f"sqlite:///{os.path.join(path, 'optuna.db')}"
        if heartbeat:
            return optuna.storages.RDBStorage(
                url,
                heartbeat_interval=HEARTBEAT_INTERVAL_S,
                grace_period=GRACE_PERIOD_S,
                failed_trial_callback=RetryFailedTrialCallback(max_retry=3),
            )
        return optuna.storages.RDBStorage(url)
    raise ValueError(f"unknown storage {kind}")


def create(c):
    optuna.create_study(study_name=c["study"], storage=make_storage(c), direction="minimize")
    return {"study": c["study"], "optuna": optuna.__version__}


opened = {}


def open_study(c):
    opened["study"] = optuna.load_study(study_name=c["study"], storage=make_storage(c), sampler=optuna.samplers.RandomSampler())
    return {}


def go(c):
    study = opened["study"]
    pause = c.get("sleep", 0.5)

    def objective(trial):
        x = trial.suggest_float("x", -5, 10)
        retried = RetryFailedTrialCallback.retried_trial_number(trial)
        print(f"start {trial.number} {-1 if retried is None else retried} {time.time() * 1000:.1f}", flush=True)
        time.sleep(pause)
        return x * x

    study.optimize(objective, callbacks=[MaxTrialsCallback(c["trials"], states=(TrialState.COMPLETE,))])
    return {}


def summary(c):
    n = c["trials"]
    trials = optuna.load_study(study_name=c["study"], storage=make_storage(c)).get_trials(deepcopy=False)
    complete = sorted((t for t in trials if t.state == TrialState.COMPLETE), key=lambda t: t.datetime_complete)
    reached = None
    if len(complete) >= n:
        reached = complete[n - 1].datetime_complete.timestamp() * 1000 - c["t0"]
    states = Counter(t.state.name for t in trials)
    params = Counter(json.dumps(t.params, sort_keys=True) for t in complete)
    return {
        "optuna": optuna.__version__,
        "trials": len(trials),
        "states": dict(states),
        "complete": len(complete),
        "reachedMs": reached,
        "beyondLimit": max(0, len(complete) - n),
        "completedTwice": sum(k - 1 for k in params.values() if k > 1),
        "stuckRunning": states.get("RUNNING", 0),
    }


COMMANDS = {"create": create, "open": open_study, "go": go, "summary": summary}


def main():
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, payload = line.strip().partition(" ")
        if command not in COMMANDS:
            raise SystemExit(f"unknown command {command!r}")
        if command == "go":
            try:
                answer = go(json.loads(payload))
            except Exception as err:  # measured, not hidden: e.g. SQLite's "database is locked"
                answer = {"error": f"{type(err).__name__}: {err}"}
            print("done", json.dumps(answer), flush=True)
        else:
            print(command, json.dumps(COMMANDS[command](json.loads(payload))), flush=True)


if __name__ == "__main__":
    main()
