#!/usr/bin/python3
"""Merges outputs of bench/optuna/multi_objective.py run in parts (one per problem, sampler or
seed range with --first-seed, so the slow Optuna TPE runs use every core and a partial run
keeps its finished seeds) into one file for `bench/multi-objective.ts --optuna-json <file>`;
runs are put in seed order, and `moSeeds` names the seed of every multi-objective run, so parts
need not cover a contiguous range (the benchmark compares ours on those same seeds):

    /usr/bin/python3 bench/optuna/merge_multi_objective.py part1.json part2.json ... > optuna.json
"""
import json
import sys

parts = []
for path in sys.argv[1:]:
    with open(path) as f:
        parts.append(json.load(f))
parts.sort(key=lambda p: p.get("firstSeed", 0))
out = None
for part in parts:
    path = "a part starting at seed %d" % part.get("firstSeed", 0)
    if out is None:
        out = {**part, "mo": {}, "moSeeds": {}, "constrained": {}, "seeds": 0}
        out.pop("firstSeed", None)
    if part["trials"] != out["trials"]:
        raise SystemExit("%s ran %d trials, the first part %d" % (path, part["trials"], out["trials"]))
    for problem, samplers in part["mo"].items():
        for sampler, runs in samplers.items():
            out["mo"].setdefault(problem, {}).setdefault(sampler, []).extend(runs)
            first = part.get("firstSeed", 0)
            out["moSeeds"].setdefault(problem, {}).setdefault(sampler, []).extend(range(first, first + len(runs)))
    for problem, samplers in part["constrained"].items():
        for sampler, bests in samplers.items():
            out["constrained"].setdefault(problem, {}).setdefault(sampler, []).extend(bests)
    out["seeds"] = max(out["seeds"], part.get("firstSeed", 0) + part["seeds"])
json.dump(out, sys.stdout)
sys.stdout.write("\n")
