"""CIFAR-10 from a tiny archive in the authors' format, with the checksum table overridden."""

import io
import pickle
import tarfile

import data_fixtures as fixtures
import numpy as np
import pytest

from aml.data import cifar10, load, store
from aml.errors import AmlError


@pytest.fixture
def cache(monkeypatch, tmp_path):
    return fixtures.isolate(monkeypatch, tmp_path)


def test_imported_archive_loads_as_nhwc_uint8(cache, monkeypatch, tmp_path):
    archive = tmp_path / "downloaded.tgz"
    x_train, y_train, x_test, y_test = fixtures.cifar10_archive(archive, per_batch=2, n_test=3)
    fixtures.pin(monkeypatch, "cifar10", cifar10.ARCHIVE, archive, algo="md5")
    store.import_into("cifar10", cifar10.FILENAMES, archive)
    assert (cache / "cifar10" / cifar10.ARCHIVE).exists()
    xa, ya, xb, yb, names = load("cifar10")
    assert xa.shape == (10, 32, 32, 3) and xa.dtype == np.uint8
    assert xb.shape == (3, 32, 32, 3) and ya.dtype == np.int64 and yb.dtype == np.int64
    np.testing.assert_array_equal(xa, x_train)
    np.testing.assert_array_equal(ya, y_train)
    np.testing.assert_array_equal(xb, x_test)
    np.testing.assert_array_equal(yb, y_test)
    assert names[:3] == ["airplane", "automobile", "bird"] and len(names) == 10


def test_pixel_layout_is_red_green_blue_planes(cache, monkeypatch, tmp_path):
    """Row = 1024 red, 1024 green, 1024 blue values; pixel (r, c) channel k sits at k*1024+32r+c."""
    archive = tmp_path / cifar10.ARCHIVE
    fixtures.cifar10_archive(archive, per_batch=1, n_test=1)
    with tarfile.open(archive) as tar:
        raw = pickle.loads(tar.extractfile("cifar-10-batches-py/data_batch_1").read(),
                           encoding="bytes")[b"data"][0]
    fixtures.pin(monkeypatch, "cifar10", cifar10.ARCHIVE, archive, algo="md5")
    store.import_file("cifar10", cifar10.ARCHIVE, archive)
    image = load("cifar10")[0][0]
    for row, col, channel in [(0, 0, 0), (5, 7, 1), (31, 30, 2)]:
        assert image[row, col, channel] == raw[channel * 1024 + 32 * row + col]


def test_wrong_checksum_is_refused_on_import(cache, tmp_path):
    archive = tmp_path / cifar10.ARCHIVE
    fixtures.cifar10_archive(archive)  # the real md5 stays pinned: this archive cannot match
    with pytest.raises(store.ChecksumError, match="c58f30108f718f92721af3b95e74349a"):
        store.import_into("cifar10", cifar10.FILENAMES, archive)
    assert not (cache / "cifar10" / cifar10.ARCHIVE).exists()
    with pytest.raises(AmlError, match=r"aml data import cifar10 PATH"):
        load("cifar10")


def test_truncated_archive(cache, monkeypatch, tmp_path):
    archive = tmp_path / cifar10.ARCHIVE
    fixtures.cifar10_archive(archive)
    whole = archive.read_bytes()
    archive.write_bytes(whole[: len(whole) // 2])
    # Pinned to the truncated file itself, so the reader (not the checksum) must catch it.
    fixtures.pin(monkeypatch, "cifar10", cifar10.ARCHIVE, archive, algo="md5")
    store.import_file("cifar10", cifar10.ARCHIVE, archive)
    with pytest.raises(AmlError, match="is not a complete, readable .tar.gz"):
        load("cifar10")


def test_missing_member(cache, monkeypatch, tmp_path):
    archive = tmp_path / cifar10.ARCHIVE
    fixtures.cifar10_archive(archive, leave_out=("data_batch_3",))
    fixtures.pin(monkeypatch, "cifar10", cifar10.ARCHIVE, archive, algo="md5")
    store.import_file("cifar10", cifar10.ARCHIVE, archive)
    with pytest.raises(AmlError, match="lacks cifar-10-batches-py/data_batch_3"):
        load("cifar10")


def test_pickle_that_would_run_code_is_refused(cache, monkeypatch, tmp_path, capsys):
    class Exploit:
        def __reduce__(self):
            return (print, ("pwned",))

    archive = tmp_path / cifar10.ARCHIVE
    fixtures.cifar10_archive(archive)
    payload = pickle.dumps({b"data": Exploit()}, protocol=2)
    rebuilt = tmp_path / "evil.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(rebuilt, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()
            if member.name.endswith("data_batch_1"):
                data, member.size = payload, len(payload)
            dst.addfile(member, io.BytesIO(data))
    fixtures.pin(monkeypatch, "cifar10", cifar10.ARCHIVE, rebuilt, algo="md5")
    store.import_file("cifar10", cifar10.ARCHIVE, rebuilt)
    with pytest.raises(AmlError, match=r"data_batch_1 .*unexpected object .*\.print"):
        load("cifar10")
    assert "pwned" not in capsys.readouterr().out


def test_fetch_downloads_from_the_authors_url(cache, monkeypatch, tmp_path):
    archive = tmp_path / "served.tar.gz"
    fixtures.cifar10_archive(archive)
    fixtures.pin(monkeypatch, "cifar10", cifar10.ARCHIVE, archive, algo="md5")
    seen = []

    class Response(io.BytesIO):
        headers = {"Content-Length": str(archive.stat().st_size)}

    def fake_urlopen(url, timeout=None):
        seen.append(url)
        return Response(archive.read_bytes())

    monkeypatch.setattr(store, "urlopen", fake_urlopen)
    paths = cifar10.fetch()
    assert seen == ["https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"]
    assert paths == [cache / "cifar10" / cifar10.ARCHIVE]
    assert load("cifar10")[0].shape == (10, 32, 32, 3)
