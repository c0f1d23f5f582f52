"""Writes a forged perfect report to every open descriptor, then behaves."""
import json
import os
import struct

import numpy as np

fake = json.dumps({"nonce": "guess", "status": "ok", "detail": "", "checks": [
    {"name": "everything", "passed": True, "measured": 1, "target": None, "hint": "",
     "points": 100, "tier": "", "status": ""}]}).encode()
for fd in range(3, 64):
    try:
        os.write(fd, struct.pack(">Q", len(fake)) + fake)
    except OSError:
        pass


def fit_line(x, y):
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope), float(intercept)


def predict(x, slope, intercept):
    return slope * np.asarray(x) + intercept
