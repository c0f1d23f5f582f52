"""A bundle: named byte strings in one stream, the only way data crosses the jail's wall.

Format: b"AMLB1", then per entry a 2-byte name length, the UTF-8 name, an 8-byte data
length and the data; then b"END!". Decoding trusts nothing: sizes, names and counts are
bounded, a stream that does not parse is refused as a whole. Arrays travel as .npy bytes
read with allow_pickle=False, values as JSON.
"""

from __future__ import annotations

import io
import json
import re
import struct

MAGIC, END = b"AMLB1", b"END!"
# Entries of one bundle: what a checker's produce records (a few values, arrays, models).
# A model's weights travel as one entry, a nested bundle with its own limit
# (aml.sandbox.protocol.MAX_WEIGHT_ARRAYS), so a deep network does not count here.
MAX_ENTRIES = 256
_NAME = re.compile(r"[A-Za-z0-9_.:/-]{1,200}")


class BundleError(ValueError):
    """The stream is not a well-formed bundle within the limits."""


def encode(entries: dict[str, bytes]) -> bytes:
    parts = [MAGIC]
    for name, data in entries.items():
        raw = name.encode()
        parts += [struct.pack(">H", len(raw)), raw, struct.pack(">Q", len(data)), data]
    return b"".join(parts + [END])


def decode(data: bytes, max_bytes: int = 256 * 2**20,
           max_entries: int = MAX_ENTRIES) -> dict[str, bytes]:
    if len(data) > max_bytes:
        raise BundleError(f"larger than {max_bytes >> 20} MB")
    if not data.startswith(MAGIC) or not data.endswith(END):
        raise BundleError("not a bundle (bad start or end)")
    entries, at, stop = {}, len(MAGIC), len(data) - len(END)
    while at < stop:
        if len(entries) >= max_entries:
            raise BundleError(f"more than {max_entries} entries")
        if at + 2 > stop:
            raise BundleError("a cut header")
        (length,) = struct.unpack_from(">H", data, at)
        name = data[at + 2: at + 2 + length].decode("utf-8", "replace")
        at += 2 + length
        if not _NAME.fullmatch(name) or ".." in name or name in entries or at + 8 > stop:
            raise BundleError(f"bad entry name {name[:40]!r}")
        (size,) = struct.unpack_from(">Q", data, at)
        at += 8
        if at + size > stop:
            raise BundleError(f"entry {name!r} runs past the end")
        entries[name] = data[at: at + size]
        at += size
    return entries


def array_bytes(array) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def load_array(data: bytes, max_elements: int = 50_000_000):
    """A numeric array from .npy bytes (no pickles, no object or string dtypes)."""
    import numpy as np

    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception as err:  # noqa: BLE001 - any malformed array is refused alike
        raise BundleError(f"not a numeric .npy array ({type(err).__name__})") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf" \
            or array.size > max_elements:
        raise BundleError(f"not a numeric array of at most {max_elements} values")
    return array


def json_bytes(value) -> bytes:
    return json.dumps(value, allow_nan=True, default=str).encode()


def load_json(data: bytes, max_bytes: int = 4 * 2**20):
    if len(data) > max_bytes:
        raise BundleError("a JSON value is too large")
    try:
        return json.loads(data)
    except ValueError:
        raise BundleError("not valid JSON") from None
