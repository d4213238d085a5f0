#!/usr/bin/python3
"""PyTorch reference for the cimtrain side-by-side benchmark.

Builds a plain float32 torch.nn network from a cimtrain network YAML file
(models/networks/*.yaml) and either

  * describes it (parameter count and forward MACs per image),
  * measures training throughput on random data (mode throughput) or
    evaluation-mode forward throughput under torch.no_grad() (mode forward), or
  * trains it on an IDX digit data set (the mnist-10k recipe).

Run with Debian's interpreter (/usr/bin/python3), which has python3-torch.
See bench/README.md for the exact commands.
"""

import argparse
import gzip
import json
import math
import os
import struct
import sys
import time


def _blas_threads_from_argv(argv):
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--blas-threads", type=int, default=None)
    known, _ = pre.parse_known_args(argv)
    return known.blas_threads


# Debian's torch links OpenBLAS built with its own pthread pool, which is sized
# by OPENBLAS_NUM_THREADS (default: all cores) and is NOT governed by
# torch.set_num_threads().  Running it beside torch's OpenMP pool oversubscribes
# the cores (lenet5 at --threads 2 drops from ~5,200 to ~2,600 samples/s on a
# 2-core machine with very uneven step times).  So BLAS runs single-threaded
# inside torch's own parallelism unless --blas-threads (or the environment) says
# otherwise.  This must happen before torch is imported.
_BLAS_ARG = _blas_threads_from_argv(sys.argv[1:])
if _BLAS_ARG is not None:
    os.environ["OPENBLAS_NUM_THREADS"] = str(_BLAS_ARG)
else:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
BLAS_THREADS = os.environ["OPENBLAS_NUM_THREADS"]

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NETWORKS_DIR = os.path.join(REPO_ROOT, "models", "networks")
DEFAULT_MODELS = ["lenet-paper", "lenet5", "vgg8", "resnet18", "resnet20"]

SPLIT_SEED = 20230524


# --------------------------------------------------------------------------
# Network description
# --------------------------------------------------------------------------

def load_yaml(path):
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML ships with Debian's python3
        sys.exit("PyYAML is required (apt-get install python3-yaml)")
    with open(path) as f:
        return yaml.safe_load(f)


def resolve_model(name_or_path, networks_dir):
    if name_or_path.endswith((".yaml", ".yml")) or os.sep in name_or_path:
        return name_or_path
    return os.path.join(networks_dir, name_or_path + ".yaml")


def split_item(item):
    """A layer item is a bare string or a one-key map; return (kind, options)."""
    if isinstance(item, str):
        return item, {}
    if isinstance(item, dict) and len(item) == 1:
        kind, opts = next(iter(item.items()))
        return kind, (opts or {})
    raise ValueError("bad layer item: %r" % (item,))


def weight_layers_in_order(layers):
    """All conv/linear option dicts, depth first, residual body before shortcut."""
    out = []
    for item in layers:
        kind, opts = split_item(item)
        if kind in ("conv", "linear"):
            out.append(opts)
        elif kind == "residual":
            out.extend(weight_layers_in_order(opts.get("body", [])))
            out.extend(weight_layers_in_order(opts.get("shortcut", []) or []))
    return out


def scale_width(out, width):
    # Round half up (like Java's Math.round), never below one channel.
    return max(1, int(math.floor(out * width + 0.5)))


class Residual(nn.Module):
    def __init__(self, body, shortcut):
        super().__init__()
        self.body = body
        self.shortcut = shortcut

    def forward(self, x):
        return self.body(x) + self.shortcut(x)


class Builder:
    """Turns the layer list into nn.Modules while tracking the activation shape,
    the analytic parameter count and the forward MACs per image."""

    def __init__(self, width, final_layer):
        self.width = width
        self.final_layer = final_layer  # identity of the option dict that is not scaled
        self.params = 0
        self.weights = 0  # conv/linear weights only (crossbar cells, one per weight)
        self.macs = 0
        self.layer_rows = []

    def build(self, layers, shape):
        mods = []
        for item in layers:
            kind, opts = split_item(item)
            mod, shape = self.build_one(kind, opts, shape)
            mods.append(mod)
        return nn.Sequential(*mods), shape

    def build_one(self, kind, o, shape):
        if kind == "conv":
            if len(shape) != 3:
                raise ValueError("conv needs a C,H,W input, got %r" % (shape,))
            c, h, w = shape
            out = o["out"] if o is self.final_layer else scale_width(o["out"], self.width)
            k = o["kernel"]
            s = o.get("stride", 1)
            p = o.get("padding", 0)
            bias = o.get("bias", True)
            ho = (h + 2 * p - k) // s + 1
            wo = (w + 2 * p - k) // s + 1
            nw = out * c * k * k
            self.weights += nw
            self.params += nw + (out if bias else 0)
            macs = out * ho * wo * c * k * k
            self.macs += macs
            self.layer_rows.append(("conv", (c, h, w), (out, ho, wo), nw, macs))
            return nn.Conv2d(c, out, k, stride=s, padding=p, bias=bias), (out, ho, wo)
        if kind == "linear":
            if len(shape) != 1:
                raise ValueError("linear needs a flat input (add flatten), got %r" % (shape,))
            n = shape[0]
            out = o["out"] if o is self.final_layer else scale_width(o["out"], self.width)
            bias = o.get("bias", True)
            nw = n * out
            self.weights += nw
            self.params += nw + (out if bias else 0)
            self.macs += nw
            self.layer_rows.append(("linear", (n,), (out,), nw, nw))
            return nn.Linear(n, out, bias=bias), (out,)
        if kind == "relu":
            return nn.ReLU(), shape
        if kind == "flatten":
            return nn.Flatten(), (int(math.prod(shape)),)
        if kind == "batchnorm":
            self.params += 2 * shape[0]
            if len(shape) == 3:
                return nn.BatchNorm2d(shape[0]), shape
            return nn.BatchNorm1d(shape[0]), shape
        if kind in ("maxpool", "avgpool"):
            c, h, w = shape
            size = o["size"]
            stride = o.get("stride", size)
            ho = (h - size) // stride + 1
            wo = (w - size) // stride + 1
            cls = nn.MaxPool2d if kind == "maxpool" else nn.AvgPool2d
            return cls(size, stride=stride), (c, ho, wo)
        if kind == "globalavgpool":
            return nn.AdaptiveAvgPool2d(1), (shape[0], 1, 1)
        if kind == "residual":
            body, bshape = self.build(o.get("body", []), shape)
            sc_layers = o.get("shortcut") or []
            if sc_layers:
                shortcut, sshape = self.build(sc_layers, shape)
            else:
                shortcut, sshape = nn.Identity(), shape
            if tuple(bshape) != tuple(sshape):
                raise ValueError("residual body %r and shortcut %r shapes differ" % (bshape, sshape))
            return Residual(body, shortcut), bshape
        raise ValueError("unknown layer kind: %r" % (kind,))


class Network:
    def __init__(self, spec, width=1.0):
        self.name = spec.get("name", "?")
        self.width = width
        self.input_shape = tuple(spec["input"])
        layers = spec["layers"]
        weight_layers = weight_layers_in_order(layers)
        if not weight_layers:
            raise ValueError("network has no conv/linear layer")
        builder = Builder(width, weight_layers[-1])
        self.module, out_shape = builder.build(layers, self.input_shape)
        if len(out_shape) != 1:
            raise ValueError("network output is not flat: %r" % (out_shape,))
        self.num_classes = out_shape[0]
        self.params = builder.params
        self.weights = builder.weights
        self.macs = builder.macs
        self.layer_rows = builder.layer_rows
        # Cross-check the analytic count against what torch actually allocated,
        # and the tracked output shape against a real forward pass.
        torch_params = sum(p.numel() for p in self.module.parameters() if p.requires_grad)
        if torch_params != self.params:
            raise AssertionError("parameter count mismatch: analytic %d, torch %d"
                                 % (self.params, torch_params))
        was_training = self.module.training
        self.module.eval()
        with torch.no_grad():
            y = self.module(torch.zeros((2,) + self.input_shape))
        self.module.train(was_training)
        if tuple(y.shape) != (2, self.num_classes):
            raise AssertionError("forward shape %r, expected %r" % (tuple(y.shape), (2, self.num_classes)))


def load_network(model, width, networks_dir):
    path = resolve_model(model, networks_dir)
    return Network(load_yaml(path), width)


# --------------------------------------------------------------------------
# Modes
# --------------------------------------------------------------------------

def cmd_describe(args):
    models = args.model if args.model else DEFAULT_MODELS
    for m in models:
        for w in args.width:
            net = load_network(m, w, args.networks_dir)
            print(json.dumps({
                "model": net.name,
                "width": w,
                "input": list(net.input_shape),
                "parameters": net.params,
                "weights": net.weights,
                "macs_per_image": net.macs,
            }))
            if args.verbose:
                for kind, ins, outs, nw, macs in net.layer_rows:
                    print("    %-6s %-14s -> %-14s weights=%-9d macs=%d"
                          % (kind, "x".join(map(str, ins)), "x".join(map(str, outs)), nw, macs))


def cmd_throughput(args, forward_only=False):
    """Training steps (forward, loss, backward, AdamW), or with forward_only evaluation-mode forward
    passes under torch.no_grad() (mode 'forward': plain fp32 inference, no crossbars)."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    net = load_network(args.model[0] if args.model else "lenet-paper", args.width[0], args.networks_dir)
    model = net.module.float()
    model.train(not forward_only)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    # A small pool of pre-made random batches so data generation is not timed.
    pool = [(torch.rand((args.batch,) + net.input_shape),
             torch.randint(0, net.num_classes, (args.batch,)))
            for _ in range(4)]

    def train_step(i):
        x, y = pool[i % len(pool)]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    def forward_step(i):
        with torch.no_grad():
            return model(pool[i % len(pool)][0]).argmax(1)

    step = forward_step if forward_only else train_step
    for i in range(args.warmup):
        step(i)
    step_times = []
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    last = t0
    for i in range(args.steps):
        step(i)
        now = time.perf_counter()
        step_times.append(now - last)
        last = now
    secs = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    step_times.sort()
    median = step_times[len(step_times) // 2]
    print(json.dumps({
        "engine": "pytorch",
        "torch_version": torch.__version__,
        "model": net.name,
        "width": args.width[0],
        "batch": args.batch,
        "threads": args.threads,
        "blas_threads": int(BLAS_THREADS),
        "samples_per_s": round(args.steps * args.batch / secs, 2),
        "steps": args.steps,
        "warmup": args.warmup,
        "seconds": round(secs, 4),
        # Robust to short bursts of other load on the machine:
        "samples_per_s_median_step": round(args.batch / median, 2),
        # Process CPU seconds per wall second; well below --threads means the
        # run was starved by other processes (or torch did not use the threads).
        "cpu_per_wall": round(cpu / secs, 2),
    }))


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError("%s: not an unsigned-byte IDX file" % path)
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    body = data[4 + 4 * ndim:]
    n = int(math.prod(dims))
    if len(body) != n:
        raise ValueError("%s: expected %d bytes of data, found %d" % (path, n, len(body)))
    t = torch.frombuffer(bytearray(body), dtype=torch.uint8)
    return t.reshape(dims)


def read_indices(path):
    with open(path) as f:
        return torch.tensor([int(tok) for tok in f.read().split()], dtype=torch.long)


def cmd_train(args):
    torch.set_num_threads(args.threads)
    images = read_idx(args.images)
    labels = read_idx(args.labels).long()
    n = images.shape[0]
    if labels.shape[0] != n:
        sys.exit("images (%d) and labels (%d) differ in count" % (n, labels.shape[0]))
    x_all = images.float().div_(255.0)
    if x_all.dim() == 3:  # N,H,W -> N,1,H,W
        x_all = x_all.unsqueeze(1)

    if args.train_indices or args.test_indices:
        if not (args.train_indices and args.test_indices):
            sys.exit("give both --train-indices and --test-indices, or neither")
        train_idx = read_indices(args.train_indices)
        test_idx = read_indices(args.test_indices)
        split = "files"
    else:
        g = torch.Generator().manual_seed(args.split_seed)
        perm = torch.randperm(n, generator=g)
        n_train = 8000 if n == 10000 else int(round(n * 0.8))
        train_idx, test_idx = perm[:n_train], perm[n_train:]
        split = "randperm(seed=%d), first %d train" % (args.split_seed, n_train)

    torch.manual_seed(args.seed)
    net = load_network(args.model[0] if args.model else "lenet-paper", args.width[0], args.networks_dir)
    if tuple(x_all.shape[1:]) != net.input_shape:
        sys.exit("data shape %r does not match network input %r" % (tuple(x_all.shape[1:]), net.input_shape))
    model = net.module
    x_train, y_train = x_all[train_idx], labels[train_idx]
    x_test, y_test = x_all[test_idx], labels[test_idx]
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(args.seed)

    def evaluate():
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, x_test.shape[0], 1000):
                pred = model(x_test[i:i + 1000]).argmax(1)
                correct += (pred == y_test[i:i + 1000]).sum().item()
        model.train()
        return correct / x_test.shape[0]

    print("# %s width=%g params=%d train=%d test=%d split=%s torch=%s threads=%d blas_threads=%s"
          % (net.name, args.width[0], net.params, x_train.shape[0], x_test.shape[0],
             split, torch.__version__, args.threads, BLAS_THREADS), flush=True)
    t0 = time.perf_counter()
    acc = 0.0
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(x_train.shape[0], generator=shuffle)
        total_loss, seen = 0.0, 0
        for i in range(0, order.shape[0], args.batch):
            idx = order[i:i + args.batch]
            xb, yb = x_train[idx], y_train[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total_loss += loss.item() * idx.shape[0]
            seen += idx.shape[0]
        acc = evaluate()
        print("epoch %2d  train_loss %.4f  test_accuracy %.4f  elapsed %.2fs"
              % (epoch, total_loss / seen, acc, time.perf_counter() - t0), flush=True)
    secs = time.perf_counter() - t0
    print(json.dumps({
        "engine": "pytorch",
        "torch_version": torch.__version__,
        "model": net.name,
        "width": args.width[0],
        "epochs": args.epochs,
        "batch": args.batch,
        "lr": args.lr,
        "weight_decay": args.weight_decay,
        "seed": args.seed,
        "threads": args.threads,
        "blas_threads": int(BLAS_THREADS),
        "train_size": int(x_train.shape[0]),
        "test_size": int(x_test.shape[0]),
        "test_accuracy": acc,
        "seconds": round(secs, 3),
    }))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", nargs="?", choices=["describe", "throughput", "forward", "train"],
                    help="what to do (default: describe)")
    ap.add_argument("--describe", action="store_true", help="same as mode 'describe'")
    ap.add_argument("--model", action="append",
                    help="network name in models/networks or a YAML path; repeatable for describe "
                         "(default: all five for describe, lenet-paper otherwise)")
    ap.add_argument("--width", type=float, action="append",
                    help="width multiplier (repeatable for describe; default 1)")
    ap.add_argument("--networks-dir", default=NETWORKS_DIR)
    ap.add_argument("--verbose", "-v", action="store_true", help="describe: per-layer rows")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=200, help="throughput: timed steps")
    ap.add_argument("--warmup", type=int, default=20, help="throughput: untimed steps first")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    ap.add_argument("--blas-threads", type=int, default=None,
                    help="OPENBLAS_NUM_THREADS for the process (default: the environment's, else 1)")
    ap.add_argument("--seed", type=int, default=0, help="init and shuffle seed")
    ap.add_argument("--images", help="train: gzipped IDX images")
    ap.add_argument("--labels", help="train: gzipped IDX labels")
    ap.add_argument("--train-indices", help="train: file of whitespace-separated row indices")
    ap.add_argument("--test-indices", help="train: file of whitespace-separated row indices")
    ap.add_argument("--split-seed", type=int, default=SPLIT_SEED)
    ap.add_argument("--epochs", type=int, default=13)
    ap.add_argument("--lr", type=float, default=None,
                    help="learning rate (default 0.004 for train; throughput always uses 1e-3)")
    ap.add_argument("--weight-decay", type=float, default=0.01)
    args = ap.parse_args(argv)
    if not args.width:
        args.width = [1.0]
    mode = "describe" if args.describe else (args.mode or "describe")
    if mode == "describe":
        cmd_describe(args)
    elif mode == "throughput":
        cmd_throughput(args)
    elif mode == "forward":
        cmd_throughput(args, forward_only=True)
    else:
        if not (args.images and args.labels):
            ap.error("train needs --images and --labels")
        if args.lr is None:
            args.lr = 0.004
        cmd_train(args)


if __name__ == "__main__":
    main()
