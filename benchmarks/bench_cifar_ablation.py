"""What each small-budget trick of `l3.cnn_images` is worth on CIFAR-10: the recipe, then the
recipe with one trick taken out at a time, all on the same images, seed and epochs.

Rows: the full recipe (CnnConfig); no mirrored predictions (the same trained model, scored
without averaging each image with its mirror); no batch norm; no flips or crops (the same
images every epoch); a constant learning rate (the one-cycle schedule's mean rate, so the
same total step length without warm-up or annealing); no label smoothing.

Every number is validation accuracy on images held out from the training set (the last
`validation` of a seed-0 shuffle): an ablation is a choice, so the test set is not touched.
The spread to expect from the seed alone is about one standard error of the validation
set, printed under the table.

    python benchmarks/bench_cifar_ablation.py [--scale 1] [--epochs 10] [--only no_bn,...]

Needs CIFAR-10 imported (`aml data list`). At --scale 1 a row trains 45,000 images for 10
epochs (about 10 minutes on 2 busy cores); --scale 0.5 halves the images and the time.
"""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
from options import option

# row -> the CnnConfig fields that differ from the recipe
ABLATIONS = {
    "recipe": {},
    "no_test_flips": {"test_flips": False},
    "no_batch_norm": {"batch_norm": False},
    "no_flips_or_crops": {"flip": False, "crop_pad": 0},
    "constant_lr": {"schedule": "constant"},
    "no_label_smoothing": {"label_smoothing": 0.0},
}


def run_row(name: str, base, x, y, xv, yv, trained: dict):
    """(seconds, final val accuracy, best val accuracy, s to 0.80 or None) of one row."""
    from aml.lectures.lecture3.images import train_recipe
    from aml.training.augmented import predict_logits

    change = ABLATIONS[name]
    if name == "no_test_flips":  # the recipe's own model, scored without its mirror
        history, model = trained["recipe"]
        plain = float(np.mean(predict_logits(model, xv, flips=False).argmax(-1) == yv))
        return history["seconds"], plain, None, None
    model, history = train_recipe(replace(base, **change), x, y, xv, yv, 10, seed=0)
    trained[name] = history, model
    scores = history["val_accuracy"]
    reach = next((t for t, a in zip(history["time"], scores) if a >= 0.80), None)
    return history["seconds"], scores[-1], max(scores), reach


def main():
    from aml.backend import use_backend

    use_backend(os.environ.get("KERAS_BACKEND", "tensorflow"))
    from aml.lectures.lecture3.images import CnnConfig, carve_validation, load_images
    from aml.stats import accuracy_se
    from aml.tables import format_table

    scale = float(option("--scale", "1"))
    base = replace(CnnConfig(), epochs=int(option("--epochs", str(CnnConfig().epochs))))
    names = ["recipe"] + [n for n in option("--only", ",".join(ABLATIONS)).split(",")
                          if n in ABLATIONS and n != "recipe"]
    data = load_images("cifar10", train_limit=None if scale >= 1 else int(50000 * scale))
    x, y, xv, yv = carve_validation(data, int(base.validation_size * min(scale, 1)), seed=0)
    load = os.getloadavg()[0]
    trained, rows, recipe_final = {}, [], None
    for name in names:
        seconds, final, best, reach = run_row(name, base, x, y, xv, yv, trained)
        recipe_final = final if name == "recipe" else recipe_final
        rows.append([name, f"{seconds:.0f}", f"{final:.4f}",
                     "-" if best is None else f"{best:.4f}",
                     f"{final - recipe_final:+.4f}",
                     "-" if name == "no_test_flips" else
                     (f"{reach:.0f}" if reach is not None else "not reached")])
        print(format_table(rows[-1:], _HEADER), flush=True)  # a run cut short keeps its rows
    print()
    print(format_table(rows, _HEADER))
    print(f"({len(x)} training, {len(xv)} validation images, {base.epochs} epochs, seed 0, "
          f"{os.environ.get('KERAS_BACKEND', 'tensorflow')}; one SE of the validation set "
          f"~{accuracy_se(recipe_final, len(yv)):.4f}; load average {load:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end; {os.cpu_count()} CPUs)")


_HEADER = ["row", "train s", "final val acc", "best val acc", "vs recipe", "s to 80 % (val)"]

if __name__ == "__main__":
    main()
