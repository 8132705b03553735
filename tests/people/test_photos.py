"""Candidate photo checks, document copies and bulk (zip) photo uploads."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from datetime import date

import cv2
import numpy as np
import pytest
from PIL import Image, ImageCms, ImageFile

from examsys.core.ids import make_resident_id
from examsys.modules.demo.portraits import render_portrait
from examsys.modules.people.photos import (
    DOCUMENT_SIZES,
    PhotoError,
    ZipPhoto,
    check_photo,
    normalise,
    parse_photo_filename,
    photos_from_zip,
)

ID_A = make_resident_id("410102", date(2004, 5, 6), 123)
ID_B = make_resident_id("440305", date(2003, 11, 20), 458)
ID_X = "11010519491231002X"  # a valid number whose check character is X

FORMAT_PNG = "不是 JPEG 格式（检测到 PNG）"
BACKGROUND = "背景不够浅或不均匀"
ASPECT = "宽高比为 1.00，应接近 2 寸照片的 0.71（35×49 mm）或 1 寸照片的 0.71（25×35 mm）"


# --- helpers ------------------------------------------------------------------------------


def portrait(seed: int = 1, gender: str = "M") -> Image.Image:
    return Image.open(io.BytesIO(render_portrait(seed, gender))).convert("RGB")


def encode(img: Image.Image, fmt: str = "JPEG", **options) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


def pad_jpeg(data: bytes, target: int) -> bytes:
    """Insert COM segments after SOI until the file is exactly ``target`` bytes."""
    assert data[:2] == b"\xff\xd8"
    segments = []
    need = target - len(data)
    while need > 0:
        seg = min(need, 0xFFFF + 2)  # marker (2) + length field covering itself and the body
        if need - seg in (1, 2, 3):  # keep the remainder big enough for one more segment
            seg -= 4
        body = seg - 4
        segments.append(b"\xff\xfe" + struct.pack(">H", body + 2) + b"\0" * body)
        need -= seg
    return data[:2] + b"".join(segments) + data[2:]


def on_dark_background(img: Image.Image, grey: int = 60) -> Image.Image:
    """Replace the portrait's light backdrop (flood-filled from the top corners) with dark grey."""
    arr = np.asarray(img).copy()
    h, w = arr.shape[:2]
    mask = np.zeros((h + 2, w + 2), np.uint8)
    for corner in ((0, 0), (w - 1, 0)):
        cv2.floodFill(arr, mask, corner, (grey, grey, grey), (12,) * 3, (12,) * 3, cv2.FLOODFILL_FIXED_RANGE | 4)
    return Image.fromarray(arr)


def reasons_text(reasons: list[str]) -> str:
    return "\n".join(reasons)


# --- check_photo: what passes -------------------------------------------------------------


@pytest.mark.parametrize("seed", range(10))
def test_demo_portraits_pass(seed: int) -> None:
    data = render_portrait(seed, "MF"[seed % 2])
    result = check_photo(data)
    assert result.ok, result.reasons
    assert result.reasons == []
    assert (result.width, result.height) == (413, 579)
    assert result.size_bytes == len(data)
    assert result.faces == 1


def test_exif_orientation_is_applied_before_checking() -> None:
    # Stored on its side (as phones do) with orientation 6 = "rotate 90° clockwise to view".
    sideways = portrait(3).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    data = pad_jpeg(encode(sideways, quality=92, exif=exif), 80 * 1024)
    result = check_photo(data)
    assert (result.width, result.height) == (413, 579)
    assert result.ok, result.reasons


def test_size_limits_are_inclusive_and_configurable() -> None:
    data = pad_jpeg(render_portrait(4), 200 * 1024)
    assert check_photo(data).ok
    over = check_photo(pad_jpeg(render_portrait(4), 200 * 1024 + 300))
    assert over.reasons == ["文件大小为 200.3 KB，应在 50–200 KB 之间"]
    assert check_photo(data, max_kb=300).ok
    assert check_photo(data, min_kb=250, max_kb=300).reasons == ["文件大小为 200 KB，应在 250–300 KB 之间"]


# --- check_photo: the rejected photos ------------------------------------------------


def test_rejects_300_kb_jpeg() -> None:
    data = pad_jpeg(render_portrait(5), 300 * 1024)
    assert Image.open(io.BytesIO(data)).format == "JPEG"
    result = check_photo(data)
    assert not result.ok
    assert result.reasons == ["文件大小为 300 KB，应在 50–200 KB 之间"]
    assert result.faces == 1


def test_rejects_noisy_high_quality_jpeg_as_too_big() -> None:
    rng = np.random.default_rng(7)
    arr = np.asarray(portrait(6)).astype(np.int16) + rng.normal(0, 6, (579, 413, 3)).astype(np.int16)
    data = encode(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), quality=100, subsampling=0)
    result = check_photo(data)
    assert len(data) > 200 * 1024
    assert any(r.startswith("文件大小为 ") and r.endswith("KB，应在 50–200 KB 之间") for r in result.reasons)


def test_rejects_png_by_content_not_name() -> None:
    result = check_photo(encode(portrait(7), "PNG"))
    assert not result.ok
    assert FORMAT_PNG in result.reasons
    assert result.faces == 1  # still decoded and fully checked
    assert (result.width, result.height) == (413, 579)


def test_rejects_dark_background() -> None:
    result = check_photo(encode(on_dark_background(portrait(8)), quality=95))
    assert not result.ok
    assert result.reasons == ["背景不够浅或不均匀（边缘浅色像素占 0%，应不少于 90%）"]


def test_rejects_uneven_background_by_grey_level_spread() -> None:
    # Every border pixel is "light" (>= 200) but the backdrop is blotchy: 200 and 255 in stripes.
    img = portrait(9)
    arr = np.asarray(img).copy()
    backdrop = (arr >= 235).all(axis=2)
    stripes = (np.arange(arr.shape[1]) // 8 % 2).astype(bool)[None, :] & backdrop
    arr[stripes] = 200
    arr[backdrop & ~stripes] = 255
    result = check_photo(pad_jpeg(encode(Image.fromarray(arr), quality=95), 100 * 1024))
    assert len(result.reasons) == 1
    assert result.reasons[0].startswith("背景不够浅或不均匀（边缘灰度标准差为 ")
    assert result.reasons[0].endswith("，应不超过 25）")


def test_rejects_two_faces() -> None:
    pair = Image.new("RGB", (826, 579), "white")
    pair.paste(portrait(10), (0, 0))
    pair.paste(portrait(11, "F"), (413, 0))
    canvas = Image.new("RGB", (413, 579), "white")
    canvas.paste(pair.resize((413, 290), Image.Resampling.LANCZOS), (0, 140))
    result = check_photo(encode(canvas, quality=95))
    assert not result.ok
    assert result.faces == 2
    assert "检测到 2 张人脸，应只有 1 张" in result.reasons


def test_rejects_no_face() -> None:
    data = pad_jpeg(encode(Image.new("RGB", (413, 579), "white"), quality=95), 60 * 1024)
    result = check_photo(data)
    assert result.reasons == ["未检测到人脸"]
    assert result.faces == 0


def test_rejects_square_crop() -> None:
    data = pad_jpeg(encode(portrait(12).crop((0, 0, 413, 413)), quality=95), 60 * 1024)
    result = check_photo(data)
    assert result.reasons == [ASPECT]
    assert (result.width, result.height) == (413, 413)


def test_lists_every_failure_at_once() -> None:
    result = check_photo(encode(on_dark_background(portrait(13)), "PNG"))
    assert not result.ok
    assert FORMAT_PNG in result.reasons
    assert any(r.startswith(BACKGROUND) for r in result.reasons)


def test_lists_format_size_aspect_and_face_together() -> None:
    tiny_png = encode(Image.new("RGB", (300, 300), "white"), "PNG")
    result = check_photo(tiny_png)
    text = reasons_text(result.reasons)
    assert FORMAT_PNG in result.reasons
    assert "文件大小为 " in text
    assert ASPECT in result.reasons
    assert "未检测到人脸" in result.reasons
    assert len(result.reasons) == 4


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image at all", render_portrait(1)[:3000], b"\xff\xd8\xff\xe0" + b"\0" * 100],
    ids=["empty", "text", "truncated-jpeg", "jpeg-header-only"],
)
@pytest.mark.parametrize("load_truncated", [False, True])
def test_unreadable_file_gives_one_reason(data: bytes, load_truncated: bool, monkeypatch) -> None:
    # Some libraries (WeasyPrint) switch Pillow's global LOAD_TRUNCATED_IMAGES on at import.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", load_truncated)
    result = check_photo(data)
    assert result.ok is False
    assert result.reasons == ["无法读取图片"]
    assert result.faces is None
    assert result.size_bytes == len(data)


# --- normalise ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(10))
def test_normalised_copies_have_exact_sizes(seed: int) -> None:
    copies = normalise(render_portrait(seed, "MF"[seed % 2]))
    assert set(copies) == {"record", "ticket", "certificate"}
    expected = {"record": (413, 579), "ticket": (295, 413), "certificate": (295, 413)}
    assert expected == DOCUMENT_SIZES
    for name, data in copies.items():
        assert data[:3] == b"\xff\xd8\xff"
        img = Image.open(io.BytesIO(data))
        assert img.format == "JPEG"
        assert img.size == expected[name]
        assert img.mode == "RGB"


def test_normalise_is_deterministic() -> None:
    data = render_portrait(21, "F")
    assert normalise(data) == normalise(data)


def test_normalise_strips_metadata_and_applies_orientation() -> None:
    # Stored sideways with orientation 6: red marks the top of the upright picture.
    upright = Image.new("RGB", (400, 560), (250, 250, 250))
    upright.paste((220, 0, 0), (0, 0, 400, 60))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "ACME Phone"  # Make
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(stored, quality=95, exif=exif, comment=b"secret", icc_profile=icc)
    assert Image.open(io.BytesIO(data)).info.get("icc_profile")
    copies = normalise(data)
    for blob in copies.values():
        img = Image.open(io.BytesIO(blob))
        assert not img.getexif()
        assert b"ACME" not in blob and b"secret" not in blob
        assert "icc_profile" not in img.info
        rgb = np.asarray(img.convert("RGB"))
        assert rgb[2, rgb.shape[1] // 2, 0] > 180 > rgb[2, rgb.shape[1] // 2, 1]  # red on top
        assert rgb[-3, rgb.shape[1] // 2].min() > 230


def test_normalise_crops_width_around_centre_and_height_from_bottom() -> None:
    # Too wide: red/blue side bands must be cut off equally, the green centre line kept.
    wide = Image.new("RGB", (1000, 579), (250, 250, 250))
    wide.paste((0, 0, 255), (0, 0, 200, 579))
    wide.paste((255, 0, 0), (800, 0, 1000, 579))
    wide.paste((0, 200, 0), (495, 0, 505, 579))
    record = np.asarray(Image.open(io.BytesIO(normalise(encode(wide, quality=95))["record"])))
    assert record[:, 5].mean(axis=0).min() > 200  # no blue/red band at either side
    assert record[:, -5].mean(axis=0).min() > 200
    middle = record[300, 200:213]
    assert middle[:, 1].max() > 150 and middle[:, 0].min() < 80  # the green line is still centred

    # Too tall: keep the top (red band), cut the bottom (blue band).
    tall = Image.new("RGB", (413, 900), (250, 250, 250))
    tall.paste((255, 0, 0), (0, 0, 413, 40))
    tall.paste((0, 0, 255), (0, 800, 413, 900))
    record = np.asarray(Image.open(io.BytesIO(normalise(encode(tall, quality=95))["record"])))
    assert record[5, 200, 0] > 200 > record[5, 200, 2]
    assert record[-5, 200].min() > 200


def test_normalise_accepts_png_with_transparency_on_white() -> None:
    img = Image.new("RGBA", (350, 490), (0, 0, 0, 0))
    img.paste((30, 30, 30, 255), (100, 100, 250, 300))
    copies = normalise(encode(img, "PNG"))
    rgb = np.asarray(Image.open(io.BytesIO(copies["record"])))
    assert rgb[5, 5].min() > 240  # transparent corner became white, not black
    assert rgb[290, 206].max() < 80


@pytest.mark.parametrize("data", [b"garbage", render_portrait(2)[:5000]], ids=["garbage", "truncated"])
def test_normalise_rejects_unreadable_data(data: bytes, monkeypatch) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(PhotoError) as info:
        normalise(data)
    assert info.value.code == "unreadable"
    assert info.value.message == "无法读取图片"


# --- parse_photo_filename -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        (f"张三-{ID_A}.jpg", ("张三", ID_A)),
        (f"张三_{ID_A}.jpg", ("张三", ID_A)),
        (f"张三－{ID_A}.jpg", ("张三", ID_A)),  # full-width hyphen
        (f"李四-{ID_X.lower()}.jpg", ("李四", ID_X)),
        (f"李四-{ID_X}.JPG", ("李四", ID_X)),
        (f"李四-{ID_X}.jpeg", ("李四", ID_X)),
        (f"李四-{ID_X}.Jpeg", ("李四", ID_X)),
        (f" 王 五 - {ID_A} .jpg", ("王 五", ID_A)),
        ("阿卜杜·热合曼-１１０１０５１９４９１２３１００２ｘ.jpg", ("阿卜杜·热合曼", ID_X)),  # full-width digits
        (f"2024级/机电1班/张三-{ID_A}.jpg", ("张三", ID_A)),
        (f"Jean-Luc Picard-{ID_A}.jpg", ("Jean-Luc Picard", ID_A)),  # split at the last hyphen
        ("Tom Smith-E12345678.jpg", ("Tom Smith", "E12345678")),  # passport
        ("陈大文-H12345678.jpg", ("陈大文", "H12345678")),  # HK/Macao permit
    ],
)
def test_parse_photo_filename_accepts(filename: str, expected: tuple[str, str]) -> None:
    assert parse_photo_filename(filename) == expected


@pytest.mark.parametrize(
    "filename",
    [
        f"张三{ID_A}.jpg",  # no separator
        f"张三-{ID_A}.png",
        f"张三-{ID_A}",
        f"-{ID_A}.jpg",  # no name
        "张三-.jpg",
        f"{ID_A}-张三.jpg",  # reversed
        f"张三-{ID_A}-副本.jpg",
        f"张三-{ID_A[:17]}0.jpg" if ID_A[17] != "0" else f"张三-{ID_A[:17]}1.jpg",  # wrong check digit
        "张三-1234.jpg",  # too short for any document
        "张三-110105 19491231002X.jpg",  # inner space
    ],
)
def test_parse_photo_filename_rejects(filename: str) -> None:
    assert parse_photo_filename(filename) is None


# --- photos_from_zip ----------------------------------------------------------------------


class _RawNameInfo(zipfile.ZipInfo):
    """Writes ``filename`` back as the raw bytes it was decoded from (cp437), without the
    UTF-8 flag, as Chinese Windows tools do with GBK names."""

    def _encodeFilenameFlags(self):  # zipfile would otherwise re-encode as UTF-8
        return self.filename.encode("cp437"), self.flag_bits & ~0x800


def gbk_info(name: str, extra: bytes = b"") -> zipfile.ZipInfo:
    info = _RawNameInfo(name.encode("gbk").decode("cp437"), date_time=(2024, 3, 1, 8, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.extra = extra
    return info


def make_zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buf.getvalue()


@pytest.fixture(scope="module")
def photo_a() -> bytes:
    return render_portrait(31, "M")


@pytest.fixture(scope="module")
def photo_b() -> bytes:
    return render_portrait(32, "F")


def test_zip_with_utf8_names(photo_a: bytes, photo_b: bytes) -> None:
    data = make_zip([(f"张三-{ID_A}.jpg", photo_a), (f"照片/李四_{ID_X.lower()}.JPG", photo_b)])
    photos, errors = photos_from_zip(data)
    assert errors == []
    assert photos == [
        ZipPhoto(f"张三-{ID_A}.jpg", "张三", ID_A, photo_a),
        ZipPhoto(f"照片/李四_{ID_X.lower()}.JPG", "李四", ID_X, photo_b),
    ]
    assert check_photo(photos[0].data).ok


def test_zip_with_gbk_names_without_utf8_flag(photo_a: bytes, photo_b: bytes) -> None:
    data = make_zip([(gbk_info(f"张三-{ID_A}.jpg"), photo_a), (gbk_info(f"欧阳娜娜－{ID_B}.jpeg"), photo_b)])
    raw_names = [info for info in zipfile.ZipFile(io.BytesIO(data)).infolist()]
    assert all(not info.flag_bits & 0x800 for info in raw_names)
    assert "张三".encode("gbk") in data  # really stored as GBK bytes
    photos, errors = photos_from_zip(data)
    assert errors == []
    assert [(p.filename, p.person_name, p.id_number) for p in photos] == [
        (f"张三-{ID_A}.jpg", "张三", ID_A),
        (f"欧阳娜娜－{ID_B}.jpeg", "欧阳娜娜", ID_B),
    ]
    assert photos[1].data == photo_b


def test_zip_with_info_zip_unicode_path_field(photo_a: bytes) -> None:
    real = f"赵六-{ID_A}.jpg"
    stored = f"??-{ID_A}.jpg"  # what a tool without GBK support wrote as the main name
    field = b"\x01" + struct.pack("<I", zlib.crc32(stored.encode())) + real.encode()
    extra = struct.pack("<HH", 0x7075, len(field)) + field
    info = zipfile.ZipInfo(stored, date_time=(2024, 3, 1, 8, 0, 0))
    info.extra = extra
    photos, errors = photos_from_zip(make_zip([(info, photo_a)]))
    assert errors == []
    assert [(p.filename, p.person_name) for p in photos] == [(real, "赵六")]


def test_zip_ignores_junk_and_reports_unmatched_names(photo_a: bytes) -> None:
    data = make_zip(
        [
            ("照片/", b""),
            (f"照片/张三-{ID_A}.jpg", photo_a),
            (f"__MACOSX/照片/._张三-{ID_A}.jpg", b"\0\5\26\7"),
            (".DS_Store", b"junk"),
            ("照片/.hidden.jpg", b"junk"),
            ("照片/Thumbs.db", b"junk"),
            ("照片/desktop.ini", b"junk"),
            ("x.jpg", photo_a),
            ("说明.txt", b"read me"),
            (f"王五-{ID_A[:17]}{'1' if ID_A[17] == '0' else '0'}.jpg", photo_a),
        ]
    )
    photos, errors = photos_from_zip(data)
    assert [p.filename for p in photos] == [f"照片/张三-{ID_A}.jpg"]
    assert errors[:2] == [
        "文件名「x.jpg」不符合「姓名-证件号码.jpg」格式",
        "文件名「说明.txt」不符合「姓名-证件号码.jpg」格式",
    ]
    assert len(errors) == 3
    assert errors[2].startswith("文件名「王五-") and "中的证件号码" in errors[2] and "校验位应为" in errors[2]


def test_zip_refuses_too_many_files(photo_a: bytes) -> None:
    entries = [(f"人员{i}-{ID_A}.jpg", b"x") for i in range(6)]
    photos, errors = photos_from_zip(make_zip(entries), max_files=5)
    assert photos == []
    assert errors == ["压缩包中有 6 个文件，超过上限 5 个"]
    assert photos_from_zip(make_zip(entries[:5]), max_files=5)[1] != errors


def test_zip_refuses_declared_size_over_limit() -> None:
    # 3 MB of zeros compresses to a few KB: a (small) zip bomb.
    data = make_zip([(f"张三-{ID_A}.jpg", bytes(3 * 1024 * 1024))])
    assert len(data) < 20 * 1024
    photos, errors = photos_from_zip(data, max_total_mb=2)
    assert photos == []
    assert errors == ["压缩包解压后共 3 MB，超过上限 2 MB"]
    photos, errors = photos_from_zip(data, max_total_mb=4)
    assert len(photos) == 1 and errors == []


def test_zip_refuses_unsupported_compression(photo_a: bytes) -> None:
    data = make_zip([(f"张三-{ID_A}.jpg", photo_a)], compression=zipfile.ZIP_BZIP2)
    photos, errors = photos_from_zip(data)
    assert photos == []
    assert errors == [f"文件「张三-{ID_A}.jpg」使用了不支持的压缩方式，请用普通 ZIP 格式重新压缩"]


def test_zip_reports_corrupt_member(photo_a: bytes) -> None:
    data = bytearray(make_zip([(f"张三-{ID_A}.jpg", photo_a), (f"李四-{ID_X}.jpg", photo_a)], zipfile.ZIP_STORED))
    offset = data.index(photo_a[:64]) + 1000
    data[offset] ^= 0xFF  # CRC mismatch in the first member
    photos, errors = photos_from_zip(bytes(data))
    assert [p.person_name for p in photos] == ["李四"]
    assert errors == [f"文件「张三-{ID_A}.jpg」已损坏，无法解压"]


@pytest.mark.parametrize("data", [b"", b"PK\3\4 not really", render_portrait(1)])
def test_not_a_zip(data: bytes) -> None:
    assert photos_from_zip(data) == ([], ["无法读取压缩包，请上传 ZIP 格式的文件"])
