"""The demo's drawn signatures: handwriting-like pen strokes as the signing canvas would send them
(PNG, and the data URL the browser posts); the same seed draws the same signature."""

import base64
import functools
import hashlib
import io
import random

from PIL import Image, ImageDraw


@functools.lru_cache(maxsize=64)
def demo_signature_data_url(*, seed: str, characters: int = 3) -> str:
    """A handwriting-like signature as the signing canvas would send it (PNG data URL)."""
    return (
        "data:image/png;base64,"
        + base64.b64encode(demo_signature_png(seed=seed, characters=characters)).decode()
    )


def demo_signature_png(*, seed: str, characters: int = 3, width: int = 400, height: int = 150) -> bytes:
    """Cursive pen strokes in dark ink on a transparent background; the same seed draws the same signature."""
    rng = random.Random(hashlib.sha256(seed.encode()).digest())
    scale = 3  # draw large, then scale down: smooth, anti-aliased strokes
    image = Image.new("RGBA", (width * scale, height * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ink = (22, 30, 68, 255)
    cell = min(105.0, (width - 80) / max(characters, 1))
    x, slant = 40.0, 0.22
    for _ in range(max(characters, 1)):
        top, bottom = rng.uniform(22, 34), rng.uniform(100, 115)
        left, right = x, x + cell * rng.uniform(0.8, 0.95)
        for _ in range(rng.randint(2, 3)):  # pen-down paths in one character, running script
            px, py = rng.uniform(left, right), rng.uniform(top, bottom)
            waypoints = []
            for _ in range(rng.randint(4, 7)):
                px, py = _pen_move(rng, px, py, left=left, right=right, top=top, bottom=bottom)
                waypoints.append((px, py))
            path = [((wx + (125 - wy) * slant) * scale, wy * scale) for wx, wy in _spline(waypoints)]
            draw.line(path, fill=ink, width=int(rng.uniform(2.4, 3.4) * scale), joint="curve")
        x = right + cell * 0.08
    start, end = rng.uniform(30, 60), min(x + 20, width - 15)
    flourish = _spline(
        [
            (start, 128),
            ((start + end) / 2, rng.uniform(132, 140)),
            (end, rng.uniform(110, 120)),
            (end - 15, 104),
        ]
    )
    draw.line(
        [(fx * scale, fy * scale) for fx, fy in flourish], fill=ink, width=int(2.2 * scale), joint="curve"
    )
    image = image.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _pen_move(rng: random.Random, px: float, py: float, *, left, right, top, bottom) -> tuple[float, float]:
    """One stroke of a Chinese character: 横, 竖, 撇, 捺, or a jump to the next stroke."""
    move = rng.choice(("heng", "shu", "pie", "na", "jump"))
    if move == "heng":
        px, py = px + rng.uniform(20, 45), py + rng.uniform(-6, 4)
    elif move == "shu":
        px, py = px + rng.uniform(-5, 5), py + rng.uniform(20, 45)
    elif move == "pie":
        px, py = px - rng.uniform(15, 30), py + rng.uniform(15, 35)
    elif move == "na":
        px, py = px + rng.uniform(15, 30), py + rng.uniform(15, 30)
    else:
        px, py = rng.uniform(left, right), rng.uniform(top, bottom)
    return min(max(px, left - 8), right + 8), min(max(py, top), bottom)


def _spline(points: list[tuple[float, float]], steps: int = 12) -> list[tuple[float, float]]:
    """A Catmull-Rom curve through the waypoints: the smooth path of a pen."""
    padded = [points[0], *points, points[-1]]
    curve = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        for step in range(steps):
            t = step / steps
            curve.append(
                tuple(
                    0.5
                    * (
                        2 * p1[k]
                        + (p2[k] - p0[k]) * t
                        + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t * t
                        + (3 * p1[k] - p0[k] - 3 * p2[k] + p3[k]) * t * t * t
                    )
                    for k in (0, 1)
                )
            )
    curve.append(points[-1])
    return curve
