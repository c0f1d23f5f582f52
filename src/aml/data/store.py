"""Fetch, cache and verify dataset files: offline first, checksummed, never half-written.

Every file a dataset reads has an entry in CHECKSUMS. A file is used only after its digest
matches; downloads and imports are written to a temporary sibling and renamed into the cache
only once the digest passes, so a failed or interrupted fetch leaves nothing behind and never
replaces a good copy. The cache is $AML_DATA, else ~/.cache/aml, one folder per dataset.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import json
import os
import tarfile
import urllib.request
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from aml import atomic
from aml.errors import AmlError, DataUnavailable
from aml.progress import Progress

CHUNK = 1 << 20
# Below this size nothing is long enough to need a progress display.
PROGRESS_MIN_BYTES = 32 << 20
STAMPS = ".verified.json"
urlopen = urllib.request.urlopen  # tests replace this: nothing may go online


@dataclass(frozen=True)
class Checksum:
    """An accepted digest of a file; `of="gunzip"` hashes the decompressed bytes instead."""

    algo: str
    digest: str
    origin: str
    of: str = "file"

    def describe(self) -> str:
        return f"{self.algo} {self.digest}" + (" of the decompressed bytes"
                                               if self.of == "gunzip" else "")


# dataset -> file name -> accepted checksums (any one matching verifies the file).
CHECKSUMS: dict[str, dict[str, tuple[Checksum, ...]]] = {
    "iris": {
        "iris.csv": (Checksum("sha256", "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169"
                              "cd9d1449", "scikit-learn 1.9.1's bundled copy"),),
    },
    "sentiment_lexicon": {
        "vader_lexicon.txt": (Checksum(
            "sha256", "1ec9c6e9ee19aade328f8beb393a6afa71a5bb3acf7d3cc22d4ef568df374bf5",
            "vaderSentiment 3.3.2's wheel"),),
    },
    "fashion_mnist": {
        # md5: published by Zalando Research (README of zalandoresearch/fashion-mnist).
        # sha256 of the idx bytes: computed from files matching those md5s; it accepts
        # re-compressed copies such as Debian's dataset-fashion-mnist, whose deflate streams
        # are the published ones with a different gzip header.
        "train-images-idx3-ubyte.gz": (
            Checksum("md5", "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "Zalando Research"),
            Checksum("sha256", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                     "idx content of the published file", of="gunzip")),
        "train-labels-idx1-ubyte.gz": (
            Checksum("md5", "25c81989df183df01b3e8a0aad5dffbe", "Zalando Research"),
            Checksum("sha256", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                     "idx content of the published file", of="gunzip")),
        "t10k-images-idx3-ubyte.gz": (
            Checksum("md5", "bef4ecab320f06d8554ea6380940ec79", "Zalando Research"),
            Checksum("sha256", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                     "idx content of the published file", of="gunzip")),
        "t10k-labels-idx1-ubyte.gz": (
            Checksum("md5", "bb300cfdad3c16e7a12a480ee83cd310", "Zalando Research"),
            Checksum("sha256", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
                     "idx content of the published file", of="gunzip")),
    },
    "cifar10": {
        "cifar-10-python.tar.gz": (
            Checksum("md5", "c58f30108f718f92721af3b95e74349a", "the authors' CIFAR page"),),
    },
    "imdb": {
        # The authors publish no digest; this sha256 is the one tensorflow-datasets and other
        # loaders pin for the same URL.
        "aclImdb_v1.tar.gz": (
            Checksum("sha256", "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
                     "tensorflow-datasets and others"),),
    },
    "movie_snippets": {
        "vaderSentiment-3.3.2.tar.gz": (
            Checksum("sha256", "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9",
                     "PyPI's published sha256 of the sdist"),),
        "movieReviewSnippets_GroundTruth.txt": (
            Checksum("sha256", "c8293b0d942e90e223ea2c0955d969040d1a1be514a978b9af0698940bd13350",
                     "the member of the verified sdist"),),
    },
}


class ChecksumError(AmlError):
    """A file whose digest is not the published one; it is never used."""


def data_root() -> Path:
    """The cache: $AML_DATA, else ~/.cache/aml."""
    return Path(os.environ.get("AML_DATA") or Path.home() / ".cache" / "aml").expanduser()


def dataset_dir(name: str) -> Path:
    return data_root() / name


def checksums(name: str, filename: str) -> tuple[Checksum, ...]:
    try:
        return CHECKSUMS[name][filename]
    except KeyError:
        raise AmlError(f"no checksum known for {name}/{filename}") from None


def progress(label: str, total: int) -> Progress:
    """A progress display, shown only for work large enough to take a while."""
    return Progress(label, total, enabled=total >= PROGRESS_MIN_BYTES)


def readable(path: Path) -> Path:
    """`path` if it is a non-empty readable file, else a one-line AmlError saying why."""
    path = Path(path)
    try:
        if not path.exists():
            raise AmlError(f"{path} does not exist")
        if path.is_dir():
            raise AmlError(f"{path} is a folder, expected a file")
        with open(path, "rb") as handle:
            if not handle.read(1):
                raise AmlError(f"{path} is empty")
    except OSError as err:
        raise AmlError(f"cannot read {path}: {err.strerror or err}") from None
    return path


class CountingReader:
    """Wrap a binary file so reading it advances a progress display."""

    def __init__(self, handle: BinaryIO, bar: Progress):
        self.handle, self.bar, self.done = handle, bar, 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        if data:  # the readers above keep asking at the end; report each byte once
            self.done += len(data)
            self.bar.update(self.done)
        return data


@contextlib.contextmanager
def open_counted(path: Path, label: str) -> Iterator[CountingReader]:
    """Open a file for streaming, with progress on large files (extraction of archives)."""
    path = readable(path)
    with open(path, "rb") as handle:
        yield CountingReader(handle, progress(label, path.stat().st_size))


@contextlib.contextmanager
def open_tar_gz(path: Path, label: str) -> Iterator[tarfile.TarFile]:
    """Stream a .tar.gz member by member, then read the gzip stream to its end.

    tarfile alone treats a cut-off archive as a shorter one; draining the stream makes gzip
    check its end marker and CRC, so truncation is an error, never a smaller dataset.
    """
    try:
        with open_counted(path, label) as reader, \
                gzip.GzipFile(fileobj=reader, mode="rb") as unzipped:
            with tarfile.open(fileobj=unzipped, mode="r|") as tar:
                yield tar
            while unzipped.read(CHUNK):
                pass
    except (tarfile.TarError, EOFError, OSError, zlib.error) as err:
        raise AmlError(f"{path} is not a complete, readable .tar.gz ({err}); "
                       "delete it and fetch or import it again") from None


def _digests(path: Path, wanted: Iterable[Checksum], label: str) -> dict[tuple[str, str], str]:
    """Hex digests (keyed by (of, algo)) of a file and, if asked, of its gunzipped bytes."""
    wanted = list(wanted)
    plain = {c.algo: hashlib.new(c.algo) for c in wanted if c.of == "file"}
    result = {}
    with open_counted(path, f"verifying {label}") as reader:
        for chunk in iter(lambda: reader.read(CHUNK), b""):
            for h in plain.values():
                h.update(chunk)
    result.update({("file", algo): h.hexdigest() for algo, h in plain.items()})
    unzipped = {c.algo: hashlib.new(c.algo) for c in wanted if c.of == "gunzip"}
    if unzipped:
        try:
            with gzip.open(path, "rb") as handle:
                for chunk in iter(lambda: handle.read(CHUNK), b""):
                    for h in unzipped.values():
                        h.update(chunk)
            result.update({("gunzip", algo): h.hexdigest() for algo, h in unzipped.items()})
        except (OSError, EOFError, zlib.error):
            result.update({("gunzip", algo): "not gzip data" for algo in unzipped})
    return result


def _stamps() -> dict:
    try:
        return json.loads((data_root() / STAMPS).read_text())
    except (OSError, ValueError):
        return {}


def _stamp_key(path: Path) -> tuple[str, list]:
    stat = path.stat()
    return str(path.resolve()), [stat.st_size, stat.st_mtime_ns]


def _remember(path: Path, checksum: Checksum) -> None:
    """Record that `path`, as it is now, verified; skipped silently if the cache is read-only."""

    key, identity = _stamp_key(path)
    stamps = {k: v for k, v in _stamps().items() if Path(k).exists()}
    stamps[key] = {"identity": identity, "checksum": checksum.describe()}
    with contextlib.suppress(OSError):
        atomic.write_json_atomic(data_root() / STAMPS, stamps)


def check(path: Path, name: str, filename: str, trust_stamp: bool = True,
          remember: bool = True) -> Checksum:
    """Verify `path` as `name`/`filename`: the matching checksum, or ChecksumError with both sums.

    With `trust_stamp`, a file that verified before and has the same size and modification
    time since is not hashed again (hashing a 160 MB archive on every load is wasted time).
    """
    accepted = checksums(name, filename)
    path = readable(path)
    if trust_stamp:
        key, identity = _stamp_key(path)
        stamp = _stamps().get(key)
        if stamp and stamp["identity"] == identity:
            for c in accepted:
                if stamp["checksum"] == c.describe():
                    return c
    found = _digests(path, accepted, filename)
    for c in accepted:
        if found[(c.of, c.algo)] == c.digest:
            if remember:
                _remember(path, c)
            return c
    expected = " or ".join(c.describe() for c in accepted)
    actual = ", ".join(f"{algo} {digest}" + (" of the decompressed bytes" if of == "gunzip"
                                              else "") for (of, algo), digest in found.items())
    raise ChecksumError(f"checksum mismatch for {path}: expected {expected}, found {actual}; "
                        "the file is not used")


def find(name: str, filename: str, extra_dirs: Iterable[Path] = ()) -> list[Path]:
    """Every existing copy of a dataset file: the cache first, then `extra_dirs`."""
    places = [dataset_dir(name), *map(Path, extra_dirs)]
    return [d / filename for d in places if (d / filename).exists()]


def fix_hint(name: str, filename: str) -> str:
    return (f"run `aml data fetch {name}` when online, or `aml data import {name} PATH` "
            f"with a copy of {filename}")


def locate(name: str, filename: str, extra_dirs: Iterable[Path] = (), title: str = "") -> Path:
    """The first verified copy of a file, else a one-line AmlError saying what to do."""
    extra_dirs = list(extra_dirs)
    copies = find(name, filename, extra_dirs)
    errors = []
    for path in copies:
        try:
            check(path, name, filename)
            return path
        except AmlError as err:
            errors.append(err)
    if errors:  # copies exist but none is intact: say so, and how to replace it
        raise type(errors[0])(f"{errors[0]}; {fix_hint(name, filename)}")
    tried = ", ".join(str(d) for d in [dataset_dir(name), *extra_dirs])
    raise DataUnavailable(f"{title or name}: {filename} not found (looked in {tried}); "
                          + fix_hint(name, filename), fix=f"aml data fetch {name}")


@contextlib.contextmanager
def staged(name: str, filename: str) -> Iterator[tuple[BinaryIO, Callable[[], Path]]]:
    """Yield (temporary file, publish); publish verifies it and renames it into the cache.

    If the body raises, or publish finds a bad checksum, the temporary file is removed and
    any existing copy in the cache is left exactly as it was.
    """
    folder = dataset_dir(name)
    with contextlib.ExitStack() as stack:
        try:
            staged_file = stack.enter_context(atomic.staged_file(folder / filename, ".part"))
        except OSError as err:
            raise AmlError(f"cannot write to the data cache {folder}: {err.strerror or err}; "
                           "set AML_DATA to a writable folder") from None

        def publish() -> Path:
            checksum = check(staged_file.finish(), name, filename, trust_stamp=False,
                             remember=False)
            final = staged_file.publish()  # with the umask's mode: a cache may be shared
            _remember(final, checksum)
            return final

        yield staged_file.handle, publish


def install_bytes(name: str, filename: str, stream: BinaryIO, size: int, label: str) -> Path:
    """Copy a stream into the cache as `filename`, verified before it replaces anything."""
    bar = progress(label, size)
    with staged(name, filename) as (out, publish):
        done = 0
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            out.write(chunk)
            done += len(chunk)
            bar.update(done)
        return publish()


def import_file(name: str, filename: str, source: Path) -> Path:
    """Copy a local file into the cache as `filename` after verifying it."""
    source = readable(source)
    try:
        with open(source, "rb") as stream:
            return install_bytes(name, filename, stream, source.stat().st_size,
                                 f"importing {filename}")
    except OSError as err:
        raise AmlError(f"cannot read {source}: {err.strerror or err}") from None


def download(name: str, filename: str, urls: Iterable[str]) -> Path:
    """Download a file into the cache from the first URL that works; verified, atomic."""
    failures = []
    for url in urls:
        try:
            with urlopen(url, timeout=30) as response:
                size = int(response.headers.get("Content-Length") or 0)
                path = install_bytes(name, filename, response, size, f"downloading {filename}")
                return path
        except ChecksumError as err:
            failures.append(f"{url}: {err}")
        except (OSError, ValueError, http.client.HTTPException) as err:  # offline, cut short
            failures.append(f"{url}: {getattr(err, 'reason', None) or err}")
    tried = "; ".join(failures) or "no download location known"
    raise AmlError(f"could not download {filename} (tried {tried}); if you have a copy, run "
                   f"`aml data import {name} PATH`")


def fetch_files(name: str, sources: dict[str, Iterable[str]], extra_dirs: Iterable[Path] = (),
                force: bool = False) -> list[Path]:
    """Download each file lacking a verified copy (all of them with `force`) into the cache."""
    extra_dirs = list(extra_dirs)
    paths = []
    for filename, urls in sources.items():
        if not force:
            try:
                paths.append(locate(name, filename, extra_dirs))
                continue
            except AmlError:
                pass
        paths.append(download(name, filename, urls))
    return paths


def import_into(name: str, filenames: Iterable[str], source: Path) -> list[Path]:
    """Import a local copy: a folder holding the files, or one file (renamed copies too)."""
    filenames, source = list(filenames), Path(source)
    if source.is_dir():
        present = [f for f in filenames if (source / f).exists()]
        if not present:
            raise AmlError(f"{source} holds none of {', '.join(filenames)}")
        return [import_file(name, f, source / f) for f in present]
    readable(source)
    if source.name in filenames:
        return [import_file(name, source.name, source)]
    if len(filenames) == 1:
        return [import_file(name, filenames[0], source)]
    raise AmlError(f"{source.name} is not one of the {name} files ({', '.join(filenames)}); "
                   "pass one of those or the folder holding them")
