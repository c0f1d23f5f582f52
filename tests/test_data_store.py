"""The shared fetch/cache/verify code: atomic installs, checksums, offline messages."""

import builtins
import hashlib
import io
import os

import data_fixtures as fixtures
import pytest

from aml.data import store
from aml.errors import AmlError

PAYLOAD = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def cache(monkeypatch, tmp_path):
    return fixtures.isolate(monkeypatch, tmp_path)


@pytest.fixture
def pinned(monkeypatch):
    """The test dataset `demo` accepts exactly PAYLOAD as `demo.bin`."""
    digest = hashlib.sha256(PAYLOAD).hexdigest()
    monkeypatch.setitem(store.CHECKSUMS, "demo",
                        {"demo.bin": (store.Checksum("sha256", digest, "test"),)})
    return digest


class FakeResponse(io.BytesIO):
    """What urlopen returns: a readable body with headers; may fail after `fail_after` bytes."""

    def __init__(self, body, fail_after=None, error=ConnectionResetError):
        super().__init__(body)
        self.headers = {"Content-Length": str(len(body))}
        self.fail_after, self.error = fail_after, error

    def read(self, size=-1):
        if self.fail_after is not None and self.tell() >= self.fail_after:
            raise self.error("connection reset by peer")
        size = size if size >= 0 else len(self.getvalue())
        if self.fail_after is not None:
            size = min(size, max(self.fail_after - self.tell(), 1))
        return super().read(size)


def serve(monkeypatch, responses):
    """Replace urlopen with a fake that answers each URL from `responses` (a dict)."""
    calls = []

    def fake_urlopen(url, timeout=None):
        calls.append(url)
        answer = responses[url]
        if isinstance(answer, Exception):
            raise answer
        return answer() if callable(answer) else answer

    monkeypatch.setattr(store, "urlopen", fake_urlopen)
    return calls


def leftovers(cache):
    return sorted(p.name for p in (cache / "demo").iterdir()) if (cache / "demo").exists() else []


def test_cache_is_aml_data_else_home(monkeypatch, tmp_path):
    monkeypatch.setenv("AML_DATA", str(tmp_path / "x"))
    assert store.dataset_dir("cifar10") == tmp_path / "x" / "cifar10"
    monkeypatch.delenv("AML_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert store.data_root() == tmp_path / "home" / ".cache" / "aml"


def test_import_verifies_then_renames(cache, pinned, tmp_path):
    source = tmp_path / "copy.bin"
    source.write_bytes(PAYLOAD)
    path = store.import_file("demo", "demo.bin", source)
    assert path == cache / "demo" / "demo.bin" and path.read_bytes() == PAYLOAD
    assert leftovers(cache) == ["demo.bin"]
    assert store.check(path, "demo", "demo.bin").digest == pinned


def test_mismatch_names_both_sums_and_keeps_nothing(cache, pinned, tmp_path):
    source = tmp_path / "bad.bin"
    source.write_bytes(PAYLOAD[:-1] + b"X")
    with pytest.raises(store.ChecksumError) as err:
        store.import_file("demo", "demo.bin", source)
    message = str(err.value)
    assert pinned in message and hashlib.sha256(source.read_bytes()).hexdigest() in message
    assert "\n" not in message and "not used" in message
    assert leftovers(cache) == []


def test_empty_file_and_missing_and_folder_are_one_line_errors(cache, pinned, tmp_path):
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    with pytest.raises(AmlError, match="is empty"):
        store.import_file("demo", "demo.bin", empty)
    with pytest.raises(AmlError, match="does not exist"):
        store.import_file("demo", "demo.bin", tmp_path / "nope.bin")
    with pytest.raises(AmlError, match="is a folder"):
        store.import_file("demo", "demo.bin", tmp_path)
    assert leftovers(cache) == []


def test_unreadable_path(cache, pinned, tmp_path, monkeypatch):
    # chmod 000 does not stop root, so the refusal is simulated where the file is opened.
    locked = tmp_path / "locked.bin"
    locked.write_bytes(PAYLOAD)
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if os.fspath(file) == os.fspath(locked):
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    with pytest.raises(AmlError, match=r"cannot read .*locked.bin: Permission denied"):
        store.import_file("demo", "demo.bin", locked)
    assert leftovers(cache) == []


def test_download_tries_sources_in_order(cache, pinned, monkeypatch):
    calls = serve(monkeypatch, {"http://a/demo.bin": OSError("Name or service not known"),
                                "http://b/demo.bin": lambda: FakeResponse(PAYLOAD)})
    path = store.download("demo", "demo.bin", ["http://a/demo.bin", "http://b/demo.bin"])
    assert calls == ["http://a/demo.bin", "http://b/demo.bin"]
    assert path.read_bytes() == PAYLOAD and leftovers(cache) == ["demo.bin"]


def test_offline_message_names_sources_and_import_command(cache, pinned, monkeypatch):
    serve(monkeypatch, {"http://a/demo.bin": OSError("Name or service not known")})
    with pytest.raises(AmlError) as err:
        store.download("demo", "demo.bin", ["http://a/demo.bin"])
    message = str(err.value)
    assert "http://a/demo.bin: Name or service not known" in message
    assert "`aml data import demo PATH`" in message and "\n" not in message


def test_interrupted_download_leaves_nothing(cache, pinned, monkeypatch):
    serve(monkeypatch, {"http://a/demo.bin": lambda: FakeResponse(PAYLOAD, fail_after=4096)})
    with pytest.raises(AmlError, match="connection reset"):
        store.download("demo", "demo.bin", ["http://a/demo.bin"])
    assert leftovers(cache) == []
    # Ctrl-C in the middle: the interrupt goes through, the partial file does not stay.
    serve(monkeypatch, {"http://a/demo.bin": lambda: FakeResponse(
        PAYLOAD, fail_after=4096, error=lambda msg: KeyboardInterrupt())})
    with pytest.raises(KeyboardInterrupt):
        store.download("demo", "demo.bin", ["http://a/demo.bin"])
    assert leftovers(cache) == []


def test_good_copy_survives_failed_refetch(cache, pinned, monkeypatch, tmp_path):
    good = tmp_path / "good.bin"
    good.write_bytes(PAYLOAD)
    installed = store.import_file("demo", "demo.bin", good)
    before = installed.stat().st_mtime_ns
    sources = {"demo.bin": ["http://a/demo.bin"]}
    for answer in (lambda: FakeResponse(PAYLOAD, fail_after=100),  # cut short
                   lambda: FakeResponse(b"<html>moved</html>"),    # wrong content
                   OSError("offline")):
        serve(monkeypatch, {"http://a/demo.bin": answer})
        with pytest.raises(AmlError):
            store.fetch_files("demo", sources, force=True)
        assert installed.read_bytes() == PAYLOAD and installed.stat().st_mtime_ns == before
        assert leftovers(cache) == ["demo.bin"]
    # Without --force a verified copy is kept and nothing is downloaded.
    calls = serve(monkeypatch, {})
    assert store.fetch_files("demo", sources) == [installed] and calls == []


def test_changed_file_is_hashed_again(cache, pinned, tmp_path):
    source = tmp_path / "copy.bin"
    source.write_bytes(PAYLOAD)
    path = store.import_file("demo", "demo.bin", source)
    assert store.check(path, "demo", "demo.bin").algo == "sha256"
    path.write_bytes(PAYLOAD[::-1])  # same size, new content and modification time
    with pytest.raises(store.ChecksumError):
        store.check(path, "demo", "demo.bin")


def test_locate_skips_a_bad_copy_for_a_good_one(cache, pinned, tmp_path):
    (cache / "demo").mkdir(parents=True)
    (cache / "demo" / "demo.bin").write_bytes(b"corrupt")
    elsewhere = tmp_path / "system"
    elsewhere.mkdir()
    (elsewhere / "demo.bin").write_bytes(PAYLOAD)
    assert store.locate("demo", "demo.bin", [elsewhere]) == elsewhere / "demo.bin"
    (elsewhere / "demo.bin").unlink()
    with pytest.raises(store.ChecksumError, match="checksum mismatch"):
        store.locate("demo", "demo.bin", [elsewhere])


def test_missing_file_message_says_where_and_what_to_run(cache, pinned):
    with pytest.raises(AmlError) as err:
        store.locate("demo", "demo.bin", title="Demo")
    message = str(err.value)
    assert str(cache / "demo") in message
    assert "`aml data fetch demo`" in message and "`aml data import demo PATH`" in message


def test_gunzip_checksum_accepts_recompressed_copies(cache, monkeypatch, tmp_path):
    import gzip

    content = b"idx content" * 100
    first, second = tmp_path / "a.gz", tmp_path / "b.gz"
    first.write_bytes(gzip.compress(content, mtime=1))
    second.write_bytes(gzip.compress(content, mtime=2, compresslevel=1))
    assert first.read_bytes() != second.read_bytes()
    monkeypatch.setitem(store.CHECKSUMS, "demo", {"x.gz": (
        store.Checksum("md5", hashlib.md5(first.read_bytes()).hexdigest(), "published"),
        store.Checksum("sha256", hashlib.sha256(content).hexdigest(), "content", of="gunzip"))})
    assert store.check(first, "demo", "x.gz").algo == "md5"
    assert store.check(second, "demo", "x.gz").of == "gunzip"
    third = tmp_path / "c.gz"
    third.write_bytes(gzip.compress(content + b"!"))
    with pytest.raises(store.ChecksumError, match="of the decompressed bytes"):
        store.check(third, "demo", "x.gz")


def test_published_table_is_complete():
    """Every file a loader reads has a checksum of the right length for its algorithm."""
    from aml.data import cifar10, fashion_mnist, imdb, iris, movie_snippets

    lengths = {"md5": 32, "sha256": 64}
    for module in (iris, fashion_mnist, cifar10, imdb, movie_snippets):
        for filename in module.FILENAMES:
            for checksum in store.checksums(module.NAME, filename):
                assert len(checksum.digest) == lengths[checksum.algo]
                int(checksum.digest, 16)
    assert store.checksums("cifar10", "cifar-10-python.tar.gz")[0].digest == \
        "c58f30108f718f92721af3b95e74349a"
