"""What a model is made of, through Keras' public API only: which API built it and every
layer inside it (nested models, wrappers and recurrent cells included)."""

from __future__ import annotations

import keras


def keras_api(model) -> str:
    """"sequential", "functional" (keras.Model(inputs, outputs), a graph of layers) or
    "subclass" (a keras.Model subclass with its own call())."""
    if isinstance(model, keras.Sequential):
        return "sequential"
    if isinstance(model, keras.Function):  # functional models are graphs: Function objects
        return "functional"
    return "subclass"


def all_layers(model) -> list:
    """Every layer inside `model`, once each, parents before their parts: the layers of
    nested models, the layers a subclass or custom layer holds as attributes (also in lists,
    tuples and dicts), a wrapper's layer (Bidirectional, TimeDistributed), an RNN's cell."""
    found, seen = [], {id(model)}
    queue = list(getattr(model, "layers", []))
    while queue:
        layer = queue.pop(0)
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        found.append(layer)
        queue += [part for part in _parts(layer) if id(part) not in seen]
    return found


def _parts(layer) -> list:
    parts = list(getattr(layer, "layers", []) if isinstance(layer, keras.Model) else [])
    for name, value in vars(layer).items():
        if name.startswith("_"):  # Keras' own bookkeeping (input layers, inner graphs)
            continue
        values = value.values() if isinstance(value, dict) else (
            value if isinstance(value, (list, tuple)) else [value])
        parts += [v for v in values if isinstance(v, keras.layers.Layer)
                  and not isinstance(v, keras.layers.InputLayer)]
    return parts
