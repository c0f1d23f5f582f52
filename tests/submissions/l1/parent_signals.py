"""Tries to take the grader down: SIGSTOP and SIGKILL to its parent and to every process it
can signal, and a zero file-size limit on its parent."""
import os
import resource
import signal

import keras

parent = os.getppid()
for attempt in (lambda: resource.prlimit(parent, resource.RLIMIT_FSIZE, (0, 0)),
                lambda: resource.prlimit(1, resource.RLIMIT_NOFILE, (3, 3)),
                lambda: os.kill(parent, signal.SIGSTOP),
                lambda: os.kill(parent, signal.SIGKILL),
                lambda: os.kill(1, signal.SIGKILL)):
    try:
        attempt()
    except OSError as err:
        print("refused", err)
print("PARENT", parent)


def build_model():
    return keras.Sequential([keras.Input(shape=(4,)),
                             keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(3, activation="sigmoid")])
