"""PDF layer: the safe url fetcher, CJK fonts, merging, and the record form (备案表) two copies per candidate."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image
from pypdf import PdfReader

from examsys.core import pdf
from examsys.core.pdf import (
    UnsafeURLError,
    cjk_font_available,
    image_data_uri,
    merge_pdfs,
    render_document,
    url_fetcher_for_app,
)
from examsys.modules.demo.portraits import render_portrait
from examsys.modules.registration.record_form import (
    RecordFormError,
    record_form_context,
    render_record_forms,
)

needs_cjk = pytest.mark.skipif(
    not cjk_font_available(),
    reason="no CJK font known to fontconfig (install Debian fonts-noto-cjk or fonts-wqy-zenhei)",
)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def media_dir(ctx, tmp_path, monkeypatch):
    monkeypatch.setitem(ctx.config, "MEDIA_DIR", str(tmp_path / "media"))
    (tmp_path / "media" / "photos").mkdir(parents=True)
    return tmp_path / "media"


def candidate(**changes) -> dict:
    data = {
        "name": "王晓雯",
        "gender": "F",
        "birth_month": "2004-05",
        "education": "大专",
        "ethnicity": "汉族",
        "political_status": "共青团员",
        "id_number": "41010220040506123x",
        "college": "财经学院",
        "major": "跨境电子商务",
        "class_name": "2022级跨境电商1班",
        "phone": "13800138000",
        "occupation": "跨境电子商务师",
        "job": "",
        "level_label": "四级/中级工",
        "resume": [
            {"period": ("2019.09", "2022.06"), "unit": "郑州市第一中学", "role": "高中学习"},
            {"period": ("2022.09", None), "unit": "郑州科技学院", "role": "跨境电子商务专业学习"},
        ],
        "certificates": [
            {"name": "电子商务师", "level": "五级/初级工", "number": "S0000410100002350001", "date": "2023.06"}
        ],
        "photo": render_portrait(1, "F"),
        "centre_name": "郑州科技学院职业技能等级认定中心",
        "batch_name": "2024年第一批",
        "school_name": "郑州科技学院",
        "assessment_method": "过程化考核方式",
    }
    data.update(changes)
    return data


def page_text(page) -> str:
    return "".join(page.extract_text().split())


def font_names(page) -> set[str]:
    fonts = page["/Resources"].get("/Font", {})
    names = set()
    for ref in fonts.values():
        font = ref.get_object()
        names.add(str(font.get("/BaseFont", "")))
        for descendant in font.get("/DescendantFonts", []):
            names.add(str(descendant.get_object().get("/BaseFont", "")))
    return names


# -- the url fetcher ------------------------------------------------------------------------------


def test_fetcher_refuses_network_and_foreign_files(ctx, media_dir):
    fetch = url_fetcher_for_app()
    for url in ("http://example.com/x.png", "https://example.com/x.png", "file:///etc/passwd", "ftp://h/x.png"):
        with pytest.raises(UnsafeURLError, match="PDF 资源被拒绝"):
            fetch(url)
    for url in ("media:../../../../etc/passwd", "media:/etc/hostname", "media:photos/../../x.png"):
        with pytest.raises(UnsafeURLError):
            fetch(url)
    (media_dir / "notes.txt").write_text("secret")
    with pytest.raises(UnsafeURLError, match="文件类型"):
        fetch("media:notes.txt")


def test_fetcher_serves_media_files_and_data_uris(ctx, media_dir):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    (media_dir / "photos" / "张三.png").write_bytes(buffer.getvalue())
    fetch = url_fetcher_for_app()
    response = fetch("media:photos/%E5%BC%A0%E4%B8%89.png")
    assert response.read() == buffer.getvalue() and response.content_type == "image/png"
    assert fetch((media_dir / "photos" / "张三.png").as_uri()).read() == buffer.getvalue()
    assert fetch(image_data_uri(b"\x89PNG", "image/png")).read() == b"\x89PNG"


@needs_cjk
def test_a_refused_image_stops_rendering(ctx, media_dir, monkeypatch):
    html = '<html><body><p>测试</p><img src="file:///etc/passwd"></body></html>'
    monkeypatch.setattr(pdf, "render_template", lambda name, **context: html)
    with pytest.raises(UnsafeURLError, match="/etc/passwd"):
        render_document("unused.html", {})
    # a media: image is embedded
    Image.new("RGB", (300, 400), "blue").save(media_dir / "photos" / "p.jpg", "JPEG")
    monkeypatch.setattr(pdf, "render_template", lambda name, **context: '<img src="media:photos/p.jpg">')
    reader = PdfReader(io.BytesIO(render_document("unused.html", {}).write_pdf()))
    assert reader.pages[0].images[0].image.size == (300, 400)


# -- the record form ------------------------------------------------------------------------------


def test_record_form_context_normalises_and_pads():
    form = record_form_context(candidate())
    assert form["gender"] == "女" and form["birth_month"] == "2004.05" and form["id_type"] == "居民身份证"
    assert form["id_number"] == "41010220040506123X"
    assert form["resume"][1]["period"] == "2022.09—至今"
    assert len(form["resume"]) == 5 and form["resume"][2] is None
    assert len(form["certificates"]) == 3
    assert form["photo_uri"].startswith("data:image/jpeg;base64,")
    assert form["title"] == "郑州科技学院职业技能等级认定审核备案表"


def test_record_form_context_lists_every_problem():
    with pytest.raises(RecordFormError) as info:
        record_form_context(
            candidate(id_number=" ", occupation=None, birth_month="May 2004", photo=b"GIF89a", resume=[{}] * 7)
        )
    problems = info.value.problems
    assert any("证件号码" in p for p in problems) and any("申报职业" in p for p in problems)
    assert any("出生年月" in p for p in problems) and any("照片" in p for p in problems)
    assert any("个人简历最多" in p for p in problems)
    assert str(info.value).startswith("王晓雯：")


@needs_cjk
def test_record_forms_two_copies_per_candidate(ctx):
    started = time.perf_counter()
    data = render_record_forms(
        [candidate(), candidate(name="李建国", gender="M", id_number="410102200405061234", photo=None)]
    )
    elapsed = time.perf_counter() - started
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 4

    for page in reader.pages[:2]:
        text = page_text(page)
        for expected in ("王晓雯", "41010220040506123X", "职业技能等级认定审核备案表", "跨境电子商务师", "四级/中级工"):
            assert expected in text, expected
        for section in (
            "申报人基本情况",
            "个人简历",
            "已获证书",
            "申报人承诺",
            "学院审核意见",
            "认定机构审核意见",
            "签章",
        ):
            assert section in text, section
        (photo,) = page.images
        assert photo.image.width >= 200 and photo.image.height >= 280  # the 413x579 photo, not a thumbnail
        assert any("CJK" in name or "WenQuanYi" in name for name in font_names(page)), font_names(page)

    third = page_text(reader.pages[2])
    assert "李建国" in third and "410102200405061234" in third and "照片" in third
    # no photo: an empty frame saying 照片 (WeasyPrint shares one resource dict, so page.images cannot tell)
    assert "二寸白底免冠" in third and "二寸白底免冠" not in page_text(reader.pages[0])
    assert "第1份/共2份" in page_text(reader.pages[0]) and "第2份/共2份" in page_text(reader.pages[1])
    assert "第2页/共4页" in page_text(reader.pages[1])
    assert elapsed < 30, f"4 record-form pages took {elapsed:.1f}s (is libharfbuzz-subset0 installed?)"


@needs_cjk
def test_record_form_refuses_an_incomplete_batch_before_rendering(ctx):
    with pytest.raises(RecordFormError, match="李四：缺少证件号码"):
        render_record_forms([candidate(), candidate(name="李四", id_number="")])


@needs_cjk
def test_merge_pdfs_keeps_every_page(ctx):
    one = render_record_forms([candidate()], copies=1)
    merged = PdfReader(io.BytesIO(merge_pdfs([one, one, one])))
    assert len(merged.pages) == 3
    assert "王晓雯" in page_text(merged.pages[2])
