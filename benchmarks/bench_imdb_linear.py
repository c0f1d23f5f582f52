"""How much of each IMDB review the linear n-gram path should read: the `ngram_linear`
baseline of `l3.text_sentiment` (the wide half every memory model keeps fixed beside it),
trained alone on fold 0 of each seed with the review cut at different lengths.

Rows: the recipe (`TextConfig.imdb`), then the recipe with the fields of each variant
replaced (a review longer than `sequence_length` keeps its first sequence_length - tail and
its last `tail` words). Every number is validation accuracy on the fold's held-out training
reviews (the best of the path's epochs): this is a choice, so the test set is not touched.
One standard error of the 2,500-review validation block is about 0.006; the rows share it,
so their differences are less noisy than that.

    python benchmarks/bench_imdb_linear.py [--seeds 0,1,2] [--only recipe,words_400,...]

Needs IMDB imported (`aml data list`). About 40 s a row and seed on 2 cores, most of it
tokenising.
"""

from __future__ import annotations

from dataclasses import replace

from options import option

# row -> the TextConfig.imdb fields that differ from the recipe
VARIANTS = {
    "recipe": {},
    "words_400": {"sequence_length": 400, "tail": 100, "linear_epochs": 12},
    "words_600": {"sequence_length": 600, "tail": 150},
    "tokens_400k": {"max_tokens": 400_000},
}


def linear_validation(config, seed: int) -> tuple[float, int, int]:
    """(best validation accuracy, its epoch, epochs) of the linear path on fold 0."""
    import keras

    from aml.errors import AmlError
    from aml.lectures.lecture3 import text

    try:
        data = text.prepare_texts(config, seed, log=lambda *_: None)
    except AmlError as err:  # IMDB not imported: one line, not a traceback
        raise SystemExit(f"bench_imdb_linear: {err}") from None
    config = config.for_dataset(data.dataset)
    split = text.fold_split(data, config, 0)
    keras.utils.set_random_seed(seed)
    model = text.text_model(text.LINEAR_KIND, config, split, len(data.tokens), data.length)
    history, best, _ = text.train_text_model(
        model, split.x_train, split.targets, split.x_val, split.y_val,
        epochs=config.linear_epochs, batch_size=config.batch_size,
        learning_rate=config.learning_rate, seed=seed)
    return max(history["val_accuracy"]), best, config.linear_epochs


def main():
    from aml.backend import use_backend

    use_backend("jax")  # the example's own backend
    from aml.lectures.lecture3.text import TextConfig
    from aml.tables import format_table

    seeds = [int(s) for s in option("--seeds", "0,1,2").split(",")]
    only = option("--only", ",".join(VARIANTS)).split(",")
    base = TextConfig()
    rows = []
    for name in only:
        fields = dict(dict(base.imdb), **VARIANTS[name])
        config = replace(base, dataset="imdb", imdb=tuple(fields.items()))
        scores = [linear_validation(config, seed) for seed in seeds]
        rows.append([name, fields["sequence_length"], fields["tail"], fields["max_tokens"],
                     " / ".join(f"{acc:.4f} (ep {epoch}/{epochs})"
                                for acc, epoch, epochs in scores),
                     f"{sum(acc for acc, *_ in scores) / len(scores):.4f}"])
        print(format_table(rows[-1:], _HEADER), flush=True)
    print()
    print(format_table(rows, _HEADER))


_HEADER = ["row", "words", "tail", "tokens", "validation per seed (best epoch)", "mean"]

if __name__ == "__main__":
    main()
