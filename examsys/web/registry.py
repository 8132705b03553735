"""Every blueprint of the app, registered in one place."""

from __future__ import annotations

from flask import Flask

from examsys.core.extensions import api, csrf
from examsys.modules.accounts import api as accounts_api
from examsys.modules.accounts.blueprint import bp as accounts_bp
from examsys.modules.audit.blueprint import bp as audit_bp
from examsys.modules.banks import api as banks_api
from examsys.modules.banks.blueprint import bp as banks_bp
from examsys.modules.calendar.blueprint import bp as calendar_bp
from examsys.modules.catalog import api as catalog_api
from examsys.modules.catalog.blueprint import bp as catalog_bp
from examsys.modules.delivery.blueprint import bp as delivery_bp
from examsys.modules.delivery.options_blueprint import bp as exam_options_bp
from examsys.modules.delivery.room_blueprint import bp as exam_admin_bp
from examsys.modules.delivery.sockets import namespaces as delivery_namespaces
from examsys.modules.documents.blueprint import bp as documents_bp
from examsys.modules.home.blueprint import bp as home_bp
from examsys.modules.people import api as people_api
from examsys.modules.people.blueprint import bp as people_bp
from examsys.modules.portal.blueprint import bp as portal_bp
from examsys.modules.proctoring.blueprint import bp as proctoring_bp
from examsys.modules.registration.blueprint import bp as registration_bp
from examsys.modules.scheduling import api as scheduling_api
from examsys.modules.scheduling import rooms_api
from examsys.modules.scheduling.blueprint import bp as scheduling_bp
from examsys.modules.scheduling.rooms_blueprint import bp as rooms_bp
from examsys.modules.tickets import api as tickets_api
from examsys.modules.tickets.blueprint import bp as tickets_bp

WEB_BLUEPRINTS = (
    accounts_bp,
    home_bp,
    portal_bp,
    catalog_bp,
    people_bp,
    registration_bp,
    banks_bp,
    rooms_bp,
    scheduling_bp,
    tickets_bp,
    documents_bp,
    delivery_bp,
    exam_admin_bp,
    exam_options_bp,
    proctoring_bp,
    calendar_bp,
    audit_bp,
)
API_BLUEPRINTS = (accounts_api.blp, catalog_api.blp, people_api.blp, banks_api.blp, rooms_api.blp, scheduling_api.blp,
                 tickets_api.blp)  # fmt: skip


# Socket.IO namespaces, created fresh for the extension's first registration.
def SOCKET_NAMESPACES():
    return [*delivery_namespaces()]


def register_blueprints(app: Flask) -> None:
    for bp in WEB_BLUEPRINTS:
        app.register_blueprint(bp)
    for blp in API_BLUEPRINTS:
        csrf.exempt(blp)
        api.register_blueprint(blp)
