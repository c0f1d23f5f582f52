"""Allocates without bound (address space grows 256 MB at a time)."""
import numpy as np

blocks = []
while True:
    blocks.append(np.empty(256 * 1024 * 1024, dtype=np.uint8))
