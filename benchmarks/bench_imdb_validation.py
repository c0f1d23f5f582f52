"""Does a validation split carved review by review from IMDB's training set flatter a model?

The authors numbered each movie's reviews together, so reviews with neighbouring ids mostly
share a movie, while their test movies are separate from the training movies. This prints
(1) how often neighbouring positive training reviews share a rare proper noun, against
random pairs, and (2) for seeds 0-2, an NBSVM-style linear model's validation and test
accuracy when the last tenth of the training reviews is held out review by review (shuffled)
or in blocks of `--block` consecutive ids of one label (mostly whole movies).

    python benchmarks/bench_imdb_validation.py [--block 100] [--seeds 0,1,2]

Needs IMDB imported (`aml data list`). About 2 minutes a seed on 2 cores.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
from options import option


def shared_names(train, n: int = 3000, rare: int = 30, seed: int = 0):
    """(neighbours, random pairs): the share of review pairs with a rare capitalised word in
    common, among the first `n` positive training reviews in id order."""
    positive = sorted((item for item in train if item[0] == 1), key=lambda item: item[1])[:n]
    names = [set(re.findall(r"\b[A-Z][a-z]{3,}\b", text)) for _, _, text, _ in positive]
    counts = Counter(word for words in names for word in words)
    names = [{w for w in words if counts[w] <= rare} for words in names]
    neighbours = np.mean([bool(names[i] & names[i + 1]) for i in range(len(names) - 1)])
    rng = np.random.default_rng(seed)
    pairs = rng.integers(0, len(names), (len(names), 2))
    return float(neighbours), float(np.mean([bool(names[a] & names[b]) for a, b in pairs]))


def blocked_order(train, block: int, rng) -> np.ndarray:
    """Indices in blocks of `block` consecutive ids of one label, the blocks shuffled."""
    keys = [(label, review_id // block) for label, review_id, *_ in train]
    rank = dict(zip(sorted(set(keys)), rng.permutation(len(set(keys)))))
    return np.array(sorted(range(len(train)), key=lambda i: (rank[keys[i]], train[i][1])))


def linear_accuracies(train, order, test_texts, test_labels):
    """(validation, test) accuracy of logistic regression on naive-Bayes-scaled binary
    uni+bigram counts, trained on all but the last tenth of `order`."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    n_val = len(train) // 10
    fit, held = order[:-n_val], order[-n_val:]
    vectorizer = CountVectorizer(ngram_range=(1, 2), binary=True, max_features=200_000)
    x = vectorizer.fit_transform([train[i][2] for i in fit])
    y = np.array([train[i][0] for i in fit])
    positive = np.asarray(x[y == 1].sum(0)).ravel() + 1
    negative = np.asarray(x[y == 0].sum(0)).ravel() + 1
    ratios = np.log(positive / positive.sum()) - np.log(negative / negative.sum())
    model = LogisticRegression(C=0.1, max_iter=1000).fit(x.multiply(ratios).tocsr(), y)

    def accuracy(texts, labels):
        scaled = vectorizer.transform(texts).multiply(ratios).tocsr()
        return float(np.mean(model.predict(scaled) == labels))

    return (accuracy([train[i][2] for i in held], np.array([train[i][0] for i in held])),
            accuracy(test_texts, test_labels))


def main():
    from aml.data import imdb
    from aml.tables import format_table

    block = int(option("--block", "100"))
    seeds = [int(s) for s in option("--seeds", "0,1,2").split(",")]
    found = imdb.reviews()
    train, test = sorted(found["train"]), sorted(found["test"])
    neighbours, random_pairs = shared_names(train)
    print(f"neighbouring positive training reviews sharing a rare name: {neighbours:.1%}; "
          f"random pairs: {random_pairs:.1%}", flush=True)
    test_texts, test_labels = [t for _, _, t, _ in test], np.array([lab for lab, *_ in test])
    rows = []
    for seed in seeds:
        for split, order in (("review by review", np.random.default_rng(seed).permutation(
                len(train))), (f"blocks of {block} ids", blocked_order(
                    train, block, np.random.default_rng(seed)))):
            val, test_accuracy = linear_accuracies(train, order, test_texts, test_labels)
            rows.append([seed, split, f"{val:.4f}", f"{test_accuracy:.4f}",
                         f"{val - test_accuracy:+.4f}"])
            print(format_table(rows[-1:], _HEADER), flush=True)
    print()
    print(format_table(rows, _HEADER))


_HEADER = ["seed", "validation held out", "validation acc", "test acc", "val - test"]

if __name__ == "__main__":
    main()
