"""Synthetic tray photos with exact page corners: the evaluation set for page detection.

Real labelled photos of Indonesian letters and family cards cannot be shipped (they are
personal data), so the tests and ``bench/capture.py`` draw their own: a rendered letter,
family card (KK), ID card or receipt with fake text, put in perspective on a background, then
lit, shaded, smudged and JPEG-compressed like a cheap camera would. Every frame is made from
its seed alone, so a figure measured today can be measured again tomorrow.

Corner convention (shared with the detector): pixel centres sit on integer coordinates, so a
page whose pixels are columns ``0..w-1`` has its left edge at x = -0.5.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.sizes import A4, F4, ID1, DocSize

FloatImage = npt.NDArray[Any]
Image = npt.NDArray[Any]  # what cv2 returns: 8-bit BGR or grey in practice
Quad = npt.NDArray[np.float64]

FRAME_SIZE = (1920, 1080)
PAGE_PX_PER_MM = 3.2  # ~80 dpi: enough for a 1080p frame, cheap to draw

WORDS = (
    "desa",
    "kepala",
    "surat",
    "keterangan",
    "dengan",
    "ini",
    "menerangkan",
    "bahwa",
    "nama",
    "tempat",
    "tanggal",
    "lahir",
    "alamat",
    "dusun",
    "rukun",
    "tetangga",
    "warga",
    "kecamatan",
    "kabupaten",
    "pekerjaan",
    "petani",
    "wiraswasta",
    "agama",
    "islam",
    "kristen",
    "status",
    "perkawinan",
    "kawin",
    "belum",
    "keperluan",
    "pengantar",
    "domisili",
    "usaha",
    "tidak",
    "mampu",
    "demikian",
    "dibuat",
    "untuk",
    "dipergunakan",
    "sebagaimana",
    "mestinya",
    "sekretaris",
    "pemerintah",
    "provinsi",
    "jawa",
    "timur",
    "tengah",
    "barat",
    "nomor",
    "lampiran",
    "perihal",
    "kepada",
    "yth",
    "bapak",
    "ibu",
)


class Kind(enum.StrEnum):
    LETTER = "letter"
    KK = "kk"
    ID_CARD = "id_card"
    RECEIPT = "receipt"
    EMPTY = "empty"


class Scene(enum.StrEnum):
    """What a frame is meant to test; the quality ones each break exactly one check."""

    CLEAN = "clean"
    EMPTY = "empty"
    CUT_OFF = "cut_off"
    BLURRED = "blurred"
    GLARE = "glare"
    TOO_SMALL = "too_small"
    TOO_DARK = "too_dark"


@dataclass(frozen=True)
class Sample:
    """One synthetic photo and its truth."""

    name: str
    jpeg: bytes
    kind: Kind
    scene: Scene
    split: str
    quad: Quad | None  # true corners clockwise from top-left; may leave the frame if cut off
    size: DocSize | None

    def image(self) -> Image:
        decoded = cv2.imdecode(np.frombuffer(self.jpeg, np.uint8), cv2.IMREAD_COLOR)
        assert decoded is not None
        return decoded


@dataclass(frozen=True)
class _Level:
    """How rough a split is: each field bounds one random effect."""

    tilt: float  # camera tilt from straight down, degrees
    rotation: float  # degrees either way
    low_contrast: float  # chance of a light page on a light background
    contrast: tuple[float, float]  # grey-level gap page/background when light-on-light
    shadow: tuple[float, float]
    glare: tuple[float, float]
    fingers: float  # chance of fingers over the edges
    blur: tuple[float, float]
    noise: tuple[float, float]
    jpeg: tuple[int, int]
    tray: tuple[float, float] | None = None  # grey range of the kiosk's matte tray, if any
    stacked: float = 0.0  # chance of blank sheets under the page, slightly turned
    across: float = 0.0  # chance of cables and pens lying across the page's edges
    bright_objects: float = 0.0  # chance of small bright things (USB plugs, caps) around it


LEVELS = {
    "realistic": _Level(
        tilt=12.0, rotation=12.0, low_contrast=0.15, contrast=(25.0, 45.0), shadow=(0.0, 0.35),
        glare=(0.0, 40.0), fingers=0.15, blur=(0.0, 1.0), noise=(1.0, 3.5), jpeg=(75, 95),
    ),
    "hard": _Level(
        tilt=30.0, rotation=40.0, low_contrast=0.35, contrast=(15.0, 30.0), shadow=(0.2, 0.55),
        glare=(30.0, 110.0), fingers=0.6, blur=(0.5, 1.8), noise=(3.0, 7.0), jpeg=(45, 80),
    ),
    # The kiosk's own conditions (docs/capture.md): a plain matte dark-grey tray, diffuse
    # light from two sides, the camera looking straight down from a fixed height.
    "kiosk": _Level(
        tilt=5.0, rotation=25.0, low_contrast=0.0, contrast=(25.0, 45.0), shadow=(0.0, 0.15),
        glare=(0.0, 15.0), fingers=0.3, blur=(0.0, 0.8), noise=(1.0, 3.0), jpeg=(80, 95),
        tray=(45.0, 80.0),
    ),
}
# What real desks do that the first two splits did not (issue 16): light sheets on light
# counters, stacks of paper, things lying across the page's edges, small bright objects.
LEVELS["desk"] = _Level(
    tilt=15.0, rotation=20.0, low_contrast=0.5, contrast=(20.0, 40.0), shadow=(0.0, 0.35),
    glare=(0.0, 40.0), fingers=0.15, blur=(0.0, 1.0), noise=(1.0, 4.0), jpeg=(70, 95),
    stacked=0.4, across=0.6, bright_objects=0.6,
)
SPLIT_SEEDS = {"realistic": 1_000_000, "hard": 2_000_000, "kiosk": 3_000_000, "desk": 4_000_000}


def _words(rng: np.random.Generator, n: int) -> str:
    return " ".join(rng.choice(WORDS, n))


def _text(
    img: Image,
    text: str,
    org: tuple[int, int],
    scale: float,
    thick: int = 1,
    colour: tuple[int, int, int] = (30, 30, 30),
) -> None:
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thick, cv2.LINE_AA)


def _paper(rng: np.random.Generator, w: int, h: int, base: tuple[float, float, float]) -> Image:
    tint = np.array(base) + rng.uniform(-6, 6, 3)
    return np.full((h, w, 3), np.clip(tint, 0, 255), np.uint8)


def _letter(rng: np.random.Generator, size: DocSize) -> Image:
    w, h = round(size.width_mm * PAGE_PX_PER_MM), round(size.height_mm * PAGE_PX_PER_MM)
    page = _paper(rng, w, h, (238, 240, 242))
    m = int(w * 0.1)
    _text(page, "PEMERINTAH KABUPATEN " + _words(rng, 1).upper(), (m + 60, m + 10), 0.6, 2)
    _text(page, "DESA " + _words(rng, 1).upper(), (m + 120, m + 40), 0.7, 2)
    cv2.circle(page, (m + 25, m + 15), 22, (40, 90, 40), 2)
    cv2.line(page, (m, m + 60), (w - m, m + 60), (20, 20, 20), 3)
    _text(page, "SURAT KETERANGAN " + _words(rng, 1).upper(), (m + 120, m + 100), 0.6, 2)
    y = m + 140
    while y < h - m - 160:
        _text(page, _words(rng, int(rng.integers(5, 8))), (m, y), 0.42)
        y += int(rng.integers(20, 30))
    cv2.ellipse(page, (w - m - 90, h - m - 90), (45, 45), 0, 0, 360, (150, 60, 90), 2)
    pts = np.cumsum(rng.normal(0, 6, (12, 2)), axis=0) + np.array([w - m - 110, h - m - 80])
    cv2.polylines(page, [pts.astype(np.int32)], False, (120, 40, 20), 2, cv2.LINE_AA)
    return page


def _kk(rng: np.random.Generator, size: DocSize) -> Image:
    w, h = round(size.height_mm * PAGE_PX_PER_MM), round(size.width_mm * PAGE_PX_PER_MM)
    page = _paper(rng, w, h, (232, 242, 236))
    _text(page, "KARTU KELUARGA", (w // 2 - 110, 60), 0.9, 2)
    _text(page, "No. " + "".join(rng.choice(list("0123456789"), 16)), (w // 2 - 90, 90), 0.55)
    cv2.circle(page, (w // 2, 30), 18, (60, 120, 160), -1)
    for r in range(4):
        _text(page, _words(rng, 3).title(), (40 + (r % 2) * w // 2, 130 + (r // 2) * 22), 0.4)
    top, rows, cols = 190, 10, 8
    bottom = h - 120
    xs = np.linspace(30, w - 30, cols + 1).astype(int)
    ys = np.linspace(top, bottom, rows + 1).astype(int)
    for x in xs:
        cv2.line(page, (int(x), top), (int(x), bottom), (60, 60, 60), 1)
    for y in ys:
        cv2.line(page, (30, int(y)), (w - 30, int(y)), (60, 60, 60), 1)
    for r in range(rows):
        for c in range(cols):
            _text(page, _words(rng, 1)[:10], (int(xs[c]) + 4, int(ys[r]) + 18), 0.35)
    return page


def _id_card(rng: np.random.Generator, size: DocSize) -> Image:
    scale = 3.0  # cards are small: draw them finer
    w, h = (
        round(size.height_mm * PAGE_PX_PER_MM * scale),
        round(size.width_mm * PAGE_PX_PER_MM * scale),
    )
    grad = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
    a, b = np.array([235, 205, 170], np.float32), np.array([245, 230, 210], np.float32)
    page = np.broadcast_to(a + (b - a) * grad, (h, w, 3)).astype(np.uint8).copy()
    _text(page, "PROVINSI " + _words(rng, 1).upper(), (w // 2 - 140, 40), 0.9, 2)
    _text(page, "NIK : " + "".join(rng.choice(list("0123456789"), 16)), (40, 100), 0.9, 2)
    for i in range(8):
        _text(page, _words(rng, 3).title(), (40, 150 + i * 40), 0.7)
    cv2.rectangle(page, (w - 230, 120), (w - 50, 360), (150, 150, 160), -1)
    cv2.circle(page, (w - 140, 200), 45, (90, 110, 140), -1)
    return page


def _receipt(rng: np.random.Generator, size: DocSize) -> Image:
    w, h = round(size.width_mm * PAGE_PX_PER_MM), round(size.height_mm * PAGE_PX_PER_MM)
    page = _paper(rng, w, h, (245, 245, 243))
    y = 30
    while y < h - 30:
        _text(page, _words(rng, 2)[: w // 10], (10, y), 0.35)
        y += 16
    return page


def _rounded_mask(w: int, h: int, radius: int) -> FloatImage:
    mask = np.zeros((h, w), np.uint8)
    cv2.rectangle(mask, (radius, 0), (w - 1 - radius, h - 1), 255, -1)
    cv2.rectangle(mask, (0, radius), (w - 1, h - 1 - radius), 255, -1)
    for cx, cy in (
        (radius, radius),
        (w - 1 - radius, radius),
        (radius, h - 1 - radius),
        (w - 1 - radius, h - 1 - radius),
    ):
        cv2.circle(mask, (cx, cy), radius, 255, -1, cv2.LINE_AA)
    return mask.astype(np.float32) / 255.0


def _smooth_field(rng: np.random.Generator, shape: tuple[int, int], cells: int) -> FloatImage:
    """Low-frequency noise in [0, 1], upsampled from a tiny grid (cheap, smooth)."""
    h, w = shape
    grid = rng.random((cells, cells)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def _background(
    rng: np.random.Generator, level: _Level, light: bool, page_grey: float
) -> tuple[FloatImage, str]:
    """A quarter-size background (upsampled later) and its style name."""
    w, h = FRAME_SIZE[0] // 4, FRAME_SIZE[1] // 4
    if level.tray is not None:
        grey = rng.uniform(*level.tray)
        bg = np.full((h, w, 3), grey, np.float32) + rng.uniform(-3, 3, 3).astype(np.float32)
        bg += (_smooth_field(rng, (h, w), 3)[..., None] - 0.5) * 6
        return bg, "tray"
    if light:
        gap = rng.uniform(*level.contrast)
        grey = page_grey - gap
        tint = np.array([grey, grey, grey]) + rng.uniform(-4, 4, 3)
        bg = np.broadcast_to(tint.astype(np.float32), (h, w, 3)).copy()
        bg += (_smooth_field(rng, (h, w), 4)[..., None] - 0.5) * 8
        return bg, "light"
    style = rng.choice(["plain", "wood", "cluttered"])
    if style == "wood":
        y, x = np.mgrid[0:h, 0:w].astype(np.float32)
        warp = _smooth_field(rng, (h, w), 5) * 25
        rings = np.sin((y + warp + 0.1 * x) * rng.uniform(0.15, 0.35)) * 0.5 + 0.5
        dark = np.array([30, 60, 100], np.float32) * rng.uniform(0.7, 1.3)
        lite = np.array([70, 120, 170], np.float32) * rng.uniform(0.8, 1.2)
        bg = dark + (lite - dark) * rings[..., None]
    else:
        colour = rng.uniform(20, 140, 3).astype(np.float32)
        bg = np.broadcast_to(colour, (h, w, 3)).copy()
        bg += (_smooth_field(rng, (h, w), 3)[..., None] - 0.5) * 30
    if style == "cluttered":
        _clutter(rng, bg)
    return bg, str(style)


def _clutter(rng: np.random.Generator, bg: FloatImage) -> None:
    """Pens, coins, a cable, a phone: things on a real counter that are not documents."""
    h, w = bg.shape[:2]
    for _ in range(int(rng.integers(3, 8))):
        colour = tuple(float(c) for c in rng.uniform(0, 255, 3))
        what = rng.integers(0, 4)
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        if what == 0:  # pen
            ang = rng.uniform(0, np.pi)
            ln = rng.uniform(30, 70)
            p2 = (int(x + ln * np.cos(ang)), int(y + ln * np.sin(ang)))
            cv2.line(bg, (x, y), p2, colour, int(rng.integers(2, 5)), cv2.LINE_AA)
        elif what == 1:  # coin
            cv2.circle(bg, (x, y), int(rng.integers(5, 12)), colour, -1, cv2.LINE_AA)
        elif what == 2:  # cable
            pts = np.cumsum(rng.normal(0, 12, (10, 2)), axis=0) + np.array([x, y])
            cv2.polylines(bg, [pts.astype(np.int32)], False, colour, 2, cv2.LINE_AA)
        else:  # phone: a dark rounded slab
            box = ((x, y), (rng.uniform(30, 45), rng.uniform(60, 90)), rng.uniform(0, 180))
            cv2.fillPoly(bg, [cv2.boxPoints(box).astype(np.int32)], (25, 25, 28), cv2.LINE_AA)


def _place(
    rng: np.random.Generator, level: _Level, page_wh: tuple[int, int], kind: Kind, scene: Scene
) -> Quad:
    """Where the page's corners land in the frame (clockwise from top-left).

    The page lies flat and the camera is tilted: a pinhole camera (square pixels, principal
    point at the centre) rotated by up to ``level.tilt`` degrees, so the perspective is a real
    one and the page's true aspect can be recovered from its corners.
    """
    fw, fh = FRAME_SIZE
    pw, ph = page_wh
    if kind is Kind.ID_CARD:
        frac = rng.uniform(0.3, 0.5)
    elif kind is Kind.RECEIPT:
        frac = rng.uniform(0.6, 0.85)
    else:
        frac = rng.uniform(0.55, 0.85)
    turn = kind is Kind.RECEIPT and rng.random() < 0.5
    bw, bh = (ph, pw) if turn else (pw, ph)
    scale = frac * min(fh / bh, fw / bw)
    if scene is Scene.TOO_SMALL:  # still findable, but its long side spans a fifth of the view
        scale = rng.uniform(0.2, 0.3) * fh / max(pw, ph)
    focal = fw * rng.uniform(0.8, 1.5)
    cam = np.array([[focal, 0, fw / 2], [0, focal, fh / 2], [0, 0, 1]])
    direction = rng.uniform(0, 2 * np.pi)
    axis = np.array([np.cos(direction), np.sin(direction), 0.0])
    rot, _ = cv2.Rodrigues(axis * np.deg2rad(rng.uniform(0, level.tilt)))
    tilt = cam @ rot @ np.linalg.inv(cam)
    untilt = np.linalg.inv(tilt)
    for attempt in range(1000):
        if attempt % 25 == 24:
            scale *= 0.95
        ang = np.deg2rad(rng.uniform(-level.rotation, level.rotation)) + (np.pi / 2 if turn else 0)
        spin = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
        half = np.array([[-pw, -ph], [pw, -ph], [pw, ph], [-pw, ph]], np.float64) / 2 * scale
        target = np.array([[[rng.uniform(0, fw), rng.uniform(0, fh)]]])
        centre = cv2.perspectiveTransform(target, untilt)[0, 0]  # lands on target once tilted
        flat = half @ spin.T + centre
        quad: Quad = cv2.perspectiveTransform(flat.reshape(1, 4, 2), tilt)[0]
        if scene is Scene.CUT_OFF:
            if 0.45 < _share_inside(quad) < 0.85:
                return quad
            continue
        margin = 0.02 * fh
        if (quad.min(axis=0) >= margin).all() and (quad.max(axis=0) <= [fw - margin,
                                                                         fh - margin]).all():
            return quad
    raise RuntimeError("could not place the page")  # pragma: no cover - geometry always fits


def _stack(rng: np.random.Generator, canvas: FloatImage, quad: Quad, page: Image) -> FloatImage:
    """One or two blank sheets under the page, shifted and turned a little (a pile of paper)."""
    fw, fh = FRAME_SIZE
    ph, pw = page.shape[:2]
    b, g, r = (float(c) for c in page[2, 2])  # the page's own paper colour
    blank = _paper(rng, pw, ph, (b, g, r))
    src = np.array([[-0.5, -0.5], [pw - 0.5, -0.5], [pw - 0.5, ph - 0.5], [-0.5, ph - 0.5]],
                   np.float32)
    centre = quad.mean(axis=0)
    size = float(np.linalg.norm(quad[2] - quad[0]))
    for _ in range(int(rng.integers(1, 3))):
        angle = np.deg2rad(rng.uniform(-5, 5))
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        shift = rng.uniform(-0.04, 0.04, 2) * size
        under = (quad - centre) @ rot.T + centre + shift
        hom = cv2.getPerspectiveTransform(src, under.astype(np.float32))
        mask = cv2.warpPerspective(np.ones((ph, pw), np.float32), hom, (fw, fh))
        sheet = cv2.warpPerspective(blank, hom, (fw, fh)).astype(np.float32) * 0.97
        canvas = cv2.blendLinear(canvas, sheet, 1.0 - mask, mask)
    return canvas


def _across(rng: np.random.Generator, canvas: FloatImage, quad: Quad) -> None:
    """A cable or a pen lying across one of the page's sides."""
    for _ in range(int(rng.integers(1, 3))):
        k = int(rng.integers(0, 4))
        a, b = quad[k], quad[(k + 1) % 4]
        at = a + (b - a) * rng.uniform(0.2, 0.8)
        normal = np.array([(b - a)[1], -(b - a)[0]]) / max(float(np.linalg.norm(b - a)), 1.0)
        half = normal * rng.uniform(60, 160) + rng.normal(0, 40, 2)
        if rng.random() < 0.5:  # a dark cable, gently curved
            t = np.linspace(-1, 1, 12)[:, None]
            bend = np.array([-normal[1], normal[0]]) * rng.uniform(-40, 40)
            pts = at + t * half + (1 - t * t) * bend
            cv2.polylines(canvas, [pts.astype(np.int32)], False, (20, 20, 22),
                          int(rng.integers(6, 12)), cv2.LINE_AA)
        else:  # a pen
            colour = tuple(float(c) for c in rng.uniform(0, 255, 3))
            cv2.line(canvas, tuple((at - half).astype(int)), tuple((at + half).astype(int)),
                     colour, int(rng.integers(14, 24)), cv2.LINE_AA)


def _bright_objects(rng: np.random.Generator, canvas: FloatImage) -> None:
    """Small bright things on the counter: a USB plug's shell, a white pen cap, a coin."""
    fh, fw = canvas.shape[:2]
    for _ in range(int(rng.integers(1, 4))):
        centre = (float(rng.uniform(0, fw)), float(rng.uniform(0, fh)))
        box = (centre, (float(rng.uniform(15, 40)), float(rng.uniform(40, 110))),
               float(rng.uniform(0, 180)))
        grey = float(rng.uniform(200, 250))
        cv2.fillPoly(canvas, [cv2.boxPoints(box).astype(np.int32)], (grey, grey, grey),
                     cv2.LINE_AA)


def _share_inside(quad: Quad) -> float:
    fw, fh = FRAME_SIZE
    frame = np.array([[0, 0], [fw, 0], [fw, fh], [0, fh]], np.float32)
    area, _ = cv2.intersectConvexConvex(quad.astype(np.float32), frame)
    return float(area) / float(cv2.contourArea(quad.astype(np.float32)))


def _fingers(rng: np.random.Generator, canvas: FloatImage, quad: Quad) -> None:
    """One or two fingertips over the page's edges, as when a resident holds it flat."""
    short = float(np.hypot(*(np.roll(quad, -1, axis=0) - quad).T).min())
    for _ in range(int(rng.integers(1, 3))):
        side = int(rng.integers(0, 4))
        a, b = quad[side], quad[(side + 1) % 4]
        t = rng.uniform(0.15, 0.85)
        p = a + t * (b - a)
        d = b - a
        normal = np.array([d[1], -d[0]]) / np.linalg.norm(d)  # outward for clockwise corners
        width = max(8.0, short * rng.uniform(0.06, 0.1))
        centre = p + normal * rng.uniform(-0.2, 0.5) * width * 2
        axes = (int(width * 2.2), int(width))
        angle = float(np.degrees(np.arctan2(normal[1], normal[0])))
        skin = np.array([110, 150, 200], np.float64) * rng.uniform(0.6, 1.05)
        cv2.ellipse(canvas, (int(centre[0]), int(centre[1])), axes, angle, 0, 360,
                    tuple(float(c) for c in skin), -1, cv2.LINE_AA)


def render(
    seed: int, split: str = "realistic", scene: Scene = Scene.CLEAN, kind: Kind | None = None
) -> Sample:
    """Draw one photo from its seed alone."""
    rng = np.random.default_rng(seed)
    level = LEVELS[split]
    fw, fh = FRAME_SIZE
    if scene is Scene.EMPTY:
        kind = Kind.EMPTY
    elif kind is None:
        kind = Kind(rng.choice([Kind.LETTER, Kind.LETTER, Kind.KK, Kind.ID_CARD, Kind.RECEIPT]))
    light = kind is not Kind.EMPTY and rng.random() < level.low_contrast
    page_grey = float(rng.uniform(215, 240))
    if kind is Kind.EMPTY:
        light = rng.random() < 0.3
    bg_small, _style = _background(rng, level, light, page_grey)
    canvas: FloatImage = cv2.resize(bg_small, (fw, fh), interpolation=cv2.INTER_LINEAR)

    quad: Quad | None = None
    size: DocSize | None = None
    if kind is not Kind.EMPTY:
        size, page = _draw_page(rng, kind)
        ph, pw = page.shape[:2]
        quad = _place(rng, level, (pw, ph), kind, scene)
        src = np.array(
            [[-0.5, -0.5], [pw - 0.5, -0.5], [pw - 0.5, ph - 0.5], [-0.5, ph - 0.5]], np.float32
        )
        hom = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
        radius = int(3.18 / size.width_mm * ph) if kind is Kind.ID_CARD else 0
        mask = _rounded_mask(pw, ph, radius) if radius else np.ones((ph, pw), np.float32)
        warped_mask = cv2.warpPerspective(mask, hom, (fw, fh), flags=cv2.INTER_LINEAR)
        if light:
            page = np.clip(page.astype(np.float32) * (page_grey / 240.0), 0, 255).astype(np.uint8)
        # Effects only some splits have draw from the generator only there, so the other
        # splits keep drawing exactly the frames they always drew.
        if level.stacked and rng.random() < level.stacked:
            canvas = _stack(rng, canvas, quad, page)
        warped = cv2.warpPerspective(page, hom, (fw, fh), flags=cv2.INTER_LINEAR)
        # A soft contact shadow under the sheet, as on a real counter.
        drop = cv2.GaussianBlur(warped_mask, (0, 0), 6) * rng.uniform(0.0, 0.35)
        canvas *= (1.0 - drop)[..., None]
        canvas = cv2.blendLinear(canvas, warped.astype(np.float32), 1.0 - warped_mask, warped_mask)
        if rng.random() < level.fingers:
            _fingers(rng, canvas, quad)
        if level.across and rng.random() < level.across:
            _across(rng, canvas, quad)
    if level.bright_objects and rng.random() < level.bright_objects:
        _bright_objects(rng, canvas)
    _light(rng, level, canvas, scene, None if quad is None else quad.mean(axis=0))
    image = _camera(rng, level, canvas, scene)
    ok, buf = cv2.imencode(
        ".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(*level.jpeg))]
    )
    assert ok
    return Sample(f"{split}-{scene}-{seed}", buf.tobytes(), kind, scene, split, quad, size)


def _draw_page(rng: np.random.Generator, kind: Kind) -> tuple[DocSize, Image]:
    if kind is Kind.LETTER:
        size = A4 if rng.random() < 0.7 else F4
        return size, _letter(rng, size)
    if kind is Kind.KK:
        return A4, _kk(rng, A4)
    if kind is Kind.ID_CARD:
        return ID1, _id_card(rng, ID1)
    width = float(rng.choice([58.0, 80.0]))
    size = DocSize(f"receipt{int(width)}", width, float(rng.uniform(2.2, 3.5) * width))
    return size, _receipt(rng, size)


def _light(rng: np.random.Generator, level: _Level, canvas: FloatImage, scene: Scene,
           page_centre: npt.NDArray[np.float64] | None) -> None:
    """Uneven light, a shadow and a glare spot, all in place on the float canvas.

    Exposure is set like a camera's auto-exposure would: the brightest lit spot (before any
    specular glare) lands just under clipping.
    """
    fh, fw = canvas.shape[:2]
    sh, sw = fh // 8, fw // 8
    y, x = np.mgrid[0:sh, 0:sw].astype(np.float32)
    gx, gy = rng.uniform(-0.15, 0.15, 2)
    gain = 1.0 + gx * (x / sw - 0.5) * 2 + gy * (y / sh - 0.5) * 2
    gain *= rng.uniform(0.85, 1.02) / gain.max()
    if scene is Scene.TOO_DARK:
        gain *= rng.uniform(0.12, 0.22)
    shade = np.zeros((sh, sw), np.float32)
    strength = rng.uniform(*level.shadow)
    if strength > 0.05:
        side = rng.integers(0, 4)
        cx, cy = [(0, sh / 2), (sw, sh / 2), (sw / 2, 0), (sw / 2, sh)][side]
        pts = np.array([[cx, cy]]) + rng.normal(0, sw / 4, (6, 2))
        cv2.fillPoly(shade, [cv2.convexHull(pts.astype(np.int32))], 1.0)
        shade = cv2.GaussianBlur(shade, (0, 0), rng.uniform(2, 8))
    gain *= 1.0 - strength * shade
    full = cv2.resize(gain, (fw, fh), interpolation=cv2.INTER_LINEAR)
    canvas *= full[..., None]
    amp = rng.uniform(*level.glare)
    radius = rng.uniform(40, 140)
    if scene is Scene.GLARE:
        amp, radius = rng.uniform(200, 320), rng.uniform(70, 130)
    if amp > 5:
        gx2, gy2 = rng.uniform(0.25, 0.75) * fw, rng.uniform(0.25, 0.75) * fh
        if scene is Scene.GLARE and page_centre is not None:
            gx2, gy2 = page_centre + rng.normal(0, 40, 2)
        blob = np.zeros((sh, sw), np.float32)
        yy, xx = y * 8 - gy2, x * 8 - gx2
        blob = np.exp(-(xx**2 + yy**2) / (2 * radius**2)).astype(np.float32)
        # A plateau, not just a peak: a specular spot clips over an area.
        blob = np.clip(blob * 1.6, 0, 1)
        canvas += cv2.resize(blob, (fw, fh), interpolation=cv2.INTER_LINEAR)[..., None] * amp


def _camera(rng: np.random.Generator, level: _Level, canvas: FloatImage, scene: Scene) -> Image:
    """Lens blur and sensor noise, then clipping to 8 bits."""
    sigma = rng.uniform(*level.blur)
    if scene is Scene.BLURRED:
        sigma = rng.uniform(3.5, 6.0)
    if sigma > 0.3:
        canvas = cv2.GaussianBlur(canvas, (0, 0), sigma)
    noise: FloatImage = np.empty(canvas.shape[:2], np.float32)
    cv2.setRNGSeed(int(rng.integers(0, 2**31)))  # cv2's generator is ~10x faster than numpy's
    cv2.randn(noise, np.zeros(1), np.full(1, rng.uniform(*level.noise)))
    canvas = cv2.add(canvas, cv2.merge([noise, noise, noise]))
    return np.clip(canvas, 0, 255).astype(np.uint8)


def generate(split: str, scene: Scene, count: int, seed: int = 0) -> Iterator[Sample]:
    """``count`` frames of one split and scene; seeds are spaced so sets never overlap."""
    base = SPLIT_SEEDS[split] + list(Scene).index(scene) * 10_000
    for i in range(count):
        yield render(base + seed * 1000 + i, split, scene)
