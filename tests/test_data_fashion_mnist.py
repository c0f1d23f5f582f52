"""Fashion-MNIST from tiny idx .gz files; never reads /usr/share/datasets."""

import gzip
import hashlib

import data_fixtures as fixtures
import numpy as np
import pytest

from aml.data import fashion_mnist, load, store
from aml.errors import AmlError


@pytest.fixture
def cache(monkeypatch, tmp_path):
    return fixtures.isolate(monkeypatch, tmp_path)


def pin_all(monkeypatch, folder):
    for filename in fashion_mnist.FILENAMES:
        fixtures.pin(monkeypatch, "fashion_mnist", filename, folder / filename, algo="md5")


def test_imported_folder_loads_with_a_channel_axis(cache, monkeypatch, tmp_path):
    folder = tmp_path / "download"
    arrays = fixtures.fashion_mnist_files(folder, n_train=12, n_test=5)
    pin_all(monkeypatch, folder)
    assert len(store.import_into("fashion_mnist", fashion_mnist.FILENAMES, folder)) == 4
    x_train, y_train, x_test, y_test, names = load("fashion_mnist")
    assert x_train.shape == (12, 28, 28, 1) and x_train.dtype == np.uint8
    assert x_test.shape == (5, 28, 28, 1) and y_train.dtype == np.int64
    np.testing.assert_array_equal(x_train[..., 0], arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert names[0] == "T-shirt/top" and names[9] == "Ankle boot"


def test_system_copy_recompressed_verifies_by_content(cache, monkeypatch, tmp_path):
    """A packager may re-compress the files (Debian does): the idx bytes still verify."""
    published, system = tmp_path / "published", tmp_path / "system"
    arrays = fixtures.fashion_mnist_files(published)
    system.mkdir()
    table = {}
    for filename in fashion_mnist.FILENAMES:
        content = gzip.decompress((published / filename).read_bytes())
        (system / filename).write_bytes(gzip.compress(content, mtime=12345))
        table[filename] = (
            store.Checksum("md5", fixtures.digest(published / filename, "md5"), "published"),
            store.Checksum("sha256", hashlib.sha256(content).hexdigest(),
                           "content", of="gunzip"))
    monkeypatch.setitem(store.CHECKSUMS, "fashion_mnist", table)
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIRS", (system,))
    np.testing.assert_array_equal(load("fashion_mnist")[1], arrays["y_train"])


def test_missing_files_say_where_and_how(cache, monkeypatch, tmp_path):
    folder = tmp_path / "download"
    fixtures.fashion_mnist_files(folder)
    pin_all(monkeypatch, folder)
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    store.import_into("fashion_mnist", fashion_mnist.FILENAMES, folder)  # the three present
    with pytest.raises(AmlError) as err:
        load("fashion_mnist")
    message = str(err.value)
    assert "t10k-labels-idx1-ubyte.gz not found" in message and str(cache) in message
    assert "`aml data import fashion_mnist PATH`" in message


def test_truncated_and_foreign_files(cache, monkeypatch, tmp_path):
    folder = tmp_path / "download"
    fixtures.fashion_mnist_files(folder)
    images = folder / "train-images-idx3-ubyte.gz"
    raw = gzip.decompress(images.read_bytes())
    images.write_bytes(gzip.compress(raw[:-100]))
    pin_all(monkeypatch, folder)
    store.import_into("fashion_mnist", fashion_mnist.FILENAMES, folder)
    with pytest.raises(AmlError, match="is truncated: expected 9408 values, found 9308"):
        load("fashion_mnist")
    plain = tmp_path / "plain.gz"
    plain.write_bytes(b"this is not gzip data at all")
    with pytest.raises(AmlError, match="not a readable gzip file"):
        fashion_mnist.read_idx(plain)


def test_fetch_downloads_each_file_from_the_canonical_location(cache, monkeypatch, tmp_path):
    import io

    folder = tmp_path / "served"
    arrays = fixtures.fashion_mnist_files(folder)
    pin_all(monkeypatch, folder)
    seen = []

    class Response(io.BytesIO):
        headers = {}

    def fake_urlopen(url, timeout=None):
        seen.append(url)
        return Response((folder / url.rsplit("/", 1)[1]).read_bytes())

    monkeypatch.setattr(store, "urlopen", fake_urlopen)
    fashion_mnist.fetch()
    assert seen == [fashion_mnist.MIRRORS[0] + f for f in fashion_mnist.FILENAMES]
    assert "fashion-mnist.s3-website.eu-central-1.amazonaws.com" in seen[0]
    np.testing.assert_array_equal(load("fashion_mnist")[2][..., 0], arrays["x_test"])
