"""Photo uploads: each photo checked, stored once with normalised copies, refusals recorded."""

import io
import zipfile

import pytest
from PIL import Image

from examsys.core.errors import DomainError
from examsys.core.media import resolve
from examsys.core.permissions import Role
from examsys.modules.demo.portraits import render_portrait
from examsys.modules.people import photo_uploads


def _png(data: bytes) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(data)).save(out, "PNG")
    return out.getvalue()


def test_a_good_photo_is_stored_with_copies_and_a_png_is_refused_with_the_reason(make_person):
    person = make_person(name="照片甲")
    good = render_portrait(5, "F")
    photo_uploads.upload_photo(person, good)
    assert resolve(person.photo_path).read_bytes() == good
    with Image.open(resolve(person.photo_variants["ticket"])) as ticket:
        assert ticket.size == (295, 413) and ticket.format == "JPEG"
    with pytest.raises(DomainError) as err:
        photo_uploads.upload_photo(person, _png(good))
    assert any("PNG" in str(p) for p in err.value.problems)
    assert resolve(person.photo_path).read_bytes() == good  # the accepted photo stays


def test_a_zip_is_matched_by_name_and_number_each_photo_on_its_own(make_person):
    a, b, c = (make_person(name=n) for n in ("张三", "李四", "王五"))
    number = lambda p: p.primary_document.number  # noqa: E731
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"张三-{number(a)}.jpg", render_portrait(1, "M"))
        archive.writestr(f"李四-{number(b)}.jpg", _png(render_portrait(2, "F")))
        archive.writestr(f"赵六-{number(c)}.jpg", render_portrait(3, "M"))  # wrong name for that number
        archive.writestr("照片.jpg", render_portrait(4, "M"))
    report = photo_uploads.upload_zip(buffer.getvalue())
    assert report.accepted == [f"张三-{number(a)}.jpg"]
    rejected = dict(report.rejected)
    assert any("PNG" in r for r in rejected[f"李四-{number(b)}.jpg"])
    assert "登记姓名为 王五" in rejected[f"赵六-{number(c)}.jpg"][0]
    assert a.photo_path and not b.photo_path and b.photo_rejection
    assert {p.name for p in photo_uploads.photo_report(None)} >= {"李四", "王五"}


def test_photo_pages(client, login, make_user, make_person):
    person = make_person(name="页面人")
    login(make_user(Role.EXAM_OFFICE))
    response = client.post(
        f"/people/{person.id}/photo",
        data={"photo": (io.BytesIO(render_portrait(9, "M")), "p.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    image = client.get(f"/people/{person.id}/photo.jpg")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert "缺照片或照片不合格的人员" in client.get("/people/photos").get_data(as_text=True)
