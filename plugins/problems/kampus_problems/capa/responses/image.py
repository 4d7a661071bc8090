"""Clicks on an image (imageresponse): inside a rectangle or inside the convex hull of a region."""

from __future__ import annotations

import json
import re
from typing import Any

from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import LoncapaProblemError, StudentInputError
from kampus_problems.capa.responses.base import LoncapaResponse

_CLICK = re.compile(r"\[([0-9]+),([0-9]+)]")
_RECTANGLE = re.compile(r"[\(\[]([0-9]+),([0-9]+)[\)\]]-[\(\[]([0-9]+),([0-9]+)[\)\]]")


def convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain, counter-clockwise, without collinear points."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def strictly_inside(hull: list[tuple[float, float]], x: float, y: float) -> bool:
    """True when (x, y) is in the interior of the convex polygon (shapely's ``contains``)."""
    if len(hull) < 3:
        return False
    for i, a in enumerate(hull):
        b = hull[(i + 1) % len(hull)]
        if (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]) <= 0:
            return False
    return True


class ImageResponse(LoncapaResponse):
    """Each imageinput's click ``[x,y]`` must fall in one of its ``rectangle``s or ``regions``."""

    tag = "imageresponse"
    human_name = "Image Mapped Input"
    allowed_inputfields = ("imageinput",)

    def get_score(self, student_answers: dict[str, Any]) -> CorrectMap:
        cmap = CorrectMap()
        for field in self.inputfields:
            aid = field.get("id")
            given = student_answers.get(aid)
            cmap.set(aid, "incorrect")
            if not given:
                continue
            click = _CLICK.match(str(given).strip().replace(" ", ""))
            if not click:
                raise StudentInputError(f"error grading {aid} (input={given})")
            x, y = (int(v) for v in click.groups())
            if self._in_rectangles(field, x, y) or self._in_regions(field, x, y):
                cmap.set(aid, "correct")
        return cmap

    @staticmethod
    def _in_rectangles(field: Any, x: int, y: int) -> bool:
        rectangles = field.get("rectangle")
        if not rectangles:
            return False
        for rectangle in rectangles.split(";"):
            coords = _RECTANGLE.match(rectangle.strip().replace(" ", ""))
            if not coords:
                raise LoncapaProblemError(f"Error in problem specification! Cannot parse rectangle in {rectangle}")
            llx, lly, urx, ury = (int(v) for v in coords.groups())
            if llx <= x <= urx and lly <= y <= ury:
                return True
        return False

    @staticmethod
    def _in_regions(field: Any, x: int, y: int) -> bool:
        regions = field.get("regions")
        if not regions:
            return False
        try:
            parsed = json.loads(regions)
            if parsed and not isinstance(parsed[0][0], list):
                parsed = [parsed]
            polygons = [[(float(p[0]), float(p[1])) for p in region] for region in parsed or []]
        except (ValueError, TypeError, IndexError, KeyError) as err:
            raise LoncapaProblemError(f"Error in problem specification! Cannot parse regions in {regions}") from err
        return any(strictly_inside(convex_hull(polygon), x, y) for polygon in polygons)

    def get_answers(self) -> dict[str, Any]:
        return {f.get("id"): {"rectangle": f.get("rectangle"), "regions": f.get("regions")} for f in self.inputfields}
