"""Candidate ID photos: upload checks, document copies and bulk (zip) uploads.

Pure functions over bytes: no Flask request, no database.

* :func:`check_photo` applies every rule of the certification centre's photo
  standard (JPEG, file size, 2-inch/1-inch aspect, light uniform background,
  exactly one frontal face) and returns *all* failures at once as Simplified
  Chinese sentences that say what is wrong, with numbers.
* :func:`normalise` makes the JPEG copies printed on documents (record form,
  admission ticket, certificate).
* :func:`parse_photo_filename` and :func:`photos_from_zip` read a bulk upload
  whose files are named ``姓名-证件号码.jpg``, including zips made on Chinese
  Windows (GBK names without the UTF-8 flag), and refuse zip bombs.

Reasons are ``lazy_gettext`` msgids rendered to ``str`` when the check runs, so they
come out in the active locale inside a request and in Chinese outside one.
"""

from __future__ import annotations

import functools
import io
import math
import re
import struct
import threading
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field

import cv2
import numpy as np
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps

from examsys.core.ids import DocumentType, IdDocumentError, normalize_number, validate_document

__all__ = [
    "DOCUMENT_SIZES",
    "PhotoCheck",
    "PhotoError",
    "ZipPhoto",
    "check_photo",
    "normalise",
    "parse_photo_filename",
    "photos_from_zip",
]

# --- the standard ------------------------------------------------------------------------

#: Accepted print sizes in millimetres (width, height): 2-inch and 1-inch photos.
TWO_INCH_MM = (35, 49)
ONE_INCH_MM = (25, 35)
ASPECT_TOLERANCE = 0.04  # absolute, on width / height

#: Background: the top strip and the side strips (down to SIDES_DOWN_TO of the height,
#: because shoulders reach the sides lower down) must be light and uniform.
BORDER_FRACTION = 0.08
SIDES_DOWN_TO = 0.70
LIGHT_LEVEL = 200  # a pixel is light when all of R, G, B are at least this
LIGHT_SHARE_MIN = 0.90
BORDER_STD_MAX = 25.0  # grey-level standard deviation of all border pixels

#: Face detection (OpenCV frontal-face Haar cascade, on the plain grayscale image).
CASCADE_FILE = "haarcascade_frontalface_default.xml"
FACE_SCALE_FACTOR = 1.1
FACE_MIN_NEIGHBORS = 5
FACE_MIN_WIDTH = 0.20  # smallest face, as a fraction of the image width

#: Images are analysed at most this wide/high (scale-free rules, faster on large files).
ANALYSIS_MAX_SIDE = 1000
#: Larger images are not decoded at all (decompression bombs).
MAX_PIXELS = 40_000_000

#: Document copies made by :func:`normalise`: (width, height) in pixels at 300 dpi.
DOCUMENT_SIZES: dict[str, tuple[int, int]] = {
    "record": (413, 579),  # 2-inch, 35×49 mm
    "ticket": (295, 413),  # 1-inch, 25×35 mm
    "certificate": (295, 413),  # 1-inch
}
OUTPUT_QUALITY = 90
OUTPUT_DPI = 300

# Bulk uploads: 姓名-证件号码.jpg, also with "_", full-width and typographic hyphens.
_SEPARATORS = "-_\uff0d\uff3f\u2010\u2011\u2012\u2013\u2014\u2212"
_FILENAME_RE = re.compile(rf"(?P<name>.+)[{_SEPARATORS}](?P<number>[^{_SEPARATORS}]+)", re.DOTALL)
_PHOTO_EXTENSIONS = frozenset({"jpg", "jpeg"})
_NUMBER_RE = re.compile(r"[A-Z0-9]+(\([A-Z0-9]\))?")
_NAME_MAX_LENGTH = 60
_ZIP_JUNK_NAMES = frozenset({"thumbs.db", "desktop.ini"})
_ZIP_UTF8_FLAG = 0x800
_ZIP_UNICODE_PATH_EXTRA = 0x7075  # Info-ZIP Unicode Path extra field
_ZIP_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})

_MB = 1024 * 1024


class PhotoError(ValueError):
    """A photo cannot be processed; ``code`` is "unreadable" or "too_many_pixels" and
    ``message`` is Chinese text for the user."""

    def __init__(self, code: str, message) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = str(message)


@dataclass
class PhotoCheck:
    """Result of :func:`check_photo`. ``reasons`` lists every failed rule.

    ``width``/``height`` are as displayed (after the EXIF orientation), ``None`` when the
    file cannot be read; ``faces`` is ``None`` when the face check did not run.
    """

    ok: bool
    reasons: list[str]
    width: int | None
    height: int | None
    size_bytes: int
    faces: int | None


@dataclass(frozen=True)
class ZipPhoto:
    """One photo from a bulk upload, matched to a person by its file name."""

    filename: str  # the entry's path inside the archive, decoded
    person_name: str
    id_number: str  # normalised
    data: bytes = field(repr=False)


# --- reading images ---------------------------------------------------------------------


class _Source(io.BytesIO):
    """The file given to Pillow; notes a read that found no data left.

    A complete image is decoded before its data runs out, so a read at the end means a
    truncated file. Pillow reports truncation itself only while the process-wide
    ``ImageFile.LOAD_TRUNCATED_IMAGES`` is off, and libraries (WeasyPrint, for one)
    switch it on at import time; this check does not depend on it.
    """

    ran_dry = False

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = super().read(size)
        if not chunk and size != 0:
            self.ran_dry = True
        return chunk


def _open(data: bytes) -> tuple[Image.Image, _Source]:
    """Open (header only). Raises PhotoError when the bytes are not a readable image."""
    source = _Source(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(source)
    except Exception:  # Pillow raises many types on malformed input
        raise PhotoError("unreadable", _l("无法读取图片")) from None
    source.ran_dry = False  # header parsers may probe past the end; pixel data may not
    return img, source


def _is_jpeg(data: bytes, img: Image.Image) -> bool:
    # Phones save "MPO" (multi-picture JPEG); it is a JPEG file for every reader.
    return data[:3] == b"\xff\xd8\xff" and img.format in ("JPEG", "MPO")


def _displayed_size(img: Image.Image) -> tuple[int, int]:
    w, h = img.size
    try:
        orientation = img.getexif().get(0x0112, 1)
    except Exception:
        orientation = 1
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)


def _decode(img: Image.Image, source: _Source, min_side: int) -> Image.Image:
    """Load, apply the EXIF orientation; JPEGs may be decoded at a reduced DCT scale.

    ``min_side``: the decoded image keeps both sides at least this long (when the
    original has them). Raises PhotoError when the pixel data is unreadable.
    """
    w, h = img.size
    if w * h > MAX_PIXELS:
        raise PhotoError("too_many_pixels", _l("图片像素过多（%(w)d×%(h)d），无法处理", w=w, h=h))
    try:
        if img.format in ("JPEG", "MPO") and min(w, h) >= 2 * min_side:
            img.draft(img.mode if img.mode in ("RGB", "L") else None, (min_side, min_side))
        img.load()
        if source.ran_dry:
            raise PhotoError("unreadable", _l("无法读取图片"))
        return ImageOps.exif_transpose(img)
    except PhotoError:
        raise
    except Exception:
        raise PhotoError("unreadable", _l("无法读取图片")) from None


def _to_srgb(img: Image.Image) -> Image.Image:
    """RGB pixels in sRGB; an embedded ICC profile is applied, transparency goes white."""
    icc = img.info.get("icc_profile")
    if icc and img.mode in ("RGB", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(img, source, _srgb_profile(), outputMode="RGB")
            if converted is not None:
                img = converted
        except Exception:  # a broken profile: fall back to the plain conversion
            pass
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return img.convert("RGB")


@functools.cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


# --- the checks -------------------------------------------------------------------------


def _num(value: float, bound: float, decimals: int = 0) -> str:
    """``value`` rounded for display, with one more decimal when rounding would make
    a failing value look equal to its bound (e.g. 200.4 KB against a 200 KB limit)."""
    text = f"{value:.{decimals}f}"
    while float(text) == bound and value != bound and decimals < 3:
        decimals += 1
        text = f"{value:.{decimals}f}"
    return text


def _check_size(size: int, min_kb: float, max_kb: float) -> str | None:
    if min_kb * 1024 <= size <= max_kb * 1024:
        return None
    kb = size / 1024
    shown = _num(kb, min_kb if kb < min_kb else max_kb)
    return str(_l("文件大小为 %(kb)s KB，应在 %(min)s–%(max)s KB 之间", kb=shown, min=f"{min_kb:g}", max=f"{max_kb:g}"))


def _check_aspect(width: int, height: int) -> str | None:
    ratio = width / height
    targets = [w / h for w, h in (TWO_INCH_MM, ONE_INCH_MM)]
    if any(abs(ratio - t) <= ASPECT_TOLERANCE for t in targets):
        return None
    return str(
        _l(
            "宽高比为 %(ratio).2f，应接近 2 寸照片的 %(two).2f（%(two_mm)s mm）或 1 寸照片的 %(one).2f（%(one_mm)s mm）",
            ratio=ratio,
            two=targets[0],
            two_mm="{}×{}".format(*TWO_INCH_MM),
            one=targets[1],
            one_mm="{}×{}".format(*ONE_INCH_MM),
        )
    )


def _border(rgb: np.ndarray) -> np.ndarray:
    """The border pixels (N×3): top strip plus left/right strips down to SIDES_DOWN_TO."""
    h, w = rgb.shape[:2]
    bh = max(1, round(h * BORDER_FRACTION))
    bw = max(1, round(w * BORDER_FRACTION))
    down_to = max(bh, round(h * SIDES_DOWN_TO))
    return np.concatenate(
        [
            rgb[:bh].reshape(-1, 3),
            rgb[bh:down_to, :bw].reshape(-1, 3),
            rgb[bh:down_to, w - bw :].reshape(-1, 3),
        ]
    )


def background_stats(rgb: np.ndarray) -> tuple[float, float]:
    """(share of light border pixels, grey-level standard deviation of the border)."""
    band = _border(rgb)
    share = float((band >= LIGHT_LEVEL).all(axis=1).mean())
    grey = cv2.cvtColor(band.reshape(1, -1, 3), cv2.COLOR_RGB2GRAY)
    return share, float(grey.std())


def _check_background(rgb: np.ndarray) -> str | None:
    share, std = background_stats(rgb)
    problems = []
    if share < LIGHT_SHARE_MIN:
        # Floor the percentage so a failing 89.6 % never shows as "90 %".
        pct = math.floor(share * 100)
        problems.append(
            str(_l("边缘浅色像素占 %(pct)d%%，应不少于 %(min)d%%", pct=pct, min=round(LIGHT_SHARE_MIN * 100)))
        )
    if std > BORDER_STD_MAX:
        problems.append(
            str(
                _l(
                    "边缘灰度标准差为 %(std)s，应不超过 %(max)s",
                    std=_num(std, BORDER_STD_MAX),
                    max=f"{BORDER_STD_MAX:g}",
                )
            )
        )
    if not problems:
        return None
    return str(_l("背景不够浅或不均匀（%(details)s）", details="；".join(problems)))


@functools.cache
def _face_cascade() -> cv2.CascadeClassifier:
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + CASCADE_FILE)
    if cascade.empty():
        raise RuntimeError(f"cannot load the OpenCV cascade {CASCADE_FILE}")
    return cascade


# CascadeClassifier keeps per-image state: one detection at a time per process.
_cascade_lock = threading.Lock()


def count_faces(rgb: np.ndarray) -> int:
    """Frontal faces found by the Haar cascade on the plain grayscale image.

    The histogram is deliberately *not* equalised: equalisation turns faint
    background grain into texture that the cascade reads as extra faces.
    """
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    side = max(1, round(gray.shape[1] * FACE_MIN_WIDTH))
    cascade = _face_cascade()
    with _cascade_lock:
        faces = cascade.detectMultiScale(
            gray,
            scaleFactor=FACE_SCALE_FACTOR,
            minNeighbors=FACE_MIN_NEIGHBORS,
            minSize=(side, side),
        )
    return len(faces)


def _check_faces(count: int) -> str | None:
    if count == 1:
        return None
    if count == 0:
        return str(_l("未检测到人脸"))
    return str(_l("检测到 %(count)d 张人脸，应只有 1 张", count=count))


def _analysis_rgb(img: Image.Image) -> np.ndarray:
    rgb = img.convert("RGB")
    if max(rgb.size) > ANALYSIS_MAX_SIDE:
        scale = ANALYSIS_MAX_SIDE / max(rgb.size)
        size = (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale)))
        rgb = rgb.resize(size, Image.Resampling.BOX)
    return np.asarray(rgb)


def check_photo(data: bytes, *, min_kb: float = 50, max_kb: float = 200) -> PhotoCheck:
    """Check an uploaded candidate photo against every rule; collect all failures.

    Rules: JPEG by content (not name); size within [min_kb, max_kb] KB (1 KB = 1024
    bytes); width/height within ±0.04 of 35/49 or 25/35; light uniform background;
    exactly one frontal face. An unreadable file gives the single reason "无法读取图片".
    """
    size = len(data)
    try:
        img, source = _open(data)
    except PhotoError as exc:
        return PhotoCheck(ok=False, reasons=[exc.message], width=None, height=None, size_bytes=size, faces=None)

    reasons: list[str] = []
    faces: int | None = None
    with img:
        width, height = _displayed_size(img)
        try:
            decoded = _decode(img, source, ANALYSIS_MAX_SIDE)
        except PhotoError as exc:
            if exc.code == "unreadable":
                return PhotoCheck(ok=False, reasons=[exc.message], width=None, height=None, size_bytes=size, faces=None)
            decoded = None
            reasons.append(exc.message)

        if not _is_jpeg(data, img):
            reasons.append(str(_l("不是 JPEG 格式（检测到 %(format)s）", format=img.format or "?")))
        size_reason = _check_size(size, min_kb, max_kb)
        if size_reason:
            reasons.append(size_reason)
        aspect_reason = _check_aspect(width, height)
        if aspect_reason:
            reasons.append(aspect_reason)
        if decoded is not None:
            rgb = _analysis_rgb(decoded)
            background_reason = _check_background(rgb)
            if background_reason:
                reasons.append(background_reason)
            faces = count_faces(rgb)
            face_reason = _check_faces(faces)
            if face_reason:
                reasons.append(face_reason)
    return PhotoCheck(ok=not reasons, reasons=reasons, width=width, height=height, size_bytes=size, faces=faces)


# --- document copies ----------------------------------------------------------------------


def _fit(img: Image.Image, width: int, height: int) -> Image.Image:
    """Crop to width:height (horizontally around the centre, vertically from the top,
    i.e. only the bottom is cut) and resize with Lanczos."""
    w, h = img.size
    target = width / height
    if w / h > target:
        crop_w = max(1, min(w, round(h * target)))
        left = (w - crop_w) // 2
        box = (left, 0, left + crop_w, h)
    else:
        crop_h = max(1, min(h, round(w / target)))
        box = (0, 0, w, crop_h)
    return img.resize((width, height), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)


def _encode(img: Image.Image) -> bytes:
    # Pillow would write a comment, XMP or ICC profile still found in img.info: drop them
    # all (and pass no exif=), so the copy carries nothing besides the JFIF dpi.
    img.info.clear()
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=OUTPUT_QUALITY, optimize=True, dpi=(OUTPUT_DPI, OUTPUT_DPI))
    return buf.getvalue()


def normalise(data: bytes) -> dict[str, bytes]:
    """JPEG copies for documents, keyed like :data:`DOCUMENT_SIZES`.

    The EXIF orientation is applied, an ICC profile converted to sRGB, transparency
    flattened on white and all metadata dropped; each copy is cropped to its aspect
    (centred horizontally, keeping the top) and resized with Lanczos, quality 90.
    The output depends only on ``data``. Raises :class:`PhotoError` on unreadable input.
    """
    largest = max(max(size) for size in DOCUMENT_SIZES.values())
    img, source = _open(data)
    with img:
        rgb = _to_srgb(_decode(img, source, 2 * largest))
    copies: dict[tuple[int, int], bytes] = {}
    for size in DOCUMENT_SIZES.values():
        if size not in copies:
            copies[size] = _encode(_fit(rgb, *size))
    return {name: copies[size] for name, size in DOCUMENT_SIZES.items()}


# --- bulk uploads -------------------------------------------------------------------------


def _plausible_number(number: str) -> bool:
    """True when some identity document accepts ``number``."""
    for doc_type in DocumentType:
        try:
            validate_document(doc_type, number)
        except IdDocumentError:
            continue
        return True
    return False


def _split_filename(name: str) -> tuple[str, str] | None:
    """(person name, normalised number) from ``姓名-证件号码.jpg`` without validating the number."""
    base = unicodedata.normalize("NFC", re.split(r"[\\/]", name)[-1]).strip()
    stem, dot, ext = base.rpartition(".")
    if not dot or ext.strip().casefold() not in _PHOTO_EXTENSIONS:
        return None
    match = _FILENAME_RE.fullmatch(stem)
    if not match:
        return None
    person = " ".join(match["name"].split())  # also folds ideographic spaces
    number = normalize_number(match["number"])
    if not person or len(person) > _NAME_MAX_LENGTH:
        return None
    if any(unicodedata.category(ch) in ("Nd", "Cc", "Cf") for ch in person):
        return None
    if not _NUMBER_RE.fullmatch(number):
        return None
    return person, number


def parse_photo_filename(name: str) -> tuple[str, str] | None:
    """``("张三", "11010519491231002X")`` from ``张三-11010519491231002x.jpg``, else None.

    Accepts ``-``, ``_``, full-width/typographic hyphens, ``.jpg``/``.jpeg`` in any case,
    full-width characters and a lower-case x (the number is normalised), and a leading
    directory. The number must be valid for at least one identity document type.
    """
    parsed = _split_filename(name)
    if parsed is None or not _plausible_number(parsed[1]):
        return None
    return parsed


def _unicode_path_extra(extra: bytes, raw_name: bytes) -> str | None:
    """The UTF-8 name from an Info-ZIP Unicode Path field (0x7075) matching ``raw_name``."""
    pos = 0
    while pos + 4 <= len(extra):
        header_id, length = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4 : pos + 4 + length]
        pos += 4 + length
        if header_id != _ZIP_UNICODE_PATH_EXTRA or len(body) < 5 or body[0] != 1:
            continue
        (crc,) = struct.unpack_from("<I", body, 1)
        if crc != zlib.crc32(raw_name):
            continue  # the name was changed by a tool that did not update the field
        try:
            return body[5:].decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's real name: UTF-8 when flagged, else undo zipfile's cp437 decoding and
    try the Unicode Path field, UTF-8, then GB18030 (Chinese Windows writes GBK)."""
    if info.flag_bits & _ZIP_UTF8_FLAG:
        name = info.filename
    else:
        raw = info.orig_filename.encode("cp437")
        name = _unicode_path_extra(info.extra, raw) or ""
        for encoding in ("utf-8", "gb18030"):
            if name:
                break
            try:
                name = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        name = name or info.filename
    return unicodedata.normalize("NFC", name.replace("\\", "/"))


def _is_junk(name: str, info: zipfile.ZipInfo) -> bool:
    parts = [part for part in name.split("/") if part]
    if info.is_dir() or name.endswith("/") or not parts:
        return True
    if parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts):
        return True
    return parts[-1].casefold() in _ZIP_JUNK_NAMES


def _invalid_number_reason(filename: str, number: str) -> str:
    detail = ""
    if len(number) == 18:  # most often a mistyped resident ID: say what is wrong with it
        try:
            validate_document(DocumentType.resident_id, number)
        except IdDocumentError as exc:
            detail = str(exc.message)
    if not detail:
        detail = str(_l("不是任何一种证件的有效号码"))
    return str(
        _l(
            "文件名「%(name)s」中的证件号码「%(number)s」无效：%(detail)s",
            name=filename,
            number=number,
            detail=detail,
        )
    )


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str) -> tuple[bytes | None, str | None]:
    if info.compress_type not in _ZIP_METHODS:
        # bzip2/LZMA members are decompressed without an output bound by zipfile.
        return None, str(_l("文件「%(name)s」使用了不支持的压缩方式，请用普通 ZIP 格式重新压缩", name=filename))
    if info.flag_bits & 0x1:
        return None, str(_l("文件「%(name)s」已加密，无法读取", name=filename))
    try:
        with archive.open(info) as fh:
            # zipfile stops at the declared size and checks the CRC on reaching the end.
            content = fh.read(info.file_size + 1)
    except Exception:
        return None, str(_l("文件「%(name)s」已损坏，无法解压", name=filename))
    return content, None


def photos_from_zip(data: bytes, max_files: int = 5000, max_total_mb: float = 300) -> tuple[list[ZipPhoto], list[str]]:
    """Photos named ``姓名-证件号码.jpg`` from a zip, and Chinese messages for the rest.

    Directories, ``__MACOSX/``, dot-files, ``Thumbs.db`` and ``desktop.ini`` are ignored.
    The whole archive is refused (no photos, one message) when it is unreadable, holds
    more than ``max_files`` files or declares more than ``max_total_mb`` MB uncompressed;
    since members are never read past their declared size, the declaration bounds the
    work. Photo contents are not checked here: run :func:`check_photo` on each.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:
        return [], [str(_l("无法读取压缩包，请上传 ZIP 格式的文件"))]

    with archive:
        entries = []
        for info in archive.infolist():
            name = _entry_name(info)
            if not _is_junk(name, info):
                entries.append((info, name))
        if len(entries) > max_files:
            return [], [str(_l("压缩包中有 %(count)d 个文件，超过上限 %(max)d 个", count=len(entries), max=max_files))]
        declared = sum(info.file_size for info, _ in entries)
        if declared > max_total_mb * _MB:
            return [], [
                str(
                    _l(
                        "压缩包解压后共 %(size)s MB，超过上限 %(max)s MB",
                        size=_num(declared / _MB, max_total_mb),
                        max=f"{max_total_mb:g}",
                    )
                )
            ]

        photos: list[ZipPhoto] = []
        errors: list[str] = []
        for info, name in entries:
            parsed = _split_filename(name)
            if parsed is None:
                errors.append(str(_l("文件名「%(name)s」不符合「姓名-证件号码.jpg」格式", name=name)))
                continue
            if not _plausible_number(parsed[1]):
                errors.append(_invalid_number_reason(name, parsed[1]))
                continue
            content, error = _read_entry(archive, info, name)
            if error:
                errors.append(error)
                continue
            photos.append(ZipPhoto(filename=name, person_name=parsed[0], id_number=parsed[1], data=content))
    return photos, errors
