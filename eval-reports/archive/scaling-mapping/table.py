"""results.md for the new-chip mapping experiment, from the evaluation folders (see run.sh)."""
import csv, json, os, platform, statistics, subprocess, sys

here, scaling_csv = sys.argv[1], sys.argv[2]
ROWS = [("fp32", "new", "fp32"), ("qat", "new", "qat"), ("mp", "trained", "mp-trained"), ("mp", "new", "mp-new")]
SEEDS = [0, 1, 2]


def summary(name):
    with open(os.path.join(here, "evaluations", name, "summary.json")) as f:
        return json.load(f)


def spread(xs):
    return f"{statistics.mean(xs):.2f} +- {statistics.stdev(xs):.2f}"


def study_rows(path):
    with open(path) as f:
        return {(r["mode"], r["seed"]): r for r in csv.DictReader(f) if r["model"] == "resnet18"}


commit = subprocess.run(["git", "-C", here, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
first = summary("mp-trained-s0")
with open(os.path.join(here, "evaluations", "mp-trained-s0", "chips.csv")) as f:
    seeds = [r["seed"] for r in csv.DictReader(f)]
print("# ResNet-18 on new chips: trained tile scales or a new mapping\n")
print(f"Made by `eval-reports/archive/scaling-mapping/run.sh` (see its header) at commit {commit} on {cpu} "
      f"({os.cpu_count()} cores). Every row: the quick scaling study's ResNet-18 (width 0.125, fashion-mnist at 32x32, "
      f"3,000 training images, 12 epochs) moved to the same {first['chips']} new `{first['hardware']}` chips "
      f"(seeds {seeds[0]}-{seeds[-1]}) and tested on all "
      f"{first['test_samples']:,} test images (the study tests on 2,000), batch norm as trained. fp32 and qat "
      "models are always mapped anew (each tile's largest weight at the top of the range); mp models both with the "
      "tile scale factors they were trained with (`evaluate --mapping trained`, what the scaling study does) and "
      "mapped anew like the others (`--mapping new`).\n")

study = study_rows(os.path.join(here, "study", "results.csv"))
checked = study_rows(scaling_csv)
fields = ["test_accuracy", "new_chip_accuracy_mean", "writes_per_weight_mean", "bn_recalibrated_accuracy_mean"]
same = all(study[k][f] == checked[k][f] for k in study for f in fields) and study.keys() == checked.keys()
print(f"The checkpoints' study (`study/`, retrained for them) and `eval-reports/archive/scaling-train3000/`'s ResNet-18 runs: "
      f"{len(study)} runs, {', '.join(fields)} "
      + ("identical to the last digit (same seeds, same results)." if same else "NOT identical.") + "\n")

print("| trained as | mapping on the new chips | new-chip accuracy % (seeds 0, 1, 2) | mean over seeds | "
      "largest weight per tile / range (mean, min-max) | weights beyond their tile's range |")
print("|---|---|---|---|---|---|")
means = {}
for mode, mapping, prefix in ROWS:
    s = [summary(f"{prefix}-s{k}") for k in SEEDS]
    acc = [100 * x["accuracy_mean"] for x in s]
    means[prefix] = acc
    used = statistics.mean(x["range_used_mean"] for x in s)
    lo, hi = min(x["range_used_min"] for x in s), max(x["range_used_max"] for x in s)
    beyond = statistics.mean(100 * x["weights_beyond_range_fraction"] for x in s)
    print(f"| {mode} | {mapping} | {', '.join(f'{a:.2f}' for a in acc)} | {spread(acc)} | {used:.2f} ({lo:.2f}-{hi:.2f}) "
          f"| {beyond:.2f}% |")

diff = [n - t for n, t in zip(means["mp-new"], means["mp-trained"])]
print(f"\nMapping the mp models anew instead of keeping their trained scales changes their new-chip accuracy by "
      f"{statistics.mean(diff):+.2f} points on average (per seed: {', '.join(f'{d:+.2f}' for d in diff)}). "
      f"Their tiles' largest weights need {statistics.mean(summary(f'mp-trained-s{k}')['range_used_mean'] for k in SEEDS):.2f} "
      "of the range on average with the trained scales: training grew the weights past the mapping it started from "
      "(1/3 of the range, `headroom: 3`), and the devices of the weights beyond hold the range's end on every chip, "
      "the training chip included.")
best = max(means, key=lambda p: statistics.mean(means[p]))
print(f"On these chips the highest mean is {best}'s ({statistics.mean(means[best]):.2f}%); "
      f"mp {'trained' if statistics.mean(means['mp-trained']) >= statistics.mean(means['mp-new']) else 'new'} "
      f"mapping is mp's better one, {max(statistics.mean(means['mp-trained']), statistics.mean(means['mp-new'])):.2f}% "
      f"against fp32's {statistics.mean(means['fp32']):.2f}% and qat's {statistics.mean(means['qat']):.2f}%.")
