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

    def __init__(self, max_tokens: int = 1000, sequence_length: int = 64, ngrams: int = 1,
                 tail: int = 0):
        if max_tokens < 3:
            raise ValueError(f"max_tokens must be >= 3 (padding, unknown, one word), "
                             f"got {max_tokens}")
        if not 0 <= tail <= sequence_length:
            raise ValueError(f"tail must be between 0 and sequence_length ({sequence_length}), "
                             f"got {tail}")
        self.max_tokens, self.sequence_length, self.ngrams = max_tokens, sequence_length, ngrams
        self.tail = tail

    def _cut(self, words: list[str]) -> list[str]:
        """A text longer than sequence_length keeps its first words and, with `tail`, its
        last `tail` words (where reviews tend to give their verdict)."""
        if not self.tail or len(words) <= self.sequence_length:
            return words
        return words[:self.sequence_length - self.tail] + words[len(words) - self.tail:]

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
            if self.tail:
                text = " ".join(self._cut(standardize(text)))
            ids = [self.index.get(token, 1) for token in standardize(text)]
            if self.ngrams > 1:
                ids += [self.index[t] for t in self._tokens(text)[len(ids):] if t in self.index]
            ids = ids[:self.sequence_length]
            out[row, :len(ids)] = ids
        return out

    def pairs(self, texts) -> np.ndarray:
        """(len(texts), sequence_length, 2) int32: at each position the word's id and the id
        of the bigram it starts ("not good" at "not"; 0 when that bigram is not in the
        vocabulary). Learn the vocabulary with ngrams=2 so that it holds bigrams. With `tail`,
        a long text's head and tail meet at the cut, where one bigram spans the gap."""
        if not hasattr(self, "index"):
            raise ValueError("call adapt(texts) before encoding")
        out = np.zeros((len(texts), self.sequence_length, 2), dtype=np.int32)
        for row, text in enumerate(texts):
            words = self._cut(standardize(text))[:self.sequence_length + 1]
            ids = [self.index.get(word, 1) for word in words[:self.sequence_length]]
            out[row, :len(ids), 0] = ids
            pairs = [self.index.get(f"{a} {b}", 0) for a, b in zip(words, words[1:])]
            out[row, :len(pairs), 1] = pairs[:self.sequence_length]
        return out

    def __len__(self) -> int:
        return len(self.tokens)


@keras.saving.register_keras_serializable(package="aml")
class PairEmbedding(keras.layers.Layer):
    """Embed (batch, time, 2) ids (word, bigram; `Vocabulary.pairs`) as the sum of the two
    vectors from one table, as fastText does: the recurrent layer then reads "not good" at
    one step as a unit of its own. Bigram id 0 adds nothing; steps whose word id is 0
    (padding) are masked."""

    def __init__(self, input_dim: int, output_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = input_dim, output_dim
        self.supports_masking = True

    def build(self, input_shape):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer="uniform", name="embeddings")

    def call(self, ids):
        ids = keras.ops.cast(ids, "int32")
        vectors = keras.ops.take(self.embeddings, ids, axis=0)  # (batch, time, 2, dim)
        present = keras.ops.cast(keras.ops.expand_dims(ids > 0, -1), vectors.dtype)
        return keras.ops.sum(vectors * present, axis=2)

    def compute_mask(self, ids, mask=None):
        return keras.ops.cast(ids, "int32")[..., 0] > 0

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.output_dim)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim}


@keras.saving.register_keras_serializable(package="aml")
class NgramScore(keras.layers.Layer):
    """A linear bag-of-n-grams score: one weight per vocabulary token, averaged over the text's
    words and the bigrams they start ((batch, time) or (batch, time, 2) ids -> (batch, 1)).

    It is the "wide" half of a wide-and-deep classifier, a linear path beside the memory
    layer; started at the naive-Bayes log-count ratios it is a multinomial naive Bayes score
    before any training (`seed_ngram_score`). Padding (id 0) counts neither way.

    The stored weights are the scores / `rate`: Adam moves every weight by about its learning
    rate per step, so this path learns `rate` times faster than the memory layer beside it
    (a weight averaged over ~200 words needs larger steps to matter)."""

    def __init__(self, input_dim: int, rate: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.input_dim, self.rate = input_dim, rate

    def build(self, input_shape):
        self.weights_per_token = self.add_weight(shape=(self.input_dim,), initializer="zeros",
                                                 name="weights_per_token")

    def call(self, ids):
        ids = keras.ops.cast(ids, "int32")
        present = keras.ops.cast(ids > 0, self.weights_per_token.dtype)
        total = keras.ops.sum(keras.ops.take(self.weights_per_token, ids) * present,
                              axis=tuple(range(1, len(ids.shape))))
        words = present[..., 0] if len(ids.shape) == 3 else present
        mean = total / keras.ops.maximum(keras.ops.sum(words, 1), 1.0)
        return keras.ops.expand_dims(self.rate * mean, -1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "rate": self.rate}


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


@keras.saving.register_keras_serializable(package="aml")
class TokenDropout(keras.layers.Layer):
    """While training, turn each token id into padding (0) with probability `rate`.

    Dropping whole words makes the classifier use every clue in the text, not the one or two
    words it memorized first; at inference the ids pass unchanged.
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=False):
        if not training or not self.rate:
            return inputs
        keep = keras.random.uniform(keras.ops.shape(inputs), seed=self.seed_generator)
        return keras.ops.where(keep >= self.rate, inputs, keras.ops.zeros_like(inputs))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


@keras.saving.register_keras_serializable(package="aml")
class MaskedMaxMeanPooling(keras.layers.Layer):
    """Max and mean over the unpadded time steps, concatenated: (batch, time, f) -> (batch, 2f).

    Pooling every step's state lets a word anywhere in the text count, not only what the
    last state still remembers; masked steps are left out of both.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return keras.ops.concatenate([keras.ops.max(inputs, axis=1),
                                          keras.ops.mean(inputs, axis=1)], axis=-1)
        keep = keras.ops.expand_dims(keras.ops.cast(mask, "bool"), -1)
        weight = keras.ops.cast(keep, inputs.dtype)
        largest = keras.ops.max(keras.ops.where(keep, inputs, -1e9), axis=1)
        count = keras.ops.sum(weight, axis=1)
        largest = keras.ops.where(count > 0, largest, 0.0)  # nothing left: zeros, not -1e9
        mean = keras.ops.sum(inputs * weight, axis=1) / keras.ops.maximum(count, 1.0)
        return keras.ops.concatenate([largest, mean], axis=-1)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 2 * input_shape[-1])


@keras.saving.register_keras_serializable(package="aml")
class OffsetBinaryCrossentropy(keras.losses.Loss):
    """Binary cross-entropy of a sigmoid output moved by a per-example offset on the logit
    scale: y_true's columns are (target in [0, 1], offset); with one column the offset is 0.

    It trains a wide-and-deep model as if its fixed linear path gave, for each training
    text, the score of a linear model that never saw that text (cross-fitting): the offset
    is that out-of-fold score minus the fixed path's own. Validation and test texts were
    never seen by the fixed path, so they need no offset."""

    def __init__(self, epsilon: float = 1e-6, name: str = "offset_binary_crossentropy",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.epsilon = epsilon

    def call(self, y_true, y_pred):
        y_true = keras.ops.cast(y_true, y_pred.dtype)
        p = keras.ops.clip(y_pred, self.epsilon, 1 - self.epsilon)
        z = keras.ops.log(p) - keras.ops.log1p(-p)
        if y_true.shape[-1] > 1:
            z = z + y_true[..., 1:2]
        return keras.ops.mean(keras.ops.softplus(z) - y_true[..., :1] * z, axis=-1)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


def logits(p, epsilon: float = 1e-6) -> np.ndarray:
    """log(p / (1 - p)) of probabilities, clipped to [epsilon, 1 - epsilon] (float64)."""
    p = np.clip(np.asarray(p, dtype=np.float64), epsilon, 1 - epsilon)
    return np.log(p) - np.log1p(-p)


def naive_bayes_scores(ids: np.ndarray, labels, vocab_size: int, alpha: float = 1.0):
    """Per-token log-count ratio log(p(token|positive) / p(token|negative)) (Wang & Manning's
    NBSVM), from training ids (one row per text, any shape) and 0/1 labels; 0 for padding
    and unknown.

    Written into one embedding channel, it gives the network each word's polarity as a
    starting point, which the small training set cannot teach reliably from random weights.
    """
    positive, negative = np.full(vocab_size, alpha), np.full(vocab_size, alpha)
    for row, label in zip(np.asarray(ids), np.asarray(labels)):
        present = np.unique(row[row > 1])
        (positive if label else negative)[present] += 1
    scores = np.log(positive / positive.sum()) - np.log(negative / negative.sum())
    scores[:2] = 0.0
    return scores


def lexicon_scores(tokens, valence: dict, full_scale: float = 4.0) -> np.ndarray:
    """Each vocabulary token's human-rated valence / `full_scale` (0 when unrated), from a
    lexicon such as VADER's; entries are standardized like texts ("can't" rates "cant"),
    an exact entry winning over one that only standardizes to the token.

    Written into an embedding channel, it tells the network the polarity of words that are
    rare or absent in a small training set.
    """
    table = {}
    for entry, value in valence.items():
        words = standardize(entry)
        if len(words) == 1 and (words[0] == entry or words[0] not in table):
            table[words[0]] = value
    return np.array([table.get(token, 0.0) / full_scale for token in tokens])


def seed_embedding_channel(model, scores, channel: int = 0, scale: float = 1.0):
    """Overwrite one channel of the model's Embedding with `scale * scores` (per token)."""
    embedding = next(layer for layer in model.layers
                     if isinstance(layer, (keras.layers.Embedding, PairEmbedding)))
    table = np.asarray(embedding.embeddings).copy()
    table[:, channel] = scale * np.asarray(scores, dtype=table.dtype)
    embedding.embeddings.assign(table)
    return model


def seed_ngram_score(model, scores, scale: float = 1.0):
    """Start the model's linear n-gram path (`NgramScore`) at `scale * scores` per token and
    its weight in the output unit at 1 (a random start could point it the wrong way: with
    naive-Bayes scores the model then begins as naive Bayes, not as its opposite)."""
    layer = next(layer for layer in model.layers if isinstance(layer, NgramScore))
    layer.weights_per_token.assign(scale * np.asarray(scores, dtype="float32") / layer.rate)
    output = model.layers[-1]  # the score is the last input of the output unit
    kernel = np.asarray(output.kernel).copy()
    kernel[-1] = 1.0
    output.kernel.assign(kernel)
    return model


RECURRENT_KINDS = ("simple_rnn", "lstm", "bilstm", "custom_cell")
LINEAR_KIND = "ngram_linear"  # the linear n-gram path alone, no memory: a baseline
POOLINGS = ("last", "max_mean")


def recurrent_layer(kind: str, units: int, sequences: bool = False):
    """The memory layer of a text classifier, by name (the states of all steps when
    `sequences`, else the last one)."""
    if kind == "simple_rnn":
        return keras.layers.SimpleRNN(units, return_sequences=sequences)
    if kind == "lstm":
        return keras.layers.LSTM(units, return_sequences=sequences)
    if kind == "bilstm":
        return keras.layers.Bidirectional(keras.layers.LSTM(units, return_sequences=sequences))
    if kind == "custom_cell":
        return keras.layers.RNN(MinimalRNNCell(units), return_sequences=sequences)
    raise ValueError(f"unknown recurrent layer {kind!r}; choose one of {RECURRENT_KINDS}")


def text_classifier(kind: str, vocab_size: int, sequence_length: int, embed_dim: int = 64,
                    units: int = 64, dense: int = 0, dropout: float = 0.0,
                    pooling: str = "last", embed_dropout: float | None = None,
                    token_dropout: float = 0.0, bigrams: bool = False, linear: bool = False,
                    linear_rate: float = 1.0):
    """Token ids -> [TokenDropout] -> Embedding(mask_zero) -> dropout -> recurrent layer ->
    [pooling] -> [Dropout, Dense] -> sigmoid.

    With `bigrams` the inputs are (sequence_length, 2) word and bigram ids embedded by
    `PairEmbedding`. `pooling="last"` keeps the final state; "max_mean" pools the states of
    all steps (`MaskedMaxMeanPooling`). The embeddings get Dropout(`dropout`), or SpatialDropout1D
    (`embed_dropout`: whole channels) when that is given. With `linear`, a linear n-gram
    score (`NgramScore`) of the same ids joins the pooled states before the output unit
    (wide and deep); kind "ngram_linear" is that linear path alone, without memory.
    """
    if pooling not in POOLINGS:
        raise ValueError(f"unknown pooling {pooling!r}; choose one of {POOLINGS}")
    # Layers draw their seeds from the global seed as they are made, so the order of making
    # them decides the starting weights: the plain model makes them in the order of the
    # Sequential model its snippets figures were measured with, the wide one makes its
    # recurrent layer first, as when its IMDB figures were measured (README, lecture 3).
    recurrent = (recurrent_layer(kind, units, sequences=pooling != "last")
                 if kind != LINEAR_KIND and (linear or kind not in RECURRENT_KINDS) else None)
    ids = keras.Input((sequence_length, 2) if bigrams else (sequence_length,))
    x = TokenDropout(token_dropout)(ids) if token_dropout else ids
    if kind == LINEAR_KIND:
        score = NgramScore(vocab_size, linear_rate)(x)
        return keras.Model(ids, keras.layers.Dense(1, activation="sigmoid")(score),
                           name=f"text_{kind}")
    h = (PairEmbedding(vocab_size, embed_dim) if bigrams
         else keras.layers.Embedding(vocab_size, embed_dim, mask_zero=True))(x)
    if embed_dropout:
        h = keras.layers.SpatialDropout1D(embed_dropout)(h)
    elif dropout and embed_dropout is None:
        h = keras.layers.Dropout(dropout)(h)
    h = (recurrent or recurrent_layer(kind, units, sequences=pooling != "last"))(h)
    if pooling == "max_mean":
        h = MaskedMaxMeanPooling()(h)
    if dropout:
        h = keras.layers.Dropout(dropout)(h)
    if dense:
        h = keras.layers.Dense(dense, activation="relu")(h)
    if linear:
        h = keras.layers.Concatenate()([h, NgramScore(vocab_size, linear_rate)(x)])
    return keras.Model(ids, keras.layers.Dense(1, activation="sigmoid")(h), name=f"text_{kind}")
