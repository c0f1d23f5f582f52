"""Text models of lecture 3: a tokenizer that works on every backend, recurrent classifiers,
and a recurrent cell written by subclassing `keras.layers.Layer`.

`keras.layers.TextVectorization` runs only on TensorFlow; `Vocabulary` does the same job
(lowercase, strip punctuation, split on spaces, keep the most frequent tokens, 0 = padding,
1 = unknown) in plain Python, so the examples also run with --backend jax.
"""

from __future__ import annotations

import re
from collections import Counter

import keras
import numpy as np

_PUNCTUATION = re.compile(r"[!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~']")
_BREAK = re.compile(r"<br\s*/?>")


def standardize(text: str) -> list[str]:
    """TextVectorization's default: lowercase, drop punctuation, split on whitespace."""
    return _PUNCTUATION.sub("", _BREAK.sub(" ", text.lower())).split()


class Vocabulary:
    """Map texts to padded integer sequences with the `max_tokens` most frequent tokens."""

    def __init__(self, max_tokens: int = 1000, sequence_length: int = 64, ngrams: int = 1):
        if max_tokens < 3:
            raise ValueError(f"max_tokens must be >= 3 (padding, unknown, one word), "
                             f"got {max_tokens}")
        self.max_tokens, self.sequence_length, self.ngrams = max_tokens, sequence_length, ngrams

    def _tokens(self, text: str) -> list[str]:
        words = standardize(text)
        tokens = list(words)
        for n in range(2, self.ngrams + 1):
            tokens += [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)]
        return tokens

    def adapt(self, texts) -> Vocabulary:
        """Learn the vocabulary from training texts (ties broken alphabetically)."""
        counts = Counter(token for text in texts for token in self._tokens(text))
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        self.tokens = ["", "[UNK]"] + [t for t, _ in ranked[:self.max_tokens - 2]]
        self.index = {token: i for i, token in enumerate(self.tokens)}
        return self

    def __call__(self, texts) -> np.ndarray:
        """(len(texts), sequence_length) int32 ids, truncated or zero-padded at the end."""
        if not hasattr(self, "index"):
            raise ValueError("call adapt(texts) before encoding")
        out = np.zeros((len(texts), self.sequence_length), dtype=np.int32)
        for row, text in enumerate(texts):
            ids = [self.index.get(token, 1) for token in standardize(text)]
            if self.ngrams > 1:
                ids += [self.index[t] for t in self._tokens(text)[len(ids):] if t in self.index]
            ids = ids[:self.sequence_length]
            out[row, :len(ids)] = ids
        return out

    def __len__(self) -> int:
        return len(self.tokens)


@keras.saving.register_keras_serializable(package="aml")
class MinimalRNNCell(keras.layers.Layer):
    """A recurrent cell written by hand (eq 3.2): h_t = tanh(x_t W + h_{t-1} U + b).

    Wrap it in `keras.layers.RNN(MinimalRNNCell(units))` to run it over a sequence; the RNN
    layer handles masks, time loops and returning sequences.
    """

    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="glorot_uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                initializer="orthogonal",
                                                name="recurrent_kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs, states):
        previous = states[0] if isinstance(states, (list, tuple)) else states
        h = keras.ops.tanh(keras.ops.matmul(inputs, self.kernel)
                           + keras.ops.matmul(previous, self.recurrent_kernel) + self.bias)
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


RECURRENT_KINDS = ("simple_rnn", "lstm", "bilstm", "custom_cell")


def recurrent_layer(kind: str, units: int):
    """The memory layer of a text classifier, by name."""
    if kind == "simple_rnn":
        return keras.layers.SimpleRNN(units)
    if kind == "lstm":
        return keras.layers.LSTM(units)
    if kind == "bilstm":
        return keras.layers.Bidirectional(keras.layers.LSTM(units))
    if kind == "custom_cell":
        return keras.layers.RNN(MinimalRNNCell(units))
    raise ValueError(f"unknown recurrent layer {kind!r}; choose one of {RECURRENT_KINDS}")


def text_classifier(kind: str, vocab_size: int, sequence_length: int, embed_dim: int = 64,
                    units: int = 64, dense: int = 0, dropout: float = 0.0):
    """Token ids -> Embedding(mask_zero) -> recurrent layer -> [Dense] -> sigmoid."""
    layers = [keras.Input((sequence_length,)),
              keras.layers.Embedding(vocab_size, embed_dim, mask_zero=True)]
    if dropout:
        layers.append(keras.layers.Dropout(dropout))
    layers.append(recurrent_layer(kind, units))
    if dropout:
        layers.append(keras.layers.Dropout(dropout))
    if dense:
        layers.append(keras.layers.Dense(dense, activation="relu"))
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers, name=f"text_{kind}")
