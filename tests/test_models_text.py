"""Text models: the backend-neutral tokenizer, the subclassed cell, the classifiers."""

import keras
import numpy as np
import pytest

from aml.models.text import (
    RECURRENT_KINDS,
    MinimalRNNCell,
    Vocabulary,
    standardize,
    text_classifier,
)
from aml.scratch.recurrent import simple_rnn


def test_standardize_like_text_vectorization():
    assert standardize("It's GREAT, isn't it?<br />Yes!") == ["its", "great", "isnt", "it",
                                                               "yes"]


def test_vocabulary_ranks_pads_and_marks_unknown_tokens():
    vocab = Vocabulary(max_tokens=4, sequence_length=5).adapt(["b a a", "a c b", "d"])
    assert vocab.tokens == ["", "[UNK]", "a", "b"]
    np.testing.assert_array_equal(vocab(["a b zzz", "b b b b b b b"]),
                                  [[2, 3, 1, 0, 0], [3, 3, 3, 3, 3]])
    with pytest.raises(ValueError, match="adapt"):
        Vocabulary()(["x"])


def test_custom_cell_in_keras_rnn_equals_eq_3_2():
    x = np.random.default_rng(0).standard_normal((2, 6, 3)).astype("float32")
    layer = keras.layers.RNN(MinimalRNNCell(4), return_sequences=True)
    expected = np.asarray(layer(x))
    W_x, W_h, b = (np.asarray(w) for w in layer.get_weights())
    np.testing.assert_allclose(simple_rnn(x, W_x, W_h, b, return_sequences=True), expected,
                               atol=1e-5)


@pytest.mark.parametrize("kind", RECURRENT_KINDS)
def test_classifiers_give_one_probability_and_respect_padding(kind):
    model = text_classifier(kind, vocab_size=50, sequence_length=8, embed_dim=4, units=3)
    ids = np.array([[5, 6, 7, 0, 0, 0, 0, 0]], dtype="float32")
    out = np.asarray(model(ids))
    assert out.shape == (1, 1) and 0 < out[0, 0] < 1
    # padding is masked: changing the embedding of token 0 changes nothing
    embedding = model.layers[0]
    table = np.asarray(embedding.embeddings).copy()
    table[0] = 100.0
    embedding.embeddings.assign(table)
    np.testing.assert_allclose(np.asarray(model(ids)), out, atol=1e-6)
    table[5] = 100.0
    embedding.embeddings.assign(table)
    assert not np.allclose(np.asarray(model(ids)), out, atol=1e-6)
    units = {"simple_rnn": 3 * 3 + 4 * 3 + 3, "custom_cell": 3 * 3 + 4 * 3 + 3,
             "lstm": 4 * (3 * 3 + 4 * 3 + 3), "bilstm": 8 * (3 * 3 + 4 * 3 + 3)}[kind]
    dense_in = 6 if kind == "bilstm" else 3
    assert model.count_params() == 50 * 4 + units + dense_in + 1
