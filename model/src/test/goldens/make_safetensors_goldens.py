#!/usr/bin/env python3
"""Reference safetensors files made by Hugging Face's own library, to check our Java reader and writer against.

Run by hand, never by CI (CI reads the committed output). Needs torch and the `safetensors` package:

    python3 make_safetensors_goldens.py write
        writes model/src/test/resources/safetensors/reference.safetensors with the library's save_file

    python3 make_safetensors_goldens.py verify FILE
        opens FILE (e.g. one written by our SafetensorsWriter, exported by SafetensorsReferenceTest when run with
        -Dlatentr3.safetensors.export=FILE) with the library's safe_open and checks that it holds exactly the
        tensors and metadata below, bit for bit; f16_powers may be absent, since our engine has no F16 dtype to
        write it from.

The tensors are defined by formulas that SafetensorsReferenceTest restates in Java, so the test checks values it
computes itself rather than values copied from this script's output.
"""
import math
import os
import sys

import torch
from safetensors import safe_open
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "..", "resources", "safetensors", "reference.safetensors")

METADATA = {"format": "pt", "written_by": "make_safetensors_goldens.py"}


def reference_tensors():
    """The formulas (restated in SafetensorsReferenceTest):
    f32_matrix  F32  [2, 3]  (i - 2.5) * 0.75
    bf16_powers BF16 [6]     (-1)^i * 2^(-3 i)
    f16_powers  F16  [9]     (-1)^i * 2^(-3 i)   (reaches f16 subnormals: 2^-15, 2^-18, 2^-21, 2^-24)
    i32_matrix  I32  [2, 2]  (2 i - 3) * 700000001
    i64_vector  I64  [3]     (i - 1) * 3^39
    pi_scalar   F32  []      pi rounded to float32
    empty       F32  [0, 3]  no elements
    with i the row-major element index.
    """
    def powers(n, dtype):
        return torch.tensor([(-1) ** i * 2.0 ** (-3 * i) for i in range(n)], dtype=torch.float64).to(dtype)

    return {
        "f32_matrix": torch.tensor([(i - 2.5) * 0.75 for i in range(6)], dtype=torch.float32).reshape(2, 3),
        "bf16_powers": powers(6, torch.bfloat16),
        "f16_powers": powers(9, torch.float16),
        "i32_matrix": torch.tensor([(2 * i - 3) * 700000001 for i in range(4)], dtype=torch.int32).reshape(2, 2),
        "i64_vector": torch.tensor([(i - 1) * 3 ** 39 for i in range(3)], dtype=torch.int64),
        "pi_scalar": torch.tensor(math.pi, dtype=torch.float32),
        "empty": torch.zeros((0, 3), dtype=torch.float32),
    }


def bits(t):
    """The raw bytes of a tensor, so that comparisons are bitwise (signed zeros and NaN payloads included)."""
    return t.contiguous().reshape(-1).view(torch.uint8).tolist()


def write():
    save_file(reference_tensors(), OUTPUT, metadata=METADATA)
    print("wrote", os.path.normpath(OUTPUT), os.path.getsize(OUTPUT), "bytes")


def verify(path):
    expected = reference_tensors()
    with safe_open(path, framework="pt") as f:
        names = set(f.keys())
        if names != set(expected) and names != set(expected) - {"f16_powers"}:
            sys.exit(f"{path}: tensors {sorted(names)}, expected {sorted(expected)}")
        if f.metadata() != METADATA:
            sys.exit(f"{path}: metadata {f.metadata()}, expected {METADATA}")
        for name in sorted(names):
            want = expected[name]
            got = f.get_tensor(name)
            if got.dtype != want.dtype or tuple(got.shape) != tuple(want.shape) or bits(got) != bits(want):
                sys.exit(f"{path}: tensor {name} is {got.dtype}{tuple(got.shape)} {got.flatten().tolist()}, "
                         f"expected {want.dtype}{tuple(want.shape)} {want.flatten().tolist()}")
    print(f"{path}: all {len(names)} tensors and the metadata match, read by safetensors")


if __name__ == "__main__":
    if sys.argv[1:] == ["write"]:
        write()
    elif len(sys.argv) == 3 and sys.argv[1] == "verify":
        verify(sys.argv[2])
    else:
        sys.exit(__doc__)
