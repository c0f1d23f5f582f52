"""Lecture 3 exercise checks: contracts enforced, tiers and parameter counts reported (the
references' tiers and the ANN's parameter count are asserted in the real jail:
tests/test_sandbox_references.py)."""

from pathlib import Path

import pytest

import aml
from aml import catalog
from aml.backend import seed_everything
from aml.grading.checks import SubmissionError, load_submission, run_check
from aml.grading.templates import solution_path
from aml.lectures.lecture3 import checks as lecture3

TEMPLATES = Path(aml.__file__).resolve().parents[2] / "exercises" / "lecture3"


@pytest.fixture(autouse=True)
def tiny_data(monkeypatch):
    seed_everything(0)  # as run_check and the sandbox do: results must not depend on order
    monkeypatch.setattr(lecture3, "IMAGE_DATASET", "digits")
    monkeypatch.setattr(lecture3, "TEXT_DATASET", "synthetic")


def write(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(source)
    return load_submission(path)


def test_cnn_submitted_as_ann_fails_the_architecture_check_and_skips_training():
    results = lecture3.check_ann(load_submission(solution_path(catalog.get("l3.cnn"))), quick=True)
    assert [r.name for r in results][-1] == "dense only (no convolution layers)"
    assert not results[-1].passed and results[-1].measured == "2 Conv2D layers"


def test_small_text_model_with_own_training_settings(tmp_path):
    module = write(tmp_path, "text.py", """
import keras

def build_model(vocab_size, sequence_length):
    return keras.Sequential([keras.Input((sequence_length,)),
                             keras.layers.Embedding(vocab_size, 16, mask_zero=True),
                             keras.layers.LSTM(16), keras.layers.Dense(1, activation="sigmoid")])

def training():
    return {"epochs": 3, "learning_rate": 1e-2, "batch_size": 32}
""")
    results = lecture3.check_text(module, quick=True)
    names = {r.name: r for r in results}
    assert names["has a recurrent layer (memory)"].measured == "LSTM"
    assert names["tier 1: test accuracy >= 70% on synthetic"].passed


def test_text_model_with_its_own_cell_is_scored_from_its_predictions(tmp_path):
    """A cell written by the student cannot be rebuilt outside the jail: the model trains
    there and its predictions on the test texts (whose labels stay outside) are scored."""
    module = write(tmp_path, "text.py", """
import keras
from aml.models.text import MinimalRNNCell

def build_model(vocab_size, sequence_length):
    return keras.Sequential([keras.Input((sequence_length,)),
                             keras.layers.Embedding(vocab_size, 16, mask_zero=True),
                             keras.layers.RNN(MinimalRNNCell(32)),
                             keras.layers.Dense(1, activation="sigmoid")])

def training():
    return {"epochs": 5, "learning_rate": 1e-2, "batch_size": 32}
""")
    results = lecture3.check_text(module, quick=True)
    names = {r.name: r for r in results}
    assert names["has a recurrent layer (memory)"].measured == "RNN"
    assert names["tier 1: test accuracy >= 70% on synthetic"].passed
    assert "trained in your jail: the model uses a custom class 'aml>MinimalRNNCell'" in \
        names["highest tier reached"].measured


def test_text_model_without_memory_is_told_so(tmp_path):
    module = write(tmp_path, "text.py", """
import keras

def build_model(vocab_size, sequence_length):
    return keras.Sequential([keras.Input((sequence_length,)), keras.layers.Embedding(vocab_size, 8),
                             keras.layers.GlobalAveragePooling1D(),
                             keras.layers.Dense(1, activation="sigmoid")])
""")
    results = lecture3.check_text(module, quick=True)
    assert not results[-1].passed and "LSTM" in results[-1].hint


def test_templates_are_unwritten_and_bad_training_settings_are_one_line_errors(tmp_path):
    exercise = catalog.get("l3.ann", kind="exercise")
    results = run_check(exercise, TEMPLATES / "ann.py", quick=True)
    assert len(results) == 1 and "not written yet" in results[0].hint
    defaults = {"epochs": 1, "batch_size": 1, "learning_rate": 0.1}
    with pytest.raises(SubmissionError, match="epochs"):
        lecture3.checked_training({"epochs": 0}, defaults)
    with pytest.raises(SubmissionError, match="unknown keys"):
        lecture3.checked_training({"optimizer": "sgd"}, defaults)
    module = write(tmp_path, "text.py", "def training():\n    return {'epochs': 0}\n")
    with pytest.raises(SubmissionError, match="epochs"):
        lecture3.check_text(module, quick=True)
