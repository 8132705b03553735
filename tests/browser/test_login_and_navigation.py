"""Sign-in and role navigation, plus a few everyday pages, in a real browser."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from examsys.core.db import db
from examsys.core.ids import make_resident_id
from examsys.core.permissions import PERMISSIONS, Role
from examsys.modules.accounts.models import User
from examsys.modules.demo.school import DEMO_PASSWORD, STAFF_ACCOUNTS
from examsys.web.nav import NAV_ITEMS, navigation_for

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

SHOTS = Path("/tmp/examsys-shots")

# username, display name (None: the candidate is named after a generated student), roles
ACCOUNTS = [(username, display, roles) for username, display, roles, _college in STAFF_ACCOUNTS]
ACCOUNTS.append(("candidate", None, (Role.CANDIDATE,)))


def expected_navigation(live_server, username, roles) -> list[str]:
    """The menu for ``roles``, from the NAV_ITEMS and PERMISSIONS tables; cross-checked
    against ``navigation_for`` for the stored account (so its roles are the demo's)."""
    with live_server.app.test_request_context():
        labels = [str(item.label) for item in NAV_ITEMS if set(roles) & PERMISSIONS[item.permission]]
        user = db.session.scalar(sa.select(User).where(User.username == username))
        assert user is not None and user.roles == frozenset(roles), username
        assert [str(item.label) for item in navigation_for(user)] == labels
    return labels


def main_nav(page):
    return page.locator("nav.mainnav a")


@pytest.mark.parametrize(("username", "display", "roles"), ACCOUNTS, ids=[a[0] for a in ACCOUNTS])
def test_each_role_sees_its_navigation_and_can_sign_out(page, sign_in, live_server, username, display, roles):
    expected = expected_navigation(live_server, username, roles)
    # Spot checks that the computation above is not vacuous.
    if username == "admin":
        assert {"账户管理", "审计日志"} <= set(expected)
    if username == "proctor":
        assert "人员" not in expected
    if username == "candidate":
        assert expected == ["我的考试"]

    sign_in(username)

    expect(main_nav(page)).to_have_text(expected)
    if Role.CANDIDATE in roles:
        expect(page).to_have_url(re.compile(r"/portal/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("我的考试")
    else:
        expect(page).to_have_url(re.compile(r"/dashboard$"))
        expect(page.locator(".account .who")).to_contain_text(display)
    expect(main_nav(page).and_(page.locator("[aria-current=page]"))).to_have_count(1)

    page.get_by_role("button", name="退出").click()

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    expect(page.get_by_label("用户名", exact=True)).to_be_visible()
    expect(page.locator("nav.mainnav")).to_have_count(0)
    expect(page.locator(".flash")).to_contain_text("已退出登录")


def test_wrong_password_is_refused_in_chinese(page, sign_in):
    sign_in("admin", DEMO_PASSWORD + "-wrong")

    expect(page).to_have_url(re.compile(r"/login$"))
    field = page.locator("div.field", has=page.locator("#password"))
    expect(field.locator(".error")).to_contain_text("用户名或密码错误")
    expect(page.locator("nav.mainnav")).to_have_count(0)
    expect(page.get_by_label("用户名", exact=True)).to_have_value("admin")


def test_admin_filters_the_occupation_catalogue(page, sign_in):
    sign_in("admin")
    page.locator("nav.mainnav").get_by_role("link", name="职业目录", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("职业目录")
    rows = page.locator("table.grid tbody tr")
    # Unfiltered, the list holds other occupations too (so the filter below is tested).
    expect(rows.filter(has=page.get_by_role("link", name="车工", exact=True))).not_to_have_count(0)

    page.get_by_role("searchbox").fill("电子商务")
    page.get_by_role("button", name="筛选").click()

    expect(page).to_have_url(re.compile(r"[?&]q=%E7%94%B5%E5%AD%90%E5%95%86%E5%8A%A1"))
    row = rows.filter(has=page.get_by_role("link", name="电子商务师", exact=True))
    expect(row).to_have_count(1)
    jobs = row.locator("td").nth(2)
    expect(jobs).to_contain_text("网商")
    expect(jobs).to_contain_text("跨境电子商务师")
    expect(page.get_by_role("link", name="车工", exact=True)).to_have_count(0)


def fill_student(page, *, name: str, doc_number: str, student_no: str) -> None:
    page.get_by_label("人员类别", exact=True).select_option(label="学生")
    page.get_by_label("姓名", exact=True).fill(name)
    page.get_by_label("证件类型", exact=True).select_option(value="resident_id")
    page.get_by_label("证件号码", exact=True).fill(doc_number)
    page.get_by_label("学院", exact=True).select_option(label="商贸学院")
    major = page.locator("#major_id option").filter(has_text=re.compile(r"^电子商务（商贸学院"))
    expect(major).to_have_count(1)
    page.get_by_label("专业", exact=True).select_option(value=major.get_attribute("value"))
    page.get_by_label("学号", exact=True).fill(student_no)
    page.get_by_role("button", name="保存").click()


def test_exam_office_registers_a_student_and_is_told_about_a_bad_check_digit(page, sign_in):
    sign_in("office")

    good = make_resident_id(region="410105", birth=date(2006, 9, 1), sequence=517)
    page.goto("/people/new")
    fill_student(page, name="浏览器测试", doc_number=good, student_no="BT2025000001")

    expect(page).to_have_url(re.compile(r"/people/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("浏览器测试")
    expect(page.locator(".flash.success")).to_contain_text("已保存")
    expect(page.locator("dl.facts")).to_contain_text(good)
    expect(page.locator("dl.facts")).to_contain_text("商贸学院")

    valid = make_resident_id(region="410105", birth=date(2006, 9, 2), sequence=518)
    wrong_digit = "0" if valid[17] != "0" else "1"
    bad = valid[:17] + wrong_digit
    page.goto("/people/new")
    fill_student(page, name="校验位错误", doc_number=bad, student_no="BT2025000002")

    expect(page).to_have_url(re.compile(r"/people/new$"))
    field = page.locator("div.field", has=page.locator("#doc_number"))
    expect(field).to_have_class(re.compile(r"\bhas-error\b"))
    expect(field.locator(".error")).to_contain_text("校验位")
    expect(field.locator(".error")).to_contain_text(valid[17])
    expect(page.get_by_label("证件号码", exact=True)).to_have_value(bad)

    page.goto("/people/?q=BT2025000002")
    expect(page.locator("table.grid tbody")).to_contain_text("没有符合条件的人员")


def test_english_link_switches_the_page_language(page):
    page.goto("/login")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-CN")

    page.get_by_role("link", name="English", exact=True).click()

    expect(page).to_have_url(re.compile(r"/login\??$"))
    expect(html).to_have_attribute("lang", "en")

    page.get_by_role("link", name="中文", exact=True).click()
    expect(html).to_have_attribute("lang", "zh-CN")


def test_screenshots_of_dashboard_and_people_search(page, sign_in):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in("admin")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.locator(".tiles .tile")).not_to_have_count(0)
    dashboard = SHOTS / "admin-dashboard.png"
    page.screenshot(path=str(dashboard), full_page=True)

    page.goto("/people/")
    expect(page.locator("table.grid tbody tr")).not_to_have_count(0)
    people = SHOTS / "people-search.png"
    page.screenshot(path=str(people), full_page=True)

    for shot in (dashboard, people):
        assert shot.stat().st_size > 10_000, shot
