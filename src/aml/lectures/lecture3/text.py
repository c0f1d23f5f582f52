"""Lecture 3 text example: review sentiment with memory (SimpleRNN, LSTM, BiLSTM and a cell
written by subclassing), compared on accuracy, parameters and time per epoch.

IMDB when it is on this machine (the course's data), otherwise the movie-review snippets;
"synthetic" (generated sentences) serves the tests. Tokens come from `Vocabulary`, which
does TextVectorization's job on every backend.

Every model gets the same head, inputs and regularization so that only the memory layer
differs: the states of all steps are max- and mean-pooled; words (TokenDropout) and embedding
channels (SpatialDropout1D) are dropped at random; two embedding channels start from what a
small training set cannot teach reliably, each word's naive-Bayes log-count ratio (NBSVM's
feature, from the training split) and its human-rated valence (VADER's lexicon, bundled with
vaderSentiment); and the targets are soft, sigmoid(3 x the graded score), so a lukewarm
review pulls less than a rave. The epoch kept and the best kind are chosen on a validation
split carved from the training texts (the last 10 %), never on the test set. That kind is
then trained four more times, each time holding out another 10 % block for validation, and
the five models' probabilities are averaged: a cross-validation ensemble, which together has
learned from every training text. It is the reported model.
Measured on the snippets (TensorFlow, seeds 0/1/2): see the README's lecture 3 section.

On IMDB (`TextConfig.imdb`) the models are wide and deep: a linear n-gram score, trained
first on its own and reported as its own row (`ngram_linear`, no memory), sits fixed beside
each memory model's pooled states, so the table shows what the recurrent layer adds to it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from aml.context import RunContext

# aml.models.text.LINEAR_KIND, the linear n-gram baseline's kind (not imported from there:
# that module imports Keras, which must wait until the run has chosen its backend)
LINEAR_KIND = "ngram_linear"

_POSITIVE = ["good", "great", "wonderful", "moving", "funny", "brilliant", "charming", "fresh"]
_NEGATIVE = ["bad", "dull", "boring", "awful", "flat", "tedious", "stale", "clumsy"]
_FILLER = ["the", "movie", "film", "story", "is", "was", "a", "very", "and", "plot", "cast",
           "quite", "really", "this", "it", "script"]


def synthetic_reviews(n: int = 800, seed: int = 0):
    """Generated reviews whose label needs memory: "not" before a sentiment word flips it."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(2))
        negated = rng.random() < 0.3
        word = rng.choice(_POSITIVE if label != negated else _NEGATIVE)
        words = list(rng.choice(_FILLER, rng.integers(3, 9)))
        words.insert(int(rng.integers(len(words) + 1)), ("not " if negated else "") + word)
        texts.append(" ".join(words))
        labels.append(label)
    y = np.array(labels, dtype=np.int64)
    cut = int(0.8 * n)
    return texts[:cut], y[:cut], texts[cut:], y[cut:]


def load_texts(dataset: str = "auto", seed: int = 0, graded: bool = False):
    """(texts_train, y_train, texts_test, y_test, dataset name, note on any fallback).

    With `graded`, y holds float scores whose sign is the label (the snippets' mean human
    score, IMDB's rating - 5.5; +-1 for the synthetic reviews, which have no grades).
    """
    from aml.data import load, load_or_stand_in

    if dataset == "synthetic":
        texts, y, texts_test, y_test = synthetic_reviews(seed=seed)
        if graded:
            y, y_test = 2.0 * y - 1, 2.0 * y_test - 1
        return texts, y, texts_test, y_test, "synthetic", ""
    extra = {"graded": True, "seed": seed} if graded else {"seed": seed}
    if dataset != "auto":
        return (*load(dataset, **extra), dataset, "")
    arrays, dataset, note = load_or_stand_in("imdb", **extra)  # else the snippets
    return (*arrays, dataset, note)


@dataclass(frozen=True)
class TextConfig:
    dataset: str = "auto"
    models: tuple = ("simple_rnn", "lstm", "bilstm", "custom_cell")
    max_tokens: int = 10_000
    sequence_length: int = 48
    bigrams: bool = False  # each step also embeds the bigram it starts (PairEmbedding)
    embed_dim: int = 64
    units: int = 32
    pooling: str = "max_mean"
    dropout: float = 0.5
    embed_dropout: float = 0.3
    token_dropout: float = 0.2
    tail: int = 0  # a longer text keeps its first sequence_length - tail words and last tail
    naive_bayes_scale: float = 1.0  # channel 0 starts at each word's log-count ratio
    linear: bool = False  # wide and deep: a linear n-gram score beside the pooled states
    linear_rate: float = 10.0  # the linear path learns this many times faster (NgramScore)
    linear_epochs: int = 12  # of the linear baseline (kind "ngram_linear"), a few s each
    # the linear path starts as the trained baseline of the same fold and stays fixed, so
    # the memory layer learns what the linear score leaves out
    linear_warm: bool = False
    # with linear_warm: train the memory layer against out-of-fold linear scores, from this
    # many linear models each trained without one part of the training texts (0 = off): the
    # fixed path fits its own training texts almost perfectly, which leaves the memory layer
    # nothing to learn from them (OffsetBinaryCrossentropy)
    linear_crossfit: int = 0
    lexicon_scale: float = 1.0  # channel 1 starts at each word's VADER valence / 4
    soft_labels: float = 3.0  # targets sigmoid(k * graded score); 0 = hard 0/1 labels
    ensemble: int = 5  # the best kind is trained on this many folds, averaged
    epochs: int = 6
    batch_size: int = 64
    learning_rate: float = 5e-4
    validation_fraction: float = 0.1
    train_limit: int | None = None
    # IMDB's 25,000 reviews run to ~230 words where a snippet has ~20: what changes there
    # (chosen on the validation split; see the README's lecture 3 table).
    imdb: tuple = (("models", (LINEAR_KIND, "simple_rnn", "lstm", "bilstm", "custom_cell")),
                   ("max_tokens", 200_000), ("sequence_length", 800), ("tail", 200),
                   ("bigrams", True), ("embed_dim", 32), ("linear", True), ("linear_warm", True),
                   ("linear_epochs", 16),
                   ("epochs", 3), ("batch_size", 128), ("learning_rate", 2e-3),
                   ("ensemble", 1))

    @classmethod
    def quick(cls) -> TextConfig:
        return cls(max_tokens=2000, units=16, embed_dim=32, epochs=2, learning_rate=2e-3,
                   train_limit=2000, ensemble=2,
                   imdb=(("sequence_length", 128), ("bigrams", True)))

    def for_dataset(self, dataset: str) -> TextConfig:
        """This configuration with the dataset's own settings (`imdb`) applied."""
        return replace(self, **dict(self.imdb), imdb=()) if dataset == "imdb" else self


def train_text_model(model, x, y, xv, yv, *, epochs, batch_size, learning_rate, seed=0,
                     on_epoch=None, on_batch=None):
    """Adam + binary cross-entropy (y may be soft targets in [0, 1], or (target, logit offset)
    rows: OffsetBinaryCrossentropy); keeps the weights of the epoch with the best validation
    accuracy. Returns (history, best epoch, seconds per epoch)."""
    import keras

    from aml.models.text import OffsetBinaryCrossentropy
    from aml.training import supervised

    best = {"accuracy": -1.0, "epoch": 0, "weights": None}

    def remember(epoch, logs):
        if logs["val_accuracy"] > best["accuracy"]:
            best.update(accuracy=logs["val_accuracy"], epoch=epoch, weights=model.get_weights())
        if on_epoch is not None:
            on_epoch(epoch, logs)

    y = np.asarray(y, dtype="float32")
    offsets = y.ndim == 2
    loss = OffsetBinaryCrossentropy() if offsets else keras.losses.BinaryCrossentropy()
    start = time.perf_counter()
    history = supervised.fit(model, x, y if offsets else y[:, None], loss=loss, epochs=epochs,
                             batch_size=batch_size, validation_data=(xv, yv[:, None]),
                             optimizer=keras.optimizers.Adam(learning_rate), seed=seed,
                             on_epoch=remember, on_batch=on_batch)
    seconds = (time.perf_counter() - start) / epochs
    if best["weights"] is not None:
        model.set_weights(best["weights"])
    return history, best["epoch"], seconds


@dataclass(frozen=True)
class TextData:
    """Every training and test text as token ids, with labels and graded scores."""

    x: np.ndarray
    y: np.ndarray
    graded: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    tokens: list  # the vocabulary, id -> token
    lexicon: np.ndarray | None  # per-token VADER valence / 4, when the config uses it
    length: int
    dataset: str


@dataclass(frozen=True)
class TextSplit:
    """One fold: training ids and targets, validation ids and labels, test ids and labels,
    and the embedding channels' starting values (from this fold's training part only)."""

    x_train: np.ndarray
    targets: np.ndarray  # 0/1 labels, or soft targets from graded scores
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    channels: dict  # embedding channel -> per-token starting values
    ratios: np.ndarray | None = None  # naive-Bayes log-count ratios: the linear path's start


def prepare_texts(config: TextConfig, seed: int, log=print) -> TextData:
    """Load and tokenize the texts (the vocabulary is learned from the training texts,
    without their labels) and rate each token with the sentiment lexicon."""
    from aml.data import load
    from aml.models.text import Vocabulary, lexicon_scores

    texts, graded, texts_test, graded_test, dataset, note = load_texts(config.dataset, seed,
                                                                       graded=True)
    if note:
        log(note)
    config = config.for_dataset(dataset)
    if config.train_limit:
        texts, graded = texts[:config.train_limit], graded[:config.train_limit]
    length = config.sequence_length
    vocabulary = Vocabulary(config.max_tokens, length, ngrams=2 if config.bigrams else 1,
                            tail=config.tail).adapt(texts)
    encode = vocabulary.pairs if config.bigrams else vocabulary
    lexicon = (config.lexicon_scale * lexicon_scores(vocabulary.tokens, load("sentiment_lexicon"))
               if config.lexicon_scale else None)
    log(f"dataset: {dataset} ({len(texts)} training texts, {validation_size(config, len(texts))}"
        f" of them held out per fold; {len(texts_test)} test texts; {len(vocabulary)} tokens, "
        f"sequences of {length})")
    return TextData(encode(texts), (graded > 0).astype(np.int64), graded,
                    encode(texts_test), (graded_test > 0).astype(np.int64),
                    vocabulary.tokens, lexicon, length, dataset)


def validation_size(config: TextConfig, n: int) -> int:
    return max(1, int(n * config.validation_fraction))


def fold_split(data: TextData, config: TextConfig, fold: int = 0) -> TextSplit:
    """Hold out the `fold`-th block of `validation_fraction` of the training texts, counted
    from the end (fold 0 = the last block), and train on the rest; folds beyond the number of
    blocks wrap around. The naive-Bayes channel is computed from the training part only."""
    from aml.models.text import naive_bayes_scores

    n = len(data.x)
    n_val = validation_size(config, n)
    fold %= max(1, n // n_val)
    held = np.zeros(n, dtype=bool)
    held[n - (fold + 1) * n_val:n - fold * n_val] = True
    train = ~held
    targets = (1 / (1 + np.exp(-config.soft_labels * data.graded[train])) if config.soft_labels
               else data.y[train])
    channels, ratios = {}, None
    if config.naive_bayes_scale or config.linear or LINEAR_KIND in config.models:
        ratios = naive_bayes_scores(data.x[train], data.y[train], len(data.tokens))
    if config.naive_bayes_scale:
        channels[0] = config.naive_bayes_scale * ratios
    if data.lexicon is not None:
        channels[1] = data.lexicon
    return TextSplit(data.x[train], targets, data.x[held], data.y[held], data.x_test,
                     data.y_test, channels, ratios)


def text_model(kind: str, config: TextConfig, data: TextSplit, vocab_size: int, length: int):
    """The example's classifier of one kind, its embedding channels seeded from `data`."""
    from aml.models.text import seed_embedding_channel, seed_ngram_score, text_classifier

    model = text_classifier(kind, vocab_size, length, embed_dim=config.embed_dim,
                            units=config.units, dropout=config.dropout, pooling=config.pooling,
                            embed_dropout=config.embed_dropout,
                            token_dropout=config.token_dropout, bigrams=config.bigrams,
                            linear=config.linear, linear_rate=config.linear_rate)
    if kind == LINEAR_KIND or config.linear:
        seed_ngram_score(model, data.ratios)
    if kind != LINEAR_KIND:
        for channel, scores in data.channels.items():
            seed_embedding_channel(model, scores, channel=channel)
    return model


def probabilities(model, x, batch_size: int = 1024) -> np.ndarray:
    """The model's positive-class probability for each row of token ids, in batches.

    The rows are padded to whole batches, so every batch has one shape and the prediction
    graph is traced once (a short last batch would trace it again)."""
    x = np.asarray(x, dtype="float32")
    batch = min(batch_size, len(x))
    padded = np.concatenate([x, np.zeros((-len(x) % batch, *x.shape[1:]), x.dtype)])
    return np.asarray(model.predict(padded, batch_size=batch, verbose=0)).reshape(-1)[:len(x)]


def text_sentiment(config: TextConfig, ctx: RunContext) -> dict:
    """Train each recurrent model on the same tokens, then a cross-validation ensemble of the
    kind that did best on validation; table of accuracy, parameters and time per epoch."""
    import keras

    from aml.tables import format_table

    data = prepare_texts(config, ctx.seed, ctx.log)
    config = config.for_dataset(data.dataset)

    baselines = {}  # fold -> the trained linear baseline (its first result row)
    offsets = {}  # fold -> out-of-fold minus fixed linear scores of its training texts

    def train(kind: str, fold: int, label: str):
        split = fold_split(data, config, fold)
        seed = ctx.seed + 1000 * fold
        targets = split.targets
        wide = config.linear and config.linear_warm and kind != LINEAR_KIND
        if wide and fold not in baselines:
            train(LINEAR_KIND, fold, f"{LINEAR_KIND} fold {fold + 1} (linear path)")
        if wide and config.linear_crossfit > 1:
            if fold not in offsets:
                offsets[fold] = crossfit_offsets(split, baselines[fold][0], config, seed,
                                                 len(data.tokens), data.length, ctx)
            targets = np.stack([targets, offsets[fold]], axis=1)
        keras.utils.set_random_seed(seed)  # the same start whatever was trained before
        model = text_model(kind, config, split, len(data.tokens), data.length)
        if wide:
            _fix_linear_path(model, baselines[fold][0])
        epochs = config.linear_epochs if kind == LINEAR_KIND else config.epochs
        bar = ctx.progress(label, epochs)
        history, best_epoch, per_epoch = train_text_model(
            model, split.x_train, targets, split.x_val, split.y_val, epochs=epochs,
            batch_size=config.batch_size, learning_rate=config.learning_rate, seed=seed,
            on_epoch=lambda e, logs: bar.update(e, **logs), on_batch=bar.batches(epochs))
        result = (model, history, best_epoch, per_epoch,
                  accuracy(probabilities(model, split.x_val), split.y_val),
                  probabilities(model, data.x_test))
        if kind == LINEAR_KIND:
            baselines.setdefault(fold, result)
        return result

    def accuracy(p, labels):
        return round(float(np.mean((p > 0.5) == labels)), 4)

    rows, metrics, curves, members = [], {"dataset": data.dataset}, {}, {}
    for kind in config.models:
        trained = baselines.get(0) if kind == LINEAR_KIND else None
        model, history, best_epoch, per_epoch, val, p_test = trained or train(kind, 0, kind)
        members[kind] = [(val, p_test, per_epoch)]
        curves[kind] = history["val_accuracy"]
        rows.append([kind, val, accuracy(p_test, data.y_test), model.count_params(),
                     round(per_epoch, 2), best_epoch])
    memory = [row for row in rows if row[0] != LINEAR_KIND] or rows  # the baseline is no pick
    if config.ensemble > 1:
        kind = max(memory, key=lambda row: row[1])[0]  # the best single kind on validation
        for fold in range(1, config.ensemble):
            *_, per_epoch, val, p_test = train(kind, fold,
                                               f"{kind} fold {fold + 1}/{config.ensemble}")
            members[kind].append((val, p_test, per_epoch))
        val, p_test, seconds = (np.mean(column, axis=0) for column in zip(*members[kind]))
        single = next(row for row in rows if row[0] == kind)
        rows.append([f"{kind}_x{config.ensemble}", round(float(val), 4),
                     accuracy(p_test, data.y_test), single[3] * config.ensemble,
                     round(float(seconds) * config.ensemble, 2), "-"])
    for name, val, test, parameters, per_epoch, _ in rows:
        metrics.update({f"{name}_validation_accuracy": val, f"{name}_test_accuracy": test,
                        f"{name}_parameters": parameters, f"{name}_seconds_per_epoch": per_epoch})
    table = format_table(rows, ["model", "validation accuracy", "test accuracy", "parameters",
                                "s/epoch", "best epoch"])
    for line in table.splitlines():
        ctx.log(line)
    if config.ensemble > 1:
        ctx.log(f"{rows[-1][0]}: {config.ensemble} {rows[-1][0].split('_x')[0]} models, each "
                "validated on its own held-out block of the training texts (its validation "
                "accuracy is their mean), test probabilities averaged")
    # The kind is chosen on validation; its ensemble, when there is one, is the answer by
    # design (averaging lowers variance), so no second look at validation decides.
    best = rows[-1] if config.ensemble > 1 else max(memory, key=lambda row: row[1])
    metrics.update(best_model=best[0], test_accuracy=best[2], parameters=best[3],
                   val_accuracy=best[1], n_test=len(data.y_test))
    ctx.save_figure(_curves_figure(curves, data.dataset), "validation_accuracy")
    return metrics


def crossfit_offsets(split: TextSplit, baseline, config: TextConfig, seed: int,
                     vocab_size: int, length: int, ctx: RunContext) -> np.ndarray:
    """Per training text of `split`: the logit of a linear n-gram model that did not train on
    it minus the logit of the fixed linear path (`baseline`) that did.

    The training texts are cut into `config.linear_crossfit` consecutive parts; for each, a
    linear baseline (same recipe, its epoch chosen on the split's validation texts) trains
    on the others and scores it. The memory model beside the fixed path then sees, through
    OffsetBinaryCrossentropy, the errors a linear score makes on texts it has not seen,
    which is all it will face on validation and test texts."""
    import keras

    from aml.models.text import logits, naive_bayes_scores

    n = len(split.x_train)
    labels = (np.asarray(split.targets) > 0.5).astype(np.int64)
    out_of_fold = np.empty(n)
    for part, held in enumerate(np.array_split(np.arange(n), config.linear_crossfit)):
        keep = np.setdiff1d(np.arange(n), held)
        ratios = naive_bayes_scores(split.x_train[keep], labels[keep], vocab_size)
        keras.utils.set_random_seed(seed + 100 * (part + 1))
        model = text_model(LINEAR_KIND, config, replace(split, ratios=ratios), vocab_size,
                           length)
        bar = ctx.progress(f"{LINEAR_KIND} without part {part + 1}/{config.linear_crossfit}",
                           config.linear_epochs)
        train_text_model(model, split.x_train[keep], split.targets[keep], split.x_val,
                         split.y_val, epochs=config.linear_epochs,
                         batch_size=config.batch_size, learning_rate=config.learning_rate,
                         seed=seed + 100 * (part + 1),
                         on_epoch=lambda e, logs, bar=bar: bar.update(e, **logs))
        out_of_fold[held] = logits(probabilities(model, split.x_train[held]))
    return (out_of_fold - logits(probabilities(baseline, split.x_train))).astype("float32")


def _fix_linear_path(model, baseline):
    """Give `model`'s linear n-gram path the trained baseline's weights (and its weight and
    bias in the output unit), frozen."""
    from aml.models.text import NgramScore

    def score(m):
        return next(layer for layer in m.layers if isinstance(layer, NgramScore))

    score(model).weights_per_token.assign(score(baseline).weights_per_token)
    score(model).trainable = False
    output, trained = model.layers[-1], baseline.layers[-1]
    kernel = np.asarray(output.kernel).copy()
    kernel[-1] = np.asarray(trained.kernel)[-1]
    output.kernel.assign(kernel)
    output.bias.assign(trained.bias)


def _curves_figure(curves: dict, dataset: str):
    from aml.plots import subplots

    fig, ax = subplots(figsize=(7, 4.2))
    for kind, values in curves.items():
        ax.plot(range(1, len(values) + 1), values, marker="o", label=kind)
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    ax.set_title(f"Sentiment on {dataset}: recurrent layers compared")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig
