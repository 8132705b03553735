"""Synthetic ID-style portrait photos for the demo school's candidates.

``render_portrait`` draws a cartoonish but photo-like head-and-shoulders
portrait (shaded skin-toned head, hair, eyebrows, eyes, nose, mouth, neck and
clothing) on a near-white background and returns JPEG bytes.  The output is
made to satisfy the candidate-photo checks used elsewhere in examsys:

* JPEG, 50-200 KB (subtle grain is added and the quality is tuned so the file
  lands in 60-190 KB);
* 2-inch portrait aspect (413x579 px by default);
* light, uniform background;
* exactly one face found by OpenCV's frontal-face Haar cascade.

Everything is deterministic for a given seed.
"""

from __future__ import annotations

import io
import math
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

__all__ = ["render_portrait"]

_SS = 2  # supersampling factor for anti-aliased shapes

_SKIN_TONES = (
    (238, 205, 180),
    (232, 196, 166),
    (226, 188, 158),
    (220, 180, 148),
    (212, 170, 138),
    (240, 210, 188),
    (228, 192, 160),
    (205, 160, 128),
)
_HAIR_COLOURS = (
    (22, 18, 16),
    (30, 24, 20),
    (40, 30, 24),
    (52, 38, 28),
    (18, 16, 18),
    (62, 44, 32),
)
_CLOTHING_COLOURS = (
    (28, 36, 60),  # navy
    (30, 30, 34),  # black
    (70, 74, 82),  # charcoal
    (40, 60, 110),  # blue
    (110, 30, 36),  # maroon
    (52, 70, 56),  # dark green
    (90, 90, 96),  # grey
)
_SHIRT_COLOURS = (
    (246, 246, 246),
    (226, 234, 246),
    (240, 240, 232),
)

# Std-dev of the luminance grain (0-255 scale) on skin and on hair/clothing.
_GRAIN_SKIN = 4.5
_GRAIN_DARK = 9.0
_MIN_KB = 60
_MAX_KB = 190


def _shade(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, round(c * factor))) for c in colour)  # type: ignore[return-value]


def _jitter(rng: random.Random, colour: tuple[int, int, int], amount: int) -> tuple[int, int, int]:
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)  # type: ignore[return-value]


def _ellipse(draw: ImageDraw.ImageDraw, cx: float, cy: float, rx: float, ry: float, fill) -> None:
    s = _SS
    draw.ellipse(((cx - rx) * s, (cy - ry) * s, (cx + rx) * s, (cy + ry) * s), fill=fill)


def _polygon(draw: ImageDraw.ImageDraw, points, fill) -> None:
    s = _SS
    draw.polygon([(x * s, y * s) for x, y in points], fill=fill)


class _ChannelDraw:
    """Paints ``fill`` into one channel of an RGB mask, clearing the others.

    The last shape painted wins, exactly as on the picture itself.
    """

    def __init__(self, img: Image.Image, channel: int) -> None:
        self._draw = ImageDraw.Draw(img)
        self._channel = channel

    def _rgb(self, value: int) -> tuple[int, int, int]:
        rgb = [0, 0, 0]
        rgb[self._channel] = value
        return tuple(rgb)  # type: ignore[return-value]

    def polygon(self, points, fill: int) -> None:
        self._draw.polygon(points, fill=self._rgb(fill))

    def ellipse(self, box, fill: int) -> None:
        self._draw.ellipse(box, fill=self._rgb(fill))


def _face_outline(cx: float, cy: float, a: float, b: float, jaw: float) -> list[tuple[float, float]]:
    """Egg-shaped face: round forehead, cheeks tapering to a narrower chin."""
    pts = []
    for i in range(72):
        t = 2 * math.pi * i / 72
        ux, uy = math.cos(t), math.sin(t)  # uy > 0 is the lower half
        taper = 1.0 - jaw * max(0.0, uy) ** 2.2
        pts.append((cx + a * ux * taper, cy + b * uy))
    return pts


def _draw_base(img: Image.Image, masks: Image.Image, w: int, h: int, p: dict) -> None:
    """Background shapes: hair mass, clothes, neck, ears, face and fringe.

    ``masks`` is an RGB image whose red channel receives the face/ear skin and
    whose green channel receives the neck; both drive shading later.
    """
    d = ImageDraw.Draw(img)
    md = _ChannelDraw(masks, 0)
    nd = _ChannelDraw(masks, 1)
    cx, cy, a, b = p["cx"], p["cy"], p["a"], p["b"]
    skin, hair, cloth, shirt = p["skin"], p["hair"], p["cloth"], p["shirt"]
    sh_top = cy + b * 1.3  # where the neck meets the shoulders
    neck_w = a * 0.6

    # Long hair falls behind the shoulders.
    if p["long_hair"]:
        hw = a * 1.22
        drop = cy + b * p["hair_len"]
        _polygon(
            d,
            [
                (cx - hw, cy - b * 0.3),
                (cx + hw, cy - b * 0.3),
                (cx + hw + a * 0.1, drop),
                (cx + a * 0.7, drop + b * 0.06),
                (cx - a * 0.7, drop + b * 0.06),
                (cx - hw - a * 0.1, drop),
            ],
            hair,
        )

    # Neck (the shadow under the jaw is added later by _neck_shading).
    neck = [
        (cx - neck_w, cy + b * 0.5),
        (cx + neck_w, cy + b * 0.5),
        (cx + neck_w * 1.08, sh_top + b * 0.15),
        (cx - neck_w * 1.08, sh_top + b * 0.15),
    ]
    _polygon(d, neck, _shade(skin, 0.9))
    _polygon(nd, neck, 255)

    # Shoulders / torso: sloping trapezius, rounded deltoids, off the bottom.
    sw = w * 0.5
    torso = [
        (cx - neck_w * 1.25, sh_top),
        (cx + neck_w * 1.25, sh_top),
        (cx + sw * 0.62, sh_top + h * 0.035),
        (cx + sw * 0.86, sh_top + h * 0.075),
        (cx + sw * 1.02, sh_top + h * 0.16),
        (cx + sw * 1.1, h * 1.05),
        (cx - sw * 1.1, h * 1.05),
        (cx - sw * 1.02, sh_top + h * 0.16),
        (cx - sw * 0.86, sh_top + h * 0.075),
        (cx - sw * 0.62, sh_top + h * 0.035),
    ]
    _polygon(d, torso, cloth)
    # Shirt collar: two white flaps and the V opening showing the neck.
    for side in (-1, 1):
        _polygon(
            d,
            [
                (cx + side * neck_w * 1.3, sh_top - b * 0.03),
                (cx + side * neck_w * 0.2, sh_top + b * 0.5),
                (cx, sh_top + b * 0.56),
                (cx + side * neck_w * 0.55, sh_top + b * 0.02),
            ],
            shirt,
        )
    vee = [
        (cx - neck_w * 1.02, sh_top - b * 0.02),
        (cx + neck_w * 1.02, sh_top - b * 0.02),
        (cx, sh_top + b * 0.42),
    ]
    _polygon(d, vee, _shade(skin, 0.9))
    _polygon(nd, vee, 255)

    # Hair cap behind the head.
    _ellipse(d, cx, cy - b * 0.22, a * 1.1, b * 0.95, hair)
    # Ears (drawn over the cap; long hair covers them again below).
    for side in (-1, 1):
        ear = (cx + side * a * 0.95, cy + b * 0.05, a * 0.14, b * 0.17)
        _ellipse(d, *ear, _shade(skin, 0.93))
        _ellipse(md, *ear, 255)
        _ellipse(d, ear[0] + side * a * 0.02, ear[1], a * 0.06, b * 0.09, _shade(skin, 0.8))
    # Face.
    face = _face_outline(cx, cy, a, b, p["jaw"])
    _polygon(d, face, skin)
    _polygon(md, face, 255)
    # Hair over the forehead: crown arc plus a hairline curve.
    crown = []
    for i in range(25):
        t = math.pi * (0.96 + 1.08 * i / 24)
        crown.append((cx + a * 1.1 * math.cos(t), cy - b * 0.22 + b * 0.95 * math.sin(t)))
    line = _HAIRLINES[p["part"]]
    hairline = [(cx + a * u, cy + b * v) for u, v in line]
    fringe = crown + hairline
    _polygon(d, fringe, hair)
    _polygon(md, fringe, 0)
    # A few lighter strands for texture.
    strand = _shade(hair, 1.3)
    s = _SS
    for i in range(p["strands"]):
        u = -0.8 + 1.6 * i / max(1, p["strands"] - 1)
        x0, y0 = cx + a * u * 0.55, cy - b * 1.08
        x1, y1 = cx + a * u * 0.95, cy - b * 0.68
        d.line((x0 * s, y0 * s, x1 * s, y1 * s), fill=strand, width=s)
    if p["long_hair"]:
        for side in (-1, 1):
            lock = [
                (cx + side * a * 0.93, cy - b * 0.45),
                (cx + side * a * 1.2, cy - b * 0.2),
                (cx + side * a * 1.18, cy + b * 0.6),
                (cx + side * a * 0.98, cy + b * 0.4),
                (cx + side * a * 0.96, cy - b * 0.1),
            ]
            _polygon(d, lock, hair)
            _polygon(md, lock, 0)


# Hairline curves (right temple to left temple) in face-relative units.
_HAIRLINES = {
    "centre": [
        (1.08, -0.1),
        (0.95, -0.38),
        (0.6, -0.56),
        (0.22, -0.62),
        (0.0, -0.68),
        (-0.22, -0.62),
        (-0.6, -0.56),
        (-0.95, -0.38),
        (-1.08, -0.1),
    ],
    "side": [
        (1.08, -0.1),
        (0.96, -0.34),
        (0.7, -0.48),
        (0.3, -0.56),
        (-0.1, -0.63),
        (-0.45, -0.7),
        (-0.55, -0.64),
        (-0.92, -0.42),
        (-1.08, -0.1),
    ],
    "short": [
        (1.08, -0.12),
        (0.96, -0.4),
        (0.8, -0.6),
        (0.4, -0.64),
        (0.0, -0.66),
        (-0.4, -0.64),
        (-0.8, -0.6),
        (-0.96, -0.4),
        (-1.08, -0.12),
    ],
}


def _draw_features(img: Image.Image, p: dict) -> None:
    d = ImageDraw.Draw(img)
    cx, cy, a, b = p["cx"], p["cy"], p["a"], p["b"]
    skin, hair = p["skin"], p["hair"]
    brow = _shade(hair, 1.1)
    ey = cy - b * 0.1
    ex = a * 0.4
    s = _SS
    for side in (-1, 1):
        x = cx + side * ex
        # Eyebrow: a thick slanted bar.
        bx0, bx1 = x - a * 0.24, x + a * 0.24
        by = ey - b * 0.17
        inner, outer = (bx1, bx0) if side < 0 else (bx0, bx1)
        _polygon(
            d,
            [
                (inner, by + b * 0.015),
                (inner, by - b * 0.035),
                ((bx0 + bx1) / 2, by - b * 0.05),
                (outer, by - b * 0.02),
                (outer, by + b * 0.01),
                ((bx0 + bx1) / 2, by - b * 0.01),
            ],
            brow,
        )
        # Eye socket shadow.
        _ellipse(d, x, ey - b * 0.01, a * 0.25, b * 0.075, _shade(skin, 0.82))
        # Sclera, iris, pupil, highlight.
        _ellipse(d, x, ey, a * 0.19, b * 0.045, (238, 236, 232))
        _ellipse(d, x, ey, a * 0.085, b * 0.045, p["iris"])
        _ellipse(d, x, ey, a * 0.045, b * 0.03, (12, 10, 10))
        _ellipse(d, x + a * 0.025, ey - b * 0.015, a * 0.015, a * 0.015, (245, 245, 245))
        # Upper lid line.
        d.arc(
            (
                (x - a * 0.2) * s,
                (ey - b * 0.05) * s,
                (x + a * 0.2) * s,
                (ey + b * 0.05) * s,
            ),
            195,
            345,
            fill=(30, 22, 20),
            width=max(2, round(a * 0.03 * s)),
        )
    # Nose: side shadows, tip and nostrils.
    ny = cy + b * 0.3
    nose_shadow = _shade(skin, 0.94)
    for side in (-1, 1):
        _polygon(
            d,
            [
                (cx + side * a * 0.07, ey + b * 0.06),
                (cx + side * a * 0.05, ey + b * 0.06),
                (cx + side * a * 0.08, ny - b * 0.03),
                (cx + side * a * 0.12, ny - b * 0.01),
            ],
            nose_shadow,
        )
    _ellipse(d, cx, ny + b * 0.005, a * 0.19, b * 0.055, _shade(skin, 0.93))
    _ellipse(d, cx, ny - b * 0.01, a * 0.09, b * 0.045, _shade(skin, 1.03))
    for side in (-1, 1):
        _ellipse(
            d,
            cx + side * a * 0.075,
            ny + b * 0.03,
            a * 0.045,
            b * 0.018,
            _shade(skin, 0.66),
        )
    # Mouth.
    my = cy + b * 0.55
    mw = a * p["mouth_w"]
    lip = p["lip"]
    _ellipse(d, cx, my + b * 0.03, mw * 0.82, b * 0.05, lip)
    _polygon(
        d,
        [
            (cx - mw, my),
            (cx - mw * 0.3, my - b * 0.05),
            (cx, my - b * 0.035),
            (cx + mw * 0.3, my - b * 0.05),
            (cx + mw, my),
        ],
        _shade(lip, 0.9),
    )
    d.line(
        ((cx - mw) * s, my * s, cx * s, (my + b * 0.008) * s, (cx + mw) * s, my * s),
        fill=_shade(lip, 0.62),
        width=max(2, round(b * 0.012 * s)),
    )
    # Soft chin shadow beneath the lower lip.
    _ellipse(d, cx, my + b * 0.17, mw * 0.5, b * 0.03, _shade(skin, 0.97))


def _params(rng: random.Random, gender: str, w: int, h: int) -> dict:
    a = w * rng.uniform(0.235, 0.262)  # face half-width
    b = a * rng.uniform(1.3, 1.42)  # face half-height
    return {
        "bg": _jitter(rng, (248, 248, 248), 2),
        "cx": w / 2 + rng.uniform(-0.02, 0.02) * w,
        "cy": h * rng.uniform(0.39, 0.42),
        "a": a,
        "b": b,
        "jaw": rng.uniform(0.18, 0.3) if gender == "F" else rng.uniform(0.12, 0.24),
        "skin": _jitter(rng, rng.choice(_SKIN_TONES), 6),
        "hair": _jitter(rng, rng.choice(_HAIR_COLOURS), 4),
        "cloth": _jitter(rng, rng.choice(_CLOTHING_COLOURS), 8),
        "shirt": rng.choice(_SHIRT_COLOURS),
        "iris": _jitter(rng, (58, 40, 30), 10),
        "lip": _jitter(rng, (190, 110, 104) if gender == "F" else (176, 112, 100), 8),
        "mouth_w": rng.uniform(0.3, 0.38),
        "long_hair": gender == "F" and rng.random() < 0.8,
        "hair_len": rng.uniform(1.2, 1.6),
        "part": rng.choice(("side", "centre") if gender == "F" else ("side", "short", "short")),
        "strands": rng.randint(5, 11),
        "light": rng.uniform(-0.05, 0.05),
    }


def _skin_shading(p: dict, w: int, h: int) -> np.ndarray:
    """Multiplicative luminance map for skin: rounded face, soft side light."""
    ys, xs = np.ogrid[0:h, 0:w]
    dx = (xs.astype(np.float32) - p["cx"]) / p["a"]
    dy = (ys.astype(np.float32) - p["cy"]) / p["b"]
    r2 = dx * dx + dy * dy
    shade = 1.04 - 0.2 * np.clip(r2, 0, 1.0) ** 1.6
    shade = shade + p["light"] * np.clip(dx, -1.2, 1.2)
    return np.clip(shade, 0.8, 1.06).astype(np.float32)


def _neck_shading(p: dict, h: int) -> np.ndarray:
    """Column of factors: the neck is darkest under the jaw, lighter below."""
    ys = np.arange(h, dtype=np.float32)[:, None]
    top = p["cy"] + p["b"] * 0.8
    t = np.clip((ys - top) / (p["b"] * 0.75), 0.0, 1.0)
    return (0.8 + 0.14 * t).astype(np.float32)


def _encode(arr: np.ndarray) -> bytes:
    img = Image.fromarray(arr, "RGB")
    quality = 94
    data = b""
    for _ in range(8):
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality, subsampling=0)
        data = buf.getvalue()
        kb = len(data) / 1024
        if kb > _MAX_KB and quality > 40:
            quality -= 6
        elif kb < _MIN_KB and quality < 98:
            quality += 2
        else:
            break
    return data


def render_portrait(seed: int, gender: str = "M", size: tuple[int, int] = (413, 579)) -> bytes:
    """Return JPEG bytes of a synthetic ID-style portrait for ``seed``.

    ``gender`` ("M"/"F") only changes hairstyle and small details; the same
    ``(seed, gender, size)`` always yields the same bytes.
    """
    if gender not in ("M", "F"):
        raise ValueError("gender must be 'M' or 'F'")
    w, h = size
    if w < 64 or h < 64:
        raise ValueError("size must be at least 64x64 pixels")
    # A string seed is hashed with SHA-512 by ``random``: stable across runs
    # and processes, and negative seeds do not alias positive ones.
    rng = random.Random(f"examsys-portrait:{seed}:{gender}")
    p = _params(rng, gender, w, h)
    nrng = np.random.default_rng(rng.getrandbits(64))

    big = Image.new("RGB", (w * _SS, h * _SS), p["bg"])
    big_masks = Image.new("RGB", (w * _SS, h * _SS), (0, 0, 0))
    _draw_base(big, big_masks, w, h, p)
    _draw_features(big, p)
    # BoxBlur is several times faster than GaussianBlur at these radii.
    img = big.reduce(_SS).filter(ImageFilter.BoxBlur(0.6))
    masks = big_masks.reduce(_SS).filter(ImageFilter.BoxBlur(2))

    arr = np.asarray(img, dtype=np.float32)
    mk = np.asarray(masks, dtype=np.float32) / 255.0
    factor = 1.0 + mk[:, :, 0] * (_skin_shading(p, w, h) - 1.0)
    factor += mk[:, :, 1] * (_neck_shading(p, h) - 1.0)
    arr *= factor[:, :, None]

    # Photographic grain on the subject only, heavier in the darker hair and
    # clothing than on the skin, as with a real sensor.  The backdrop stays
    # smooth: the face check equalises the histogram, which would blow faint
    # backdrop noise up into strong texture.
    skin = np.minimum(mk[:, :, 0] + mk[:, :, 1], 1.0)
    subject = np.abs(arr[:, :, 1] - float(p["bg"][1])) > 4
    amp = subject * (_GRAIN_DARK - (_GRAIN_DARK - _GRAIN_SKIN) * skin)
    grain = nrng.standard_normal((h, w), dtype=np.float32) * amp
    arr += grain[:, :, None]
    arr += nrng.integers(-2, 3, (h, w, 3), dtype=np.int8) * subject[:, :, None]
    # Gentle vertical light falloff over the whole frame.
    arr *= np.linspace(1.0, 0.985, h, dtype=np.float32)[:, None, None]
    out = np.clip(arr, 0, 255).astype(np.uint8)
    return _encode(out)
