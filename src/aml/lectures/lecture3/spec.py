"""Lecture 3, architectures: its examples and exercises, their targets.

Read by `aml.catalog`; names code by "module:attribute" strings and imports no Keras.
"""

from __future__ import annotations

from aml.lectures import Example, Exercise, Lecture
from aml.targets import Target

_FASHION = (("dataset", "fashion_mnist"),)
_CIFAR = (("dataset", "cifar10"),)

_HERE = "aml.lectures.lecture3"

ENTRIES = (
    Example("l3.ann_images", 3, "Dense-only image classifier (CIFAR-10, else Fashion-MNIST)",
            f"{_HERE}.images:ann_images", f"{_HERE}.images:AnnConfig",
            (Target("test_accuracy", ">=", 0.88, quick=0.7, when=_FASHION),
             Target("test_accuracy", ">=", 0.50, quick=0.3, when=_CIFAR)),
            search=f"{_HERE}.images:ann_search_space"),
    Example("l3.cnn_images", 3, "Convolutional image classifier (CIFAR-10, else Fashion-MNIST)",
            f"{_HERE}.images:cnn_images", f"{_HERE}.images:CnnConfig",
            (Target("test_accuracy", ">=", 0.92, quick=0.7, when=_FASHION),
             Target("test_accuracy", ">=", 0.80, quick=0.3, when=_CIFAR)),
            search=f"{_HERE}.images:cnn_search_space"),
    Example("l3.params_for_accuracy", 3, "Parameters needed per accuracy tier, ANN vs CNN",
            f"{_HERE}.capacity:params_for_accuracy",
            f"{_HERE}.capacity:CapacityConfig",
            (Target("cnn_minus_ann_accuracy", ">", 0.0, quick=-0.3),
             Target("cnn_best_accuracy", ">=", 0.90, quick=0.5, when=_FASHION),
             Target("cnn_best_accuracy", ">=", 0.70, quick=0.3, when=_CIFAR))),
    Example("l3.feature_maps", 3, "What a trained CNN's first layer sees: filters and maps",
            f"{_HERE}.images:feature_maps", f"{_HERE}.images:FeatureMapsConfig",
            (Target("test_accuracy", ">=", 0.80, quick=0.5),)),
    Example("l3.text_sentiment", 3, "Review sentiment: SimpleRNN, LSTM, BiLSTM, custom cell",
            f"{_HERE}.text:text_sentiment", f"{_HERE}.text:TextConfig",
            (Target("test_accuracy", ">=", 0.80, quick=0.6, when=(("dataset", "movie_snippets"),)),
             Target("test_accuracy", ">=", 0.90, quick=0.6, when=(("dataset", "imdb"),)))),
    Exercise("l3.ann", 3, "Dense-only image classifier: parameters per accuracy tier",
             "lecture3/ann.py", f"{_HERE}.solutions:ann.py", f"{_HERE}.checks:check_ann",
             (Target("test_accuracy", ">=", 0.88, when=_FASHION),
              Target("test_accuracy", ">=", 0.50, when=_CIFAR))),
    Exercise("l3.cnn", 3, "Convolutional image classifier: parameters per accuracy tier",
             "lecture3/cnn.py", f"{_HERE}.solutions:cnn.py", f"{_HERE}.checks:check_cnn",
             (Target("test_accuracy", ">=", 0.92, when=_FASHION),
              Target("test_accuracy", ">=", 0.80, when=_CIFAR))),
    Exercise("l3.text", 3, "Review sentiment with memory (RNN, LSTM, BiLSTM, own cell)",
             "lecture3/text.py", f"{_HERE}.solutions:text.py", f"{_HERE}.checks:check_text",
             (Target("test_accuracy", ">=", 0.80, when=(("dataset", "movie_snippets"),)),
              Target("test_accuracy", ">=", 0.90, when=(("dataset", "imdb"),)))),
    Example("l3.reservoir", 3, "Echo state network on Mackey-Glass vs an LSTM",
            f"{_HERE}.reservoir:reservoir",
            f"{_HERE}.reservoir:ReservoirPredictionConfig",
            (Target("nrmse_next_step", "<=", 1e-4, quick=1e-2),
             Target("nrmse_free_run_84", "<=", 1e-2, quick=0.3),
             Target("readout_seconds", "<", 1.0),
             Target("n_reservoir", "<=", 500))),
)

LECTURE = Lecture(3, "Architectures", ENTRIES)
