"""Unverified copies: CIFAR-10 image folders and Keras's batches, an extracted aclImdb/ tree."""

import json

import data_fixtures as fixtures
import numpy as np
import pytest

from aml.cli import main
from aml.data import cifar10, copies, imdb, load, provenance
from aml.errors import AmlError


@pytest.fixture
def cache(monkeypatch, tmp_path):
    return fixtures.isolate(monkeypatch, tmp_path)


def leftovers(cache, name):
    """Anything an import left in the dataset's cache folder."""
    folder = cache / name
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_png_and_jpeg_folders_import_with_labels_and_load_fast_arrays(cache, tmp_path, capsys):
    written = fixtures.cifar10_image_folders(tmp_path / "copy", per_class=3, test_per_class=2)
    assert main(["data", "import", "cifar10", str(tmp_path / "copy")]) == 0
    out = capsys.readouterr().out
    assert "unverified copy (image folders, 50 files, sha256" in out
    x_train, y_train, x_test, y_test, names = load("cifar10")
    assert names == list(fixtures.CIFAR10_CLASSES)
    assert x_train.shape == (30, 32, 32, 3) and x_train.dtype == np.uint8
    assert x_test.shape == (20, 32, 32, 3) and y_test.dtype == np.int64
    assert np.bincount(y_train).tolist() == [3] * 10
    # Every loaded image is one written with that label: PNG exactly, JPEG within a few levels.
    for x, y, split in ((x_train, y_train, "train"), (x_test, y_test, "test")):
        for image, label in zip(x, y):
            errors = [np.abs(image.astype(int) - src.astype(int)).max()
                      for src, lab, path in written[split] if lab == label]
            assert min(errors) <= 6
        pngs = [(src, lab) for src, lab, path in written[split] if path.suffix == ".png"]
        assert len(pngs) >= len(x) // 2 - 1
        for src, lab in pngs:
            assert any(np.array_equal(src, image) and label == lab for image, label in zip(x, y))
    # The classes are mixed (a validation split from the end is not one class).
    assert len(set(y_train[-10:].tolist())) > 3
    info = copies.manifest("cifar10")
    assert info["files"] == 50 and info["counts"] == {"train": 30, "test": 20}
    assert info["sha256"] == copies.stored_digest(copies.copy_dir("cifar10"), info["stored"])
    assert provenance("cifar10")["provenance"] == "unverified copy"


def test_import_is_deterministic(cache, tmp_path):
    fixtures.cifar10_image_folders(tmp_path / "copy", per_class=2)
    cifar10.import_path(tmp_path / "copy")
    first = copies.manifest("cifar10")["sha256"]
    cifar10.import_path(tmp_path / "copy")
    assert copies.manifest("cifar10")["sha256"] == first
    assert leftovers(cache, "cifar10") == ["copy"]


@pytest.mark.parametrize("damage, message", [
    ("missing_class", r"train lacks the class folder\(s\) cat$"),
    ("odd_size", r"train/dog/0000\.png is a 32x30 RGB image; CIFAR-10 images are 32x32 RGB"),
    ("grey", r"test/bird/0000\.\w+ is a 32x32 L image"),
    ("unreadable", r"train/frog/0001\.jpg cannot be read as an image"),
    ("not_image", r"train/ship/notes\.txt is not a PNG or JPEG image"),
    ("extra_class", r"train/kitten is not a CIFAR-10 class folder"),
    ("no_test", r"lacks test/: expected train/<class>/ and test/<class>/"),
])
def test_bad_folders_fail_in_one_line_naming_the_file_and_leave_nothing(
        cache, tmp_path, capsys, damage, message):
    from PIL import Image

    root = tmp_path / "copy"
    fixtures.cifar10_image_folders(root, per_class=2, formats=("png", "jpg"))
    # A good copy imported first must survive a failed import untouched.
    good = tmp_path / "good"
    fixtures.cifar10_image_folders(good, per_class=1, seed=3)
    cifar10.import_path(good)
    before = copies.manifest("cifar10")["sha256"]
    if damage == "missing_class":
        for p in (root / "train" / "cat").iterdir():
            p.unlink()
        (root / "train" / "cat").rmdir()
    elif damage == "odd_size":
        Image.new("RGB", (32, 30)).save(root / "train" / "dog" / "0000.png")
    elif damage == "grey":
        path = next((root / "test" / "bird").iterdir())
        Image.new("L", (32, 32)).save(path, format="PNG" if path.suffix == ".png" else "JPEG")
    elif damage == "unreadable":
        (root / "train" / "frog" / "0001.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    elif damage == "not_image":
        (root / "train" / "ship" / "notes.txt").write_text("hi")
    elif damage == "extra_class":
        (root / "train" / "kitten").mkdir()
    elif damage == "no_test":
        import shutil

        shutil.rmtree(root / "test")
    assert main(["data", "import", "cifar10", str(root)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("aml: error: ")
    import re

    assert re.search(message, err), err
    assert leftovers(cache, "cifar10") == ["copy"]
    assert copies.manifest("cifar10")["sha256"] == before


def test_failed_first_import_leaves_no_cache_entry(cache, tmp_path):
    from PIL import Image

    root = tmp_path / "copy"
    fixtures.cifar10_image_folders(root, per_class=1)
    Image.new("RGB", (64, 64)).save(root / "test" / "truck" / "0009.png")
    with pytest.raises(AmlError, match="0009.png is a 64x64 RGB image"):
        cifar10.import_path(root)
    assert leftovers(cache, "cifar10") == []
    with pytest.raises(AmlError, match="aml data import cifar10 PATH"):
        load("cifar10")


def test_keras_cache_batches_folder(cache, tmp_path, monkeypatch, capsys):
    keras_home = tmp_path / "keras" / "datasets"
    expected = fixtures.cifar10_batches_folder(keras_home / "cifar-10-batches-py-target",
                                               per_batch=2, n_test=3)
    monkeypatch.setattr(cifar10, "KERAS_CACHE", keras_home)
    # `aml data fetch` finds Keras's cache before trying to download (which would fail here).
    assert main(["data", "fetch", "cifar10"]) == 0
    x_train, y_train, x_test, y_test, names = load("cifar10")
    for got, want in zip((x_train, y_train, x_test, y_test), expected):
        np.testing.assert_array_equal(got, want)  # the authors' order, unshuffled
    info = copies.manifest("cifar10")
    assert info["layout"] == "extracted batches" and names[0] == "airplane"
    assert main(["data", "list"]) == 0
    assert "unverified copy (extracted batches, 7 files" in capsys.readouterr().out


def test_verified_archive_is_preferred_over_a_copy(cache, tmp_path, monkeypatch):
    fixtures.cifar10_image_folders(tmp_path / "copy", per_class=1)
    cifar10.import_path(tmp_path / "copy")
    archive = tmp_path / cifar10.ARCHIVE
    x_train = fixtures.cifar10_archive(archive, per_batch=2)[0]
    fixtures.pin(monkeypatch, "cifar10", cifar10.ARCHIVE, archive, algo="md5")
    cifar10.import_path(archive)
    assert load("cifar10")[0].shape == x_train.shape
    assert provenance("cifar10")["provenance"] == "verified archive"


def test_aclimdb_folder_with_val_is_folded_back(cache, tmp_path, capsys):
    written = fixtures.aclimdb_folder(tmp_path, per_class=4, val_per_class=1)
    assert main(["data", "import", "imdb", str(tmp_path / "aclImdb")]) == 0
    out = capsys.readouterr().out
    assert "unverified copy (aclImdb folder, 16 files" in out
    assert "val/ (2 reviews) folded back into train" in out
    texts_train, y_train, texts_test, y_test = load("imdb")
    assert len(texts_train) == 8 and len(texts_test) == 8
    for texts, labels, split in ((texts_train, y_train, "train"), (texts_test, y_test, "test")):
        assert sorted(zip(labels.tolist(), texts)) == sorted(
            (value, text) for value, items in written[split].items() for text in items)
    graded = load("imdb", graded=True)
    assert np.array_equal(graded[1] > 0, y_train == 1)
    assert provenance("imdb")["files"] == 16


def test_aclimdb_folder_loads_like_the_archive(cache, tmp_path, monkeypatch):
    """Same reviews from the folder as from the verified archive, in the same seeded order."""
    fixtures.aclimdb_folder(tmp_path / "folder", per_class=5)
    imdb.import_path(tmp_path / "folder")  # the parent of aclImdb/ is accepted too
    from_folder = load("imdb", seed=3)
    archive = tmp_path / imdb.ARCHIVE
    fixtures.aclimdb_archive(archive, per_class=5)
    fixtures.pin(monkeypatch, "imdb", imdb.ARCHIVE, archive)
    imdb.import_path(archive)
    assert provenance("imdb")["provenance"] == "verified archive"
    from_archive = load("imdb", seed=3)
    assert from_folder[0] == from_archive[0] and from_folder[2] == from_archive[2]
    np.testing.assert_array_equal(from_folder[1], from_archive[1])


@pytest.mark.parametrize("damage, message", [
    ("no_neg", r"lacks test/neg/: expected aclImdb/train/ and aclImdb/test/"),
    ("bad_name", r"train/pos/review\.txt is not a review file \(expected <id>_<rating>\.txt\)"),
    ("rating", r"train/neg/7_11\.txt has rating 11"),
    ("duplicate", r"val/pos/0_7\.txt has the same id as .*train/pos/0_7\.txt"),
])
def test_bad_aclimdb_folders(cache, tmp_path, capsys, damage, message):
    import re
    import shutil

    fixtures.aclimdb_folder(tmp_path, per_class=2)
    root = tmp_path / "aclImdb"
    if damage == "no_neg":
        shutil.rmtree(root / "test" / "neg")
    elif damage == "bad_name":
        (root / "train" / "pos" / "review.txt").write_text("x")
    elif damage == "rating":
        (root / "train" / "neg" / "7_11.txt").write_text("x")
    elif damage == "duplicate":
        (root / "val" / "pos").mkdir(parents=True)
        (root / "val" / "neg").mkdir()
        (root / "val" / "pos" / "0_7.txt").write_text("again")
        (root / "val" / "neg" / "5_1.txt").write_text("fine")
    assert main(["data", "import", "imdb", str(root)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and re.search(message, err), err
    assert leftovers(cache, "imdb") == []


def test_verify_notices_a_changed_copy(cache, tmp_path, capsys):
    fixtures.aclimdb_folder(tmp_path, per_class=2)
    imdb.import_path(tmp_path)
    assert main(["data", "verify", "imdb"]) == 0
    stored = copies.copy_dir("imdb") / imdb.REVIEWS
    data = json.loads(stored.read_text())
    data["train"][0][2] = "tampered"
    stored.write_text(json.dumps(data))
    assert main(["data", "verify", "imdb"]) == 1
    assert "CHANGED SINCE IMPORT" in capsys.readouterr().out
