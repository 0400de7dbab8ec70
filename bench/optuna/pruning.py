#!/usr/bin/python3
"""Optuna side of bench/pruning.ts.

Run with Debian's interpreter, which sees the apt package python3-optuna (3.1):

    /usr/bin/python3 bench/optuna/pruning.py --workload curves --trials 100 --seeds 20 --data penguins.json
    /usr/bin/python3 bench/optuna/pruning.py --check '<json>' --data penguins.json

The two workloads (synthetic learning curves, SGD softmax regression on the penguins) are
defined exactly as in bench/lib/pruning-curves.ts and bench/lib/pruning-sgd.ts: same formulas,
same integer hashing and shuffles, same operations in the same order. For every pruner
(none, MedianPruner, SuccessiveHalvingPruner, HyperbandPruner; defaults, TPESampler(seed)) and
seed 0..N-1, one study of `--trials` trials (`--trials-pruned` with a pruner): the epochs trained
in total (the objective counts them), the best final value over trials that completed (a pruned
trial's value does not count), the numbers of completed and pruned trials, and every trial in
order as [epochs trained, final value or null when pruned], from which bench/pruning.ts derives
the anytime curve (best final value so far vs epochs spent). Prints one JSON object on the last line.
`--check` prints the curve values and SGD losses of the given points, for the bench's startup
comparison with the TypeScript side; `--replay` prints, for each pruner, the epochs each of the
given fixed candidates of the curves trained (enqueued in order, no sampler involved).
"""
import argparse
import json
import math
import sys
import time
import warnings

import optuna
from test_functions import hartmann6

optuna.logging.set_verbosity(optuna.logging.ERROR)
optuna.logging.disable_default_handler()
warnings.filterwarnings("ignore")

MASK = 0xFFFFFFFF

# ---- synthetic curves (bench/lib/pruning-curves.ts) ----------------------------------------

CURVE_EPOCHS = 27
OPTS = ["adam", "momentum", "sgd"]
PENALTY = {"adam": 0.0, "momentum": 0.1, "sgd": 0.3}
SPEED = {"adam": 0.8, "momentum": 1.0, "sgd": 1.6}

def mix32(h, v):
    x = ((h ^ v) * 0x9E3779B1) & MASK
    x ^= x >> 16
    x = (x * 0x85EBCA6B) & MASK
    x ^= x >> 13
    x = (x * 0xC2B2AE35) & MASK
    return x ^ (x >> 16)


def quantize(v):
    return math.floor(v * 1073741824.0)


def curve_hash(p, t):
    h = 0x2545F491
    for k in ("x0", "x1", "x2", "x3", "lr"):
        h = mix32(h, quantize(p[k]))
    h = mix32(h, p["width"])
    h = mix32(h, OPTS.index(p["opt"]))
    return mix32(h, t)


def coordinates(p):
    c4 = min(1.0, max(0.0, (math.log10(p["lr"]) + 4) / 4))
    return [p["x0"], p["x1"], p["x2"], p["x3"], c4, (p["width"] - 1) / 63]


def curve_final(p):
    return hartmann6(coordinates(p)) + PENALTY[p["opt"]]


def curve_value(p, t):
    c = coordinates(p)
    a = 1 + 2 * c[1]
    r = 0.04 + 0.4 * c[4] * SPEED[p["opt"]]
    sigma = 0.01 + 0.04 * c[2]
    u = curve_hash(p, t) / 4294967296
    return curve_final(p) + a * math.exp(-r * (t + 1)) + sigma * (2 * u - 1)


def suggest_curve(trial):
    return {
        "x0": trial.suggest_float("x0", 0, 1),
        "x1": trial.suggest_float("x1", 0, 1),
        "x2": trial.suggest_float("x2", 0, 1),
        "x3": trial.suggest_float("x3", 0, 1),
        "lr": trial.suggest_float("lr", 1e-4, 1, log=True),
        "width": trial.suggest_int("width", 1, 64),
        "opt": trial.suggest_categorical("opt", OPTS),
    }


# ---- SGD on the penguins (bench/lib/pruning-sgd.ts) ------------------------------------------

SGD_EPOCHS = 27
LOSS_CAP = 10.0
SPECIES = ["Adelie", "Chinstrap", "Gentoo"]
COLUMNS = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]


def lcg(s):
    return (s * 1664525 + 1013904223) & MASK


def shuffled_order(n, seed):
    order = list(range(n))
    s = seed & MASK
    for i in range(n - 1, 0, -1):
        s = lcg(s)
        j = s % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def load_dataset(path):
    with open(path) as f:
        rows = json.load(f)
    xs, ys = [], []
    for r in rows:
        if r.get("Species") not in SPECIES:
            continue
        feats = [r.get(c) for c in COLUMNS]
        if any(not isinstance(v, (int, float)) or isinstance(v, bool) for v in feats):
            continue
        xs.append([float(v) for v in feats])
        ys.append(SPECIES.index(r["Species"]))
    order = shuffled_order(len(xs), 7)
    train, val = [], []
    for n, idx in enumerate(order):
        (val if n % 5 == 0 else train).append(idx)
    mean, std = [0.0] * 4, [0.0] * 4
    for j in range(4):
        s = 0.0
        for i in train:
            s += xs[i][j]
        mean[j] = s / len(train)
        q = 0.0
        for i in train:
            q += (xs[i][j] - mean[j]) ** 2
        std[j] = math.sqrt(q / len(train))

    def norm(i):
        return [(v - mean[j]) / std[j] for j, v in enumerate(xs[i])]

    return {
        "trainX": [norm(i) for i in train],
        "trainY": [ys[i] for i in train],
        "valX": [norm(i) for i in val],
        "valY": [ys[i] for i in val],
    }


def js_max3(a, b, c):
    # Math.max: NaN when any argument is NaN (Python's max is order-dependent with NaN).
    if a != a or b != b or c != c:
        return math.nan
    return max(a, b, c)


def logits(w, b, x):
    z = [0.0, 0.0, 0.0]
    for k in range(3):
        s = b[k]
        for j in range(4):
            s += w[k][j] * x[j]
        z[k] = s
    return z


def train_epoch(w, b, data, p, epoch):
    tx, ty = data["trainX"], data["trainY"]
    n = len(tx)
    order = shuffled_order(n, epoch + 1)
    lr, l2, batch = p["lr"], p["l2"], p["batch"]
    for start in range(0, n, batch):
        end = min(n, start + batch)
        gw = [[0.0] * 4 for _ in range(3)]
        gb = [0.0, 0.0, 0.0]
        for i in range(start, end):
            x = tx[order[i]]
            y = ty[order[i]]
            z = logits(w, b, x)
            mx = js_max3(z[0], z[1], z[2])
            e = [math.exp(z[0] - mx), math.exp(z[1] - mx), math.exp(z[2] - mx)]
            s = e[0] + e[1] + e[2]
            for k in range(3):
                d = e[k] / s - (1 if k == y else 0)
                g = gw[k]
                for j in range(4):
                    g[j] += d * x[j]
                gb[k] += d
        size = end - start
        for k in range(3):
            for j in range(4):
                w[k][j] = w[k][j] - lr * (gw[k][j] / size + l2 * w[k][j])
            b[k] = b[k] - (lr * gb[k]) / size


def validation_loss(w, b, data):
    total = 0.0
    vx, vy = data["valX"], data["valY"]
    for i in range(len(vx)):
        z = logits(w, b, vx[i])
        mx = js_max3(z[0], z[1], z[2])
        s = math.exp(z[0] - mx) + math.exp(z[1] - mx) + math.exp(z[2] - mx)
        total += mx + math.log(s) - z[vy[i]]
    loss = total / len(vx)
    return loss if loss < LOSS_CAP else LOSS_CAP


def suggest_sgd(trial):
    return {
        "lr": trial.suggest_float("lr", 1e-3, 3, log=True),
        "l2": trial.suggest_float("l2", 1e-6, 1, log=True),
        "batch": trial.suggest_int("batch", 1, 64),
    }


def new_model():
    return [[0.0] * 4 for _ in range(3)], [0.0, 0.0, 0.0]


# ---- the studies ---------------------------------------------------------------------------


def make_pruner(name):
    if name == "none":
        return optuna.pruners.NopPruner()
    if name == "median":
        return optuna.pruners.MedianPruner()
    if name == "asha":
        return optuna.pruners.SuccessiveHalvingPruner()
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner()
    raise ValueError(name)


def run_study(workload, pruner_name, seed, trials, data):
    epochs = [0]
    log = []  # every trial in order: [epochs trained, final value or None when pruned]

    def objective(trial):
        if workload == "curves":
            p = suggest_curve(trial)
            value = None
            for t in range(CURVE_EPOCHS):
                epochs[0] += 1
                value = curve_value(p, t)
                trial.report(value, t + 1)
                if trial.should_prune():
                    log.append([t + 1, None])
                    raise optuna.TrialPruned()
            log.append([CURVE_EPOCHS, value])
            return value
        p = suggest_sgd(trial)
        w, b = new_model()
        value = None
        for t in range(SGD_EPOCHS):
            epochs[0] += 1
            train_epoch(w, b, data, p, t)
            value = validation_loss(w, b, data)
            trial.report(value, t + 1)
            if trial.should_prune():
                log.append([t + 1, None])
                raise optuna.TrialPruned()
        log.append([SGD_EPOCHS, value])
        return value

    # A fixed study name: HyperbandPruner draws each trial's bracket from crc32(study name, trial number).
    study = optuna.create_study(
        study_name="%s-%s-%d" % (workload, pruner_name, seed),
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=make_pruner(pruner_name),
        direction="minimize",
    )
    study.optimize(objective, n_trials=trials)
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    pruned = [t for t in study.trials if t.state == optuna.trial.TrialState.PRUNED]
    best = min(t.value for t in complete) if complete else None
    return {"epochs": epochs[0], "best": best, "completed": len(complete), "pruned": len(pruned), "trials": log}


def replay(candidates, pruner_names):
    """Each pruner judges the fixed candidates in order (enqueued); the epochs each one trained."""
    out = {}
    for name in pruner_names:
        study = optuna.create_study(
            study_name="replay-%s" % name,
            sampler=optuna.samplers.RandomSampler(seed=0),
            pruner=make_pruner(name),
            direction="minimize",
        )
        for c in candidates:
            study.enqueue_trial(c)
        stops = []

        def objective(trial):
            p = suggest_curve(trial)
            value = None
            for t in range(CURVE_EPOCHS):
                value = curve_value(p, t)
                trial.report(value, t + 1)
                if trial.should_prune():
                    stops.append(t + 1)
                    raise optuna.TrialPruned()
            stops.append(CURVE_EPOCHS)
            return value

        study.optimize(objective, n_trials=len(candidates))
        out[name] = stops
    return out


def check(points, data):
    curves = [
        {"hashes": [curve_hash(p, t) for t in ts], "values": [curve_value(p, t) for t in ts]}
        for p, ts in ((c["params"], c["epochs"]) for c in points["curves"])
    ]
    sgd = []
    for c in points["sgd"]:
        w, b = new_model()
        losses = []
        for t in range(c["epochs"]):
            train_epoch(w, b, data, c["params"], t)
            losses.append(validation_loss(w, b, data))
        sgd.append(losses)
    sizes = [len(data["trainX"]), len(data["valX"])]
    return {"curves": curves, "sgd": sgd, "sizes": sizes}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", default="curves", choices=["curves", "sgd"])
    ap.add_argument("--pruners", default="none,median,asha,hyperband")
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--trials-pruned", type=int, help="trials per study with a pruner (default: --trials)")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=0, help="run seeds first-seed .. first-seed + seeds - 1")
    ap.add_argument("--data", required=True, help="path of vega-datasets' penguins.json")
    ap.add_argument("--check", help="JSON points to evaluate instead of running studies")
    ap.add_argument("--replay", help="JSON candidates of the curves each pruner judges in order, instead of studies")
    args = ap.parse_args()
    if args.replay:
        print(json.dumps(replay(json.loads(args.replay), args.pruners.split(","))))
        return
    data = load_dataset(args.data)
    if args.check:
        print(json.dumps(check(json.loads(args.check), data)))
        return
    out = {"optuna": optuna.__version__, "python": sys.version.split()[0], "results": {}}
    for name in args.pruners.split(","):
        runs = []
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            t0 = time.perf_counter()
            trials = args.trials if name == "none" or args.trials_pruned is None else args.trials_pruned
            r = run_study(args.workload, name, seed, trials, data)
            r["seconds"] = time.perf_counter() - t0
            runs.append(r)
            print(
                "optuna %s %s seed %d: %d epochs, best %s (%.1f s)" % (args.workload, name, seed, r["epochs"], r["best"], r["seconds"]),
                file=sys.stderr,
                flush=True,
            )
        out["results"][name] = runs
    print(json.dumps(out))


if __name__ == "__main__":
    main()
