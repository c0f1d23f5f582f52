"""Text models: the backend-neutral tokenizer, the subclassed cell, the classifiers."""

import keras
import numpy as np
import pytest

from aml.models.text import (
    LINEAR_KIND,
    RECURRENT_KINDS,
    MaskedMaxMeanPooling,
    MinimalRNNCell,
    NgramScore,
    PairEmbedding,
    TokenDropout,
    Vocabulary,
    lexicon_scores,
    naive_bayes_scores,
    seed_embedding_channel,
    seed_ngram_score,
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


def test_vocabulary_pairs_give_each_word_and_the_bigram_it_starts():
    vocab = Vocabulary(max_tokens=6, sequence_length=3, ngrams=2).adapt(
        ["not good", "not good at all", "good"])
    assert vocab.tokens[:4] == ["", "[UNK]", "good", "not"] and "not good" in vocab.tokens
    ids = vocab.pairs(["not good zzz yes", "good"])
    bigram = vocab.index["not good"]
    np.testing.assert_array_equal(ids[0], [[3, bigram], [2, 0], [1, 0]])  # unseen: 0
    np.testing.assert_array_equal(ids[1], [[2, 0], [0, 0], [0, 0]])


def test_vocabulary_tail_keeps_the_first_and_last_words_of_long_texts():
    vocab = Vocabulary(max_tokens=20, sequence_length=4, ngrams=2, tail=1).adapt(
        ["a b c d e f"])
    ids = vocab(["a b c d e f", "a b"])
    np.testing.assert_array_equal(ids, [[vocab.index[w] for w in "a b c f".split()], [
        vocab.index["a"], vocab.index["b"], vocab.index["a b"], 0]])
    pairs = vocab.pairs(["a b c d e f"])
    np.testing.assert_array_equal(pairs[0, :, 0], [vocab.index[w] for w in "a b c f".split()])
    # the bigrams inside the head are kept; "c f" spans the cut and is no vocabulary entry
    np.testing.assert_array_equal(pairs[0, :, 1], [vocab.index["a b"], vocab.index["b c"], 0, 0])
    same = Vocabulary(max_tokens=20, sequence_length=4, ngrams=2).adapt(["a b c d e f"])
    np.testing.assert_array_equal(same.pairs(["a b c d e f"])[0, :, 0],
                                  [same.index[w] for w in "a b c d".split()])
    with pytest.raises(ValueError, match="tail"):
        Vocabulary(sequence_length=4, tail=5)


def test_ngram_score_averages_word_and_bigram_weights_over_the_words():
    layer = NgramScore(5, rate=2.0)
    layer.build((None, 3, 2))
    layer.weights_per_token.assign(np.array([9.0, 1.0, 2.0, 3.0, 4.0]))
    ids = np.array([[[1, 4], [2, 0], [0, 0]]])  # two words, one bigram, one padded step
    np.testing.assert_allclose(np.asarray(layer(ids)), [[2.0 * (1 + 4 + 2) / 2]])
    np.testing.assert_allclose(np.asarray(layer(np.array([[3, 3, 0]]))), [[2.0 * 3]])
    np.testing.assert_allclose(np.asarray(layer(np.zeros((1, 3), "int32"))), [[0.0]])


@pytest.mark.parametrize("kind", [LINEAR_KIND, "lstm"])
def test_linear_path_starts_at_naive_bayes_with_a_positive_weight(kind):
    model = text_classifier(kind, vocab_size=6, sequence_length=3, embed_dim=2, units=2,
                            bigrams=True, linear=True, linear_rate=10.0)
    scores = np.array([0.0, 0.0, 1.0, -2.0, 0.5, 3.0])
    seed_ngram_score(model, scores)
    layer = next(layer for layer in model.layers if isinstance(layer, NgramScore))
    np.testing.assert_allclose(np.asarray(layer.weights_per_token), scores / 10, rtol=1e-6)
    assert float(np.asarray(model.layers[-1].kernel)[-1, 0]) == 1.0
    ids = np.array([[[2, 5], [3, 0], [0, 0]]], dtype="float32")
    if kind == LINEAR_KIND:  # the linear model alone is naive Bayes before training
        np.testing.assert_allclose(np.asarray(model(ids))[0, 0], 1 / (1 + np.exp(-2.0 / 2)),
                                   rtol=1e-5)
        assert model.count_params() == 6 + 2
    else:
        assert model.count_params() == text_classifier(
            kind, 6, 3, embed_dim=2, units=2, bigrams=True).count_params() + 6 + 1


def test_pair_embedding_sums_word_and_bigram_vectors_and_masks_padding():
    layer = PairEmbedding(5, 2)
    layer.build((None, 3, 2))
    table = np.arange(10, dtype="float32").reshape(5, 2)
    layer.embeddings.assign(table)
    ids = np.array([[[1, 4], [2, 0], [0, 0]]])
    np.testing.assert_allclose(np.asarray(layer(ids)),
                               [[table[1] + table[4], table[2], [0, 0]]])
    np.testing.assert_array_equal(np.asarray(layer.compute_mask(ids)), [[True, True, False]])
    model = text_classifier("lstm", 5, 3, embed_dim=2, units=2, bigrams=True,
                            pooling="max_mean")
    seed_embedding_channel(model, np.arange(5.0))
    assert model.predict(ids.astype("float32"), verbose=0).shape == (1, 1)
    embedding = next(layer for layer in model.layers if isinstance(layer, PairEmbedding))
    np.testing.assert_allclose(np.asarray(embedding.embeddings)[:, 0], np.arange(5.0))


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
    embedding = next(layer for layer in model.layers
                     if isinstance(layer, keras.layers.Embedding))
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


def test_max_mean_pooling_ignores_padded_steps():
    x = np.random.default_rng(1).standard_normal((2, 4, 3)).astype("float32")
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], dtype=bool)
    out = np.asarray(MaskedMaxMeanPooling()(x, mask=mask))
    expected = [np.concatenate([x[i][mask[i]].max(0), x[i][mask[i]].mean(0)]) for i in (0, 1)]
    np.testing.assert_allclose(out, expected, atol=1e-6)
    # a text whose words were all dropped pools to zeros (not -1e9)
    empty = np.asarray(MaskedMaxMeanPooling()(x, mask=np.zeros((2, 4), dtype=bool)))
    np.testing.assert_array_equal(empty, np.zeros((2, 6)))


def test_token_dropout_drops_words_only_while_training():
    ids = np.arange(1, 2001, dtype="float32").reshape(1, -1)
    layer = TokenDropout(0.25, seed=0)
    np.testing.assert_array_equal(np.asarray(layer(ids)), ids)
    dropped = np.mean(np.asarray(layer(ids, training=True)) == 0)
    assert 0.2 < dropped < 0.3


def test_naive_bayes_scores_are_smoothed_log_count_ratios():
    ids = np.array([[2, 3, 0], [2, 2, 0], [4, 0, 0]])
    scores = naive_bayes_scores(ids, [1, 1, 0], vocab_size=5)
    # alpha = 1: positive counts per token [1, 1, 3, 2, 1] (sum 8), negative [1, 1, 1, 1, 2]
    expected = np.log(np.array([3, 2, 1]) / 8) - np.log(np.array([1, 1, 2]) / 6)
    np.testing.assert_allclose(scores[2:], expected)
    assert scores[0] == scores[1] == 0


def test_lexicon_scores_follow_the_vocabulary_and_prefer_exact_entries():
    valence = {"good": 2.0, "Can't": -1.0, "cant": -2.0, "won't": -0.4, ":)": 2.0, "so so": 1}
    scores = lexicon_scores(["", "[UNK]", "good", "cant", "wont", "movie"], valence)
    np.testing.assert_allclose(scores, [0, 0, 0.5, -0.5, -0.1, 0])


def test_max_mean_classifier_masks_padding_and_seeds_a_channel():
    model = text_classifier("bilstm", vocab_size=20, sequence_length=6, embed_dim=4, units=3,
                            pooling="max_mean", token_dropout=0.1, embed_dropout=0.2)
    seed_embedding_channel(model, np.arange(20.0), scale=0.5)
    embedding = next(layer for layer in model.layers
                     if isinstance(layer, keras.layers.Embedding))
    np.testing.assert_allclose(np.asarray(embedding.embeddings)[:, 0], 0.5 * np.arange(20))
    ids = np.array([[5, 6, 0, 0, 0, 0]], dtype="float32")
    out = np.asarray(model(ids))
    table = np.asarray(embedding.embeddings).copy()
    table[0] = 100.0
    embedding.embeddings.assign(table)
    np.testing.assert_allclose(np.asarray(model(ids)), out, atol=1e-6)
    # no extra weights: embedding, both LSTM directions, Dense on 2 x (max, mean) x 3 states
    assert model.count_params() == 20 * 4 + 8 * (4 * 3 + 3 * 3 + 3) + 12 + 1
    with pytest.raises(ValueError, match="pooling"):
        text_classifier("lstm", 20, 6, pooling="attention")
