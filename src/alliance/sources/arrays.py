"""Arrow arrays built from Python lists through numpy buffers, so that pandas is never imported.

`pyarrow.array(list)` asks pandas whether the list is a pandas object, and importing pandas to
answer costs more than a whole SIPRI parse. Arrays assembled from buffers skip that question.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress, groupby, repeat
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


def repeated_strings(values: Sequence[str | None]) -> pa.Array:
    """large_string for values that come in runs (one entity for a sheet row's figures)."""
    runs = [(value, len(list(run))) for value, run in groupby(values)]
    return _runs([value for value, _ in runs], [count for _, count in runs])


def coded_strings(codes: Sequence[int] | np.ndarray, labels: Sequence[str | None]) -> pa.Array:
    """large_string whose row i is labels[codes[i]] (None -> null), for codes that come in runs."""
    import numpy as np

    code_array = np.asarray(codes, dtype=np.intp)
    if not len(code_array):
        return _runs([], [])
    starts = np.concatenate(([0], np.flatnonzero(np.diff(code_array)) + 1))
    counts = np.diff(np.append(starts, len(code_array)))
    return _runs([labels[code] for code in code_array[starts].tolist()], counts.tolist())


def present(array: pa.Array) -> pa.Array:
    """bool: True where `array` is not null (its validity bitmap, reused as the values)."""
    import pyarrow as pa

    validity = array.buffers()[0]
    if validity is None:
        return booleans([True] * len(array))
    return pa.Array.from_buffers(pa.bool_(), len(array), [None, validity], offset=array.offset)


def _runs(values: Sequence[str | None], counts: Sequence[int]) -> pa.Array:
    """large_string of values[i] repeated counts[i] times, in order."""
    import numpy as np

    encoded = [b"" if value is None else value.encode("utf-8") for value in values]
    data = b"".join([text * count for text, count in zip(encoded, counts, strict=True)])
    repeats = np.asarray(counts, np.int64)
    lengths = np.repeat(np.array([len(text) for text in encoded], np.int64), repeats)
    valid = np.repeat(np.array([value is not None for value in values], np.bool_), repeats)
    return _string_array(lengths, data, valid)


def constant_strings(value: str, count: int) -> pa.Array:
    return _runs([value], [count])


def _string_array(lengths: np.ndarray, data: bytes, valid: np.ndarray | None) -> pa.Array:
    import numpy as np
    import pyarrow as pa

    offsets = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    validity = None if valid is None else _validity(valid)
    buffers = [validity, pa.py_buffer(offsets), pa.py_buffer(data)]
    return pa.Array.from_buffers(pa.large_string(), len(lengths), buffers)
