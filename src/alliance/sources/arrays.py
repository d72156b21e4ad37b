"""Arrow arrays built from Python lists through numpy buffers, so that pandas is never imported.

`pyarrow.array(list)` asks pandas whether the list is a pandas object, and importing pandas to
answer costs more than a whole SIPRI parse. Arrays assembled from buffers skip that question.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress, repeat
from operator import is_not
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa


def _validity(valid: np.ndarray) -> pa.Buffer | None:
    """Arrow's validity bitmap (least significant bit first); None when nothing is null."""
    import numpy as np
    import pyarrow as pa

    if valid.all():
        return None
    return pa.py_buffer(np.packbits(valid, bitorder="little"))


def floats(values: Sequence[float | None]) -> pa.Array:
    """float64; None (and NaN, which no importer means as a figure) becomes null."""
    import numpy as np
    import pyarrow as pa

    data = np.array(values, dtype=np.float64)  # None -> NaN, then NaN -> null below
    valid = ~np.isnan(data)
    return pa.Array.from_buffers(pa.float64(), len(data), [_validity(valid), pa.py_buffer(data)])


def integers(values: Sequence[int]) -> pa.Array:
    """int64, no nulls."""
    import numpy as np
    import pyarrow as pa

    data = np.array(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


def booleans(values: Sequence[bool]) -> pa.Array:
    """bool, no nulls."""
    import numpy as np
    import pyarrow as pa

    bits = np.packbits(np.array(values, dtype=np.bool_), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])


def strings(values: Sequence[str | None]) -> pa.Array:
    """large_string; None becomes null."""
    import numpy as np

    count = len(values)
    if None in values:
        valid = np.fromiter(map(is_not, values, repeat(None)), np.bool_, count)
        present = cast("Sequence[str]", list(compress(values, valid.tolist())))
    else:
        valid = np.ones(count, np.bool_)
        present = cast("Sequence[str]", values)
    joined = "".join(present)
    data = joined.encode("utf-8")
    if len(data) == len(joined):  # ASCII: one byte per character
        sizes = np.fromiter(map(len, present), np.int64, len(present))
    else:
        sizes = np.fromiter(map(len, map(str.encode, present)), np.int64, len(present))
    lengths = np.zeros(count, np.int64)
    lengths[valid] = sizes
    return _string_array(lengths, data, valid)


def coded_strings(codes: Sequence[int] | np.ndarray, labels: Sequence[str | None]) -> pa.Array:
    """large_string whose row i is labels[codes[i]] (None -> null): few labels, many rows."""
    import numpy as np

    code_array = np.asarray(codes, dtype=np.intp)
    encoded = [b"" if label is None else label.encode("utf-8") for label in labels]
    data = b"".join(map(encoded.__getitem__, code_array.tolist()))
    lengths = np.array([len(e) for e in encoded], np.int64)[code_array]
    null_codes = [index for index, label in enumerate(labels) if label is None]
    valid = ~np.isin(code_array, null_codes) if null_codes else np.ones(len(lengths), np.bool_)
    return _string_array(lengths, data, valid)


def constant_strings(value: str, count: int) -> pa.Array:
    import numpy as np

    encoded = value.encode("utf-8")
    return _string_array(np.full(count, len(encoded), np.int64), encoded * count, None)


def _string_array(lengths: np.ndarray, data: bytes, valid: np.ndarray | None) -> pa.Array:
    import numpy as np
    import pyarrow as pa

    offsets = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    validity = None if valid is None else _validity(valid)
    buffers = [validity, pa.py_buffer(offsets), pa.py_buffer(data)]
    return pa.Array.from_buffers(pa.large_string(), len(lengths), buffers)
