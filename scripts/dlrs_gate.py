#!/usr/bin/env python3
"""pytorch-dlrs 0.3.0's acceptance gate on a `glidepath study report`'s study-cells.json.

pytorch-dlrs's validation study (its documentation, release 0.3.0) confirms each policy on seeds
11-15 and accepts DLRS when the lower end of the paired 95% bootstrap interval of the mean
test-accuracy difference (DLRS - baseline) is >= -1 percentage point against both baselines, the
interval taken over all 5^5 = 3,125 resamples of the 5 seed pairs (enumerated, not sampled).
This script enumerates those resamples for n seed pairs (n^n of them, so keep n small), takes the
2.5th and 97.5th percentiles with linear interpolation between order statistics (numpy's default),
and prints the effect, interval and gate per task and baseline.

    python3 scripts/dlrs_gate.py docs/study/dlrs-validation/mnist/study-cells.json

Only the standard library is used. The report's own paired interval (docs/report.md) is a sampled
percentile bootstrap (B = 2000); the two agree to the resampling noise.
"""
import itertools
import json
import sys


def percentile(sorted_values, q):
    """Linear interpolation between order statistics (numpy.percentile's default)."""
    position = (len(sorted_values) - 1) * q
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def enumerated_interval(differences):
    n = len(differences)
    means = sorted(
        sum(differences[i] for i in picks) / n for picks in itertools.product(range(n), repeat=n)
    )
    return percentile(means, 0.025), percentile(means, 0.975), len(means)


def main(path, arm="dlrs", baselines=("fixed", "cosine"), gate=-1.0):
    study = json.load(open(path))
    seeds = set(study["plan"]["seeds"])  # the confirmation seeds; the tuning trials run at the tuning seed
    final = [c for c in study["cells"] if c.get("status") == "completed" and c.get("seed") in seeds]
    for task in sorted({c["task"] for c in final}):
        by_arm = {}
        for c in final:
            if c["task"] == task:
                by_arm.setdefault(c["arm"], {})[c["seed"]] = 100 * c["testAccuracy"]
        for baseline in baselines:
            seeds = sorted(set(by_arm.get(arm, {})) & set(by_arm.get(baseline, {})))
            if not seeds:
                continue
            differences = [by_arm[arm][s] - by_arm[baseline][s] for s in seeds]
            low, high, count = enumerated_interval(differences)
            effect = sum(differences) / len(differences)
            verdict = "pass" if low >= gate else "fail"
            print(
                f"{task}: {arm} vs {baseline}: {effect:+.3f} pp [{low:+.3f}, {high:+.3f}] "
                f"({count} resamples of seeds {seeds}); gate lower end >= {gate:+.1f} pp: {verdict}"
            )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: dlrs_gate.py STUDY-CELLS.json")
    main(sys.argv[1])
