"""Leaves its cgroup and starts a detached grandchild meant to outlive the run and write
later (the pre-jail grader let it rewrite the journal)."""
import os
import time

import keras

for path in ("/sys/fs/cgroup/pids/cgroup.procs", "/sys/fs/cgroup/cgroup.procs",
             "/sys/fs/cgroup/unified/cgroup.procs"):
    try:
        with open(path, "w") as handle:
            handle.write(str(os.getpid()))
        print("MOVED", path)
    except OSError as err:
        print("STAYED", path, err.strerror)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(8)
        with open("/tmp/aml_grading_escape.txt", "w") as handle:
            handle.write("outlived the run")
        os._exit(0)
    os._exit(0)


def build_model():
    return keras.Sequential([keras.Input(shape=(4,)),
                             keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(3, activation="sigmoid")])
