"""The application factory: a readable checklist of configuration steps."""

from __future__ import annotations

from typing import Any

from flask import Flask

from examsys import models  # noqa: F401 - registers every table on the metadata
from examsys.cli import register_commands
from examsys.core import realtime
from examsys.core.config import PROJECT_ROOT, load_config
from examsys.core.db import configure_sqlite
from examsys.core.extensions import api, babel, csrf, db, login_manager, migrate, socketio
from examsys.modules.delivery import front as exam_front
from examsys.web import auth, i18n, plumbing
from examsys.web.registry import SOCKET_NAMESPACES, register_blueprints


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build an examsys app; ``config`` overrides defaults and ``EXAMSYS_*`` variables."""
    app = Flask(
        "examsys",
        root_path=str(PROJECT_ROOT / "examsys"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.update(load_config(config))
    configure_database(app)
    configure_auth(app)
    configure_i18n(app)
    configure_api(app)
    configure_realtime(app)
    configure_blueprints(app)
    configure_request_plumbing(app)
    configure_cli(app)
    exam_front.install(app)  # outermost: the exam page's beats and saves skip every layer below
    return app


def configure_database(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    with app.app_context():
        configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT"])


def configure_auth(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    auth.configure(login_manager)


def configure_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.register_filters(app)


def configure_api(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "examsys API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
            "security": [{"token": []}],
        },
    )
    api.init_app(app)


def configure_realtime(app: Flask) -> None:
    # The extension is one object for every app this process creates (tests create many):
    # namespaces are registered once, before init_app hands them to each new server.
    registered = {ns.namespace for ns in socketio.namespace_handlers}
    for namespace in SOCKET_NAMESPACES():
        if namespace.namespace not in registered:
            socketio.on_namespace(namespace)
    socketio.init_app(app, client_manager=realtime.message_queue(app.config), async_mode="threading")
    realtime.install()


def configure_blueprints(app: Flask) -> None:
    register_blueprints(app)


def configure_request_plumbing(app: Flask) -> None:
    plumbing.configure(app)


def configure_cli(app: Flask) -> None:
    register_commands(app)
