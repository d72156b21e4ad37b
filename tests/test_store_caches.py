"""Caches beside the store: they give back exactly what the shipped files give, and a damaged
cache is read as absent."""

from __future__ import annotations

import shapely

from alliance.store import home
from alliance.treaties import geo


def _fresh() -> geo.Boundaries:
    geo.boundaries.cache_clear()
    return geo.boundaries()


def test_cached_boundaries_are_the_shipped_shapes() -> None:
    for stale in home()[0].glob("boundaries-*.npz"):
        stale.unlink()
    parsed = _fresh()  # parses the GeoJSON and writes the cache
    [cached_file] = home()[0].glob("boundaries-*.npz")
    cached = _fresh()  # reads the cache
    assert [u.a3 for u in cached.units] == [u.a3 for u in parsed.units]
    assert len(cached.units) > 200
    for old, new in zip(parsed.units, cached.units, strict=True):
        assert (new.iso3, new.name, new.continent) == (old.iso3, old.name, old.continent)
        assert shapely.equals_exact(new.geometry, old.geometry, tolerance=0)
    assert (cached.source, cached.version) == (parsed.source, parsed.version)
    berlin, brussels = geo.unit_at(52.52, 13.40), geo.unit_at(50.85, 4.35)
    assert berlin is not None and brussels is not None
    assert (berlin.iso3, brussels.iso3) == ("DEU", "BEL")
    cached_file.write_bytes(b"not a cache")
    damaged = _fresh()
    assert [u.a3 for u in damaged.units] == [u.a3 for u in parsed.units]
    geo.boundaries.cache_clear()
