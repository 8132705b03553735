"""Role-aware navigation: one table of menu entries, each guarded by a permission."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    permission: str


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_l("我的考试"), "portal.home", "portal.view"),
    NavItem(_l("工作台"), "home.dashboard", "staff.home"),
    NavItem(_l("职业目录"), "catalog.occupations", "catalog.view"),
    NavItem(_l("专业"), "catalog.majors", "catalog.view"),
    NavItem(_l("学院"), "catalog.colleges", "colleges.view"),
    NavItem(_l("人员"), "people.search", "people.view"),
    NavItem(_l("报名审核"), "registration.index", "registration.view"),
    NavItem(_l("题库"), "banks.index", "banks.view"),
    NavItem(_l("考场"), "rooms.index", "rooms.view"),
    NavItem(_l("考试计划"), "scheduling.plans", "scheduling.view"),
    NavItem(_l("考评员"), "scheduling.examiners", "scheduling.view"),
    NavItem(_l("准考证"), "tickets.index", "tickets.view"),
    NavItem(_l("验证准考证"), "tickets.verify", "tickets.verify"),
    NavItem(_l("监考"), "proctoring.index", "proctoring.view"),
    NavItem(_l("工作日"), "calendar.index", "calendar.view"),
    NavItem(_l("账户管理"), "accounts.users", "users.manage"),
    NavItem(_l("审计日志"), "audit.entries", "audit.view"),
)


def navigation_for(user) -> list[NavItem]:
    if not user or not user.is_authenticated:
        return []
    return [item for item in NAV_ITEMS if user.can(item.permission)]
