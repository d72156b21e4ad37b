"""Map shapes for the pages: the shipped Natural Earth boundaries, projected, clipped and
simplified once per process, as SVG path data.

The projection is Lambert azimuthal equal-area centred on the North Atlantic, so that Europe and
North America both keep their areas (a choropleth must not make Canada look bigger than it is).
The browser inverts the same formulas (static/app.js, `inverseLaea`) to turn a click on the
obligations map into a latitude and longitude; the parameters travel as data attributes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

CENTRE_LAT: Final = 52.0
CENTRE_LON: Final = -35.0
# What is shown: mainland USA, Canada, Greenland, Europe to the Urals' foot, Türkiye and the
# Mediterranean shore. Longitudes and latitudes first clip the sphere (the azimuthal projection
# goes wild near the antipode), then a rectangle in projected units frames the picture.
LONLAT_WINDOW: Final = (-140.0, 14.0, 62.0, 84.0)
VIEW_KM: Final = (-6300.0, -2700.0, 5800.0, 3900.0)  # x_min, y_min, x_max, y_max
SCALE: Final = 0.08  # SVG units per km: the map is 968 x 528
SIMPLIFY_KM: Final = 9.0
EARTH_RADIUS_KM: Final = 6371.0088


@dataclass(frozen=True)
class Shape:
    iso3: str
    a3: str
    name: str
    path: str  # SVG path data in map units


@dataclass(frozen=True)
class MapFrame:
    width: int
    height: int
    shapes: tuple[Shape, ...]
    source: str
    version: str

    def attributes(self) -> dict[str, str]:
        """What the browser needs to invert the projection (see static/app.js)."""
        return {
            "data-lat0": f"{CENTRE_LAT}",
            "data-lon0": f"{CENTRE_LON}",
            "data-scale": f"{SCALE}",
            "data-x0": f"{VIEW_KM[0]}",
            "data-y1": f"{VIEW_KM[3]}",
            "data-radius": f"{EARTH_RADIUS_KM}",
        }


def project(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Lambert azimuthal equal-area (spherical), km; arrays in, arrays out."""
    import numpy as np

    phi0, lam0 = math.radians(CENTRE_LAT), math.radians(CENTRE_LON)
    phi, lam = np.radians(lat), np.radians(lon) - lam0
    cos_c = math.sin(phi0) * np.sin(phi) + math.cos(phi0) * np.cos(phi) * np.cos(lam)
    k = np.sqrt(2.0 / np.maximum(1.0 + cos_c, 1e-9))
    x = EARTH_RADIUS_KM * k * np.cos(phi) * np.sin(lam)
    y = (
        EARTH_RADIUS_KM
        * k
        * (math.cos(phi0) * np.sin(phi) - math.sin(phi0) * np.cos(phi) * np.cos(lam))
    )
    return x, y


def to_view(lat: float, lon: float) -> tuple[float, float]:
    """A point's position in SVG units (y grows downwards)."""
    x, y = project(lon, lat)
    return (float(x) - VIEW_KM[0]) * SCALE, (VIEW_KM[3] - float(y)) * SCALE


def _projected(coords: Any) -> Any:
    import numpy as np

    x, y = project(coords[:, 0], coords[:, 1])
    return np.column_stack([(x - VIEW_KM[0]) * SCALE, (VIEW_KM[3] - y) * SCALE])


def _path_data(geometry: Any) -> str:
    parts: list[str] = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            points = [f"{x:.1f} {y:.1f}" for x, y in ring.coords[:-1]]
            if len(points) >= 3:
                parts.append("M" + "L".join(points) + "Z")
    return "".join(parts)


@cache
def map_frame() -> MapFrame:
    """Every admin-0 unit inside the window, projected and simplified (computed once)."""
    import shapely
    from shapely.geometry import box

    from alliance.treaties import geo

    boundaries = geo.boundaries()
    window = box(*LONLAT_WINDOW)
    width = (VIEW_KM[2] - VIEW_KM[0]) * SCALE
    height = (VIEW_KM[3] - VIEW_KM[1]) * SCALE
    shapes = []
    for unit in boundaries.units:
        if not unit.geometry.intersects(window):
            continue
        clipped = shapely.clip_by_rect(shapely.make_valid(unit.geometry), *LONLAT_WINDOW)
        flat = shapely.transform(clipped, _projected)
        flat = shapely.clip_by_rect(flat, 0, 0, width, height)
        flat = flat.simplify(SIMPLIFY_KM * SCALE, preserve_topology=True)
        if flat.is_empty or flat.area < 0.5:
            continue
        shapes.append(Shape(unit.iso3, unit.a3, unit.name, _path_data(flat)))
    return MapFrame(int(width), int(height), tuple(shapes), boundaries.source, boundaries.version)
