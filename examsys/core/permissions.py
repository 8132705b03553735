"""Roles, permissions and the deny-by-default route check.

Every endpoint either appears in :data:`PUBLIC_ENDPOINTS` or declares a permission with
:func:`requires` (functions) or a ``permissions`` mapping (class-based API views). The
request hook refuses anything else, so a forgotten declaration fails closed.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable

from flask import current_app, request
from flask_babel import lazy_gettext as _l


class Role(enum.StrEnum):
    ADMIN = "admin"
    EXAM_OFFICE = "exam_office"
    COORDINATOR = "college_coordinator"
    PROCTOR = "proctor"
    EXAMINER = "examiner"
    SUPERVISOR = "supervisor"
    CANDIDATE = "candidate"

    @property
    def title(self) -> str:
        return str(ROLE_TITLES[self])


ROLE_TITLES = {
    Role.ADMIN: _l("中心管理员"),
    Role.EXAM_OFFICE: _l("考务管理组"),
    Role.COORDINATOR: _l("学院联络员"),
    Role.PROCTOR: _l("监考员"),
    Role.EXAMINER: _l("考评员"),
    Role.SUPERVISOR: _l("督导员"),
    Role.CANDIDATE: _l("考生"),
}

ALL_ROLES = frozenset(Role)
STAFF = frozenset(ALL_ROLES - {Role.CANDIDATE})
OFFICE = frozenset({Role.ADMIN, Role.EXAM_OFFICE})

SEAT_PERMISSION = "exam.seat"

# The whole permission table in one place. Object-level scoping (a coordinator sees only
# their own college) is applied by each area's util on top of this.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "signed_in": ALL_ROLES,
    "staff.home": STAFF,
    "catalog.view": OFFICE | {Role.COORDINATOR, Role.SUPERVISOR, Role.EXAMINER},
    "catalog.edit": OFFICE,
    "colleges.view": OFFICE | {Role.COORDINATOR, Role.SUPERVISOR},
    "colleges.edit": frozenset({Role.ADMIN}),
    "people.view": OFFICE | {Role.COORDINATOR, Role.SUPERVISOR},
    "people.edit": OFFICE | {Role.COORDINATOR},
    "users.manage": frozenset({Role.ADMIN}),
    "audit.view": frozenset({Role.ADMIN, Role.SUPERVISOR}),
    "calendar.view": STAFF,
    "calendar.edit": OFFICE,
    "portal.view": frozenset({Role.CANDIDATE}),
    "registration.view": OFFICE | {Role.COORDINATOR, Role.SUPERVISOR},
    "registration.manage": OFFICE | {Role.COORDINATOR},
    "portal.apply": frozenset({Role.CANDIDATE}),
    # Question banks and sealed papers: the exam office builds them; nobody else reads them.
    "banks.view": OFFICE,
    "banks.edit": OFFICE,
    "papers.view": OFFICE,
    # Rooms, the exam plan, sessions, seats and staff on duty.
    "rooms.view": OFFICE | {Role.SUPERVISOR, Role.PROCTOR},
    "rooms.edit": OFFICE,
    "scheduling.view": OFFICE | {Role.SUPERVISOR},
    "scheduling.manage": OFFICE,
    "staffing.manage": OFFICE,
    "plans.approve": OFFICE,
    # The candidate at a lab machine has no account session: their exam token (checked by the
    # delivery area's seat guard on every request) is the credential. No role holds this.
    SEAT_PERMISSION: frozenset(),
    # The machine test's staff side: papers prepared by the office, rooms run by proctors.
    "delivery.prepare": OFFICE,
    "delivery.watch": OFFICE | {Role.PROCTOR, Role.SUPERVISOR},
    "delivery.proctor": OFFICE | {Role.PROCTOR},
    # Proctoring: check-in and the room record by proctors; rulings only by supervisors.
    "proctoring.view": OFFICE | {Role.PROCTOR, Role.SUPERVISOR},
    "proctoring.checkin": OFFICE | {Role.PROCTOR},
    "proctoring.incident": OFFICE | {Role.PROCTOR, Role.SUPERVISOR},
    "proctoring.rule": frozenset({Role.SUPERVISOR}),
    # Admission tickets: issued and reprinted by the office; colleges print their own students';
    # proctors print their rooms' papers and verify tickets at the door.
    "tickets.view": OFFICE | {Role.COORDINATOR, Role.SUPERVISOR},
    "tickets.manage": OFFICE,
    "tickets.generate": OFFICE | {Role.COORDINATOR},
    "tickets.papers": OFFICE | {Role.PROCTOR, Role.SUPERVISOR},
    "tickets.verify": OFFICE | {Role.PROCTOR, Role.SUPERVISOR},
    "portal.ticket": frozenset({Role.CANDIDATE}),
    # Bulk document jobs: whoever may queue one may follow and download their own.
    "documents.view": OFFICE | {Role.COORDINATOR, Role.PROCTOR, Role.SUPERVISOR},
}

# Routes anyone may reach without signing in. Keep this list short and reviewed.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "accounts.login",
        "accounts.set_locale",
        "delivery.login",
        "api-docs.openapi_json",
    }
)


def requires(permission: str) -> Callable:
    """Declare the permission a view function needs (place under ``@bp.route``)."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def mark(view: Callable) -> Callable:
        # A fresh wrapper per declaration, so one function registered under two
        # endpoints never shares (or silently inherits) a permission.
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            return view(*args, **kwargs)

        guarded._permission = permission
        return guarded

    return mark


def roles_with(permission: str) -> frozenset[Role]:
    return PERMISSIONS[permission]


def has_permission(roles: Iterable[Role], permission: str) -> bool:
    return bool(set(roles) & PERMISSIONS[permission])


def endpoint_permission(endpoint: str, method: str) -> str | None:
    """The permission declared for ``endpoint`` and HTTP ``method``, or None."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return None
    declared = getattr(view, "_permission", None)
    if declared:
        return declared
    view_class = getattr(view, "view_class", None)
    table = getattr(view_class, "permissions", None) or {}
    return table.get(method.upper()) or table.get("*")


def current_request_permission() -> str | None:
    """None for public endpoints, else the declared permission; raises if undeclared."""
    endpoint = request.endpoint
    if endpoint in PUBLIC_ENDPOINTS:
        return None
    method = "GET" if request.method in {"HEAD", "OPTIONS"} else request.method
    permission = endpoint_permission(endpoint, method)
    if permission is None:
        raise UndeclaredPermission(endpoint)
    return permission


class UndeclaredPermission(Exception):
    """A route without a permission declaration: refused (deny by default)."""
