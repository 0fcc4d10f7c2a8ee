"""Reading the charts back: parse the SVG and find marks by the ids the charts give them."""

import itertools
import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """The SVG as an element tree; fails on anything that is not well-formed inline SVG."""
    assert svg.startswith("<svg"), svg[:60]
    return ET.fromstring(svg)


def title(tree: ET.Element) -> str:
    return tree.find(f"{SVG}title").text


def description(tree: ET.Element) -> str:
    return tree.find(f"{SVG}desc").text


def groups(tree: ET.Element, prefix: str) -> list[ET.Element]:
    return [g for g in tree.iter(f"{SVG}g") if g.get("id", "").startswith(prefix)]


def group(tree: ET.Element, gid: str) -> ET.Element:
    found = [g for g in tree.iter(f"{SVG}g") if g.get("id") == gid]
    assert len(found) == 1, f"{len(found)} groups with id {gid}"
    return found[0]


def texts(tree: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in tree.iter(f"{SVG}text")]


def marker(g: ET.Element) -> ET.Element:
    """The <use> that places a marker (matplotlib draws each marker as one)."""
    return next(g.iter(f"{SVG}use"))


def fill(g: ET.Element) -> str:
    return marker(g).get("fill")


def position(g: ET.Element) -> tuple[float, float]:
    use = marker(g)
    return float(use.get("x")), float(use.get("y"))


def path_points(g: ET.Element) -> list[tuple[float, float]]:
    """Vertices of the first path in a group, in SVG pixels (y grows downwards)."""
    d = next(g.iter(f"{SVG}path")).get("d")
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", d)]
    return list(zip(numbers[::2], numbers[1::2]))


def y_at(points: list[tuple[float, float]], x: float) -> float | None:
    """A polyline's y at x, by linear interpolation; None where it is not drawn.

    matplotlib clips lines to the axes, so a limit that runs off the plot has
    no vertices there.
    """
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x0 <= x <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return None
