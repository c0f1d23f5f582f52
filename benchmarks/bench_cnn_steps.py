"""Where a small CNN's training time goes, per backend: epoch time of aml's compiled loop
for lecture 3's CNN (Conv32-Pool-Conv64-Pool-Dense128 on 28x28x1) as one thing changes:
pooling layer, padding, batch size, dropout, and on JAX the lax.scan loop vs one jitted
step per batch. Each backend runs in its own subprocess; the compile (first epoch) is
excluded.

    python benchmarks/bench_cnn_steps.py [--backends tensorflow,jax] [--samples 2048]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from options import option

# (label, pooling, padding, batch, dropout, loop): each changes one thing from the baseline
# (l3.cnn_images' network at batch 128); loop "auto" is what aml picks
VARIANTS = [("baseline: this backend's pooling", "auto", "same", 128, 0.3, "auto"),
            ("MaxPooling2D", "keras", "same", 128, 0.3, "auto"),
            ("BlockMaxPooling2D", "block", "same", 128, 0.3, "auto"),
            ("AveragePooling2D", "average", "same", 128, 0.3, "auto"),
            ("'valid' padding", "auto", "valid", 128, 0.3, "auto"),
            ("no dropout", "auto", "same", 128, 0.0, "auto"),
            ("batch 16", "auto", "same", 16, 0.3, "auto"),
            ("batch 64", "auto", "same", 64, 0.3, "auto"),
            ("batch 256", "auto", "same", 256, 0.3, "auto"),
            ("lax.scan loop", "keras", "same", 128, 0.3, "scan"),
            ("lax.scan loop, BlockMaxPooling2D", "block", "same", 128, 0.3, "scan")]


def child(samples):
    import keras
    import numpy as np

    from aml.models.pooling import BlockMaxPooling2D, max_pooling_2d
    from aml.training import supervised

    pools = {"auto": max_pooling_2d, "keras": keras.layers.MaxPooling2D,
             "block": BlockMaxPooling2D, "average": keras.layers.AveragePooling2D}
    rng = np.random.default_rng(0)
    x = rng.random((samples, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, samples).astype("int32")
    detect = supervised._has_convolution
    out = []
    for label, pool, padding, batch, dropout, loop in VARIANTS:
        if loop == "scan" and keras.backend.backend() != "jax":
            continue
        supervised._has_convolution = detect if loop == "auto" else (lambda *args: False)
        keras.utils.set_random_seed(0)
        layers = [keras.Input((28, 28, 1))]
        for filters in (32, 64):
            layers += [keras.layers.Conv2D(filters, 3, padding=padding, activation="relu"),
                       pools[pool](2)]
        layers += [keras.layers.Flatten()] + ([keras.layers.Dropout(dropout)] if dropout else [])
        layers += [keras.layers.Dense(128, activation="relu"),
                   keras.layers.Dense(10, activation="softmax")]
        stamps = []
        supervised.fit(keras.Sequential(layers), x, y, epochs=2, batch_size=batch,
                       loss=keras.losses.SparseCategoricalCrossentropy(),
                       on_epoch=lambda e, logs, s=stamps: s.append(time.perf_counter()))
        out.append([label, (stamps[1] - stamps[0]) / samples * 1e6])
    supervised._has_convolution = detect
    print("RESULT " + json.dumps(out))


def main():
    samples = int(option("--samples", "2048"))
    if "--child" in sys.argv:
        from aml.backend import use_backend

        use_backend(option("--child", "tensorflow"))
        return child(samples)
    from aml.tables import format_table

    rows = []
    for backend in option("--backends", "tensorflow,jax").split(","):
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
        load = os.getloadavg()[0]
        done = subprocess.run([sys.executable, __file__, "--child", backend, "--samples",
                               str(samples)], env=env, capture_output=True, text=True)
        line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
        if not line:
            print(f"{backend} failed:\n{done.stderr[-2000:]}")
            continue
        results = json.loads(line[-1][7:])
        base = results[0][1]
        rows += [[backend, label, f"{us:.0f}", f"{us / base:.2f}", f"{load:.1f}"]
                 for label, us in results]
    print(format_table(rows, ["backend", "variant", "us/sample", "vs default",
                              "load at start"]))
    print(f"({samples} random 28x28x1 images, second epoch timed; 2-core CPU timings move "
          "with the machine's load)")


if __name__ == "__main__":
    main()
