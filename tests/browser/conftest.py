"""Browser tests: the real app on a local port, driven by Debian's Chromium via Playwright.

The whole directory is skipped, with the reason, when ``/usr/bin/chromium`` is missing or
the ``playwright`` package cannot be imported. (The check cannot raise ``pytest.skip`` while
this conftest is imported: pytest loads it before collection when ``tests/browser`` is named
on the command line and would crash instead of skipping, so the items are marked below.)

The server is a separate app with its own SQLite file and real commits, CSRF protection
on, and a small demo school; the shared test database and the rolled-back per-test
transaction of ``tests/conftest.py`` are not used here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from examsys import create_app
from examsys.core.audit import acting_as
from examsys.core.db import db
from examsys.modules.demo.operations import load_demo
from examsys.modules.demo.school import DEMO_PASSWORD

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError as error:  # pragma: no cover - depends on the environment
    sync_playwright = None
    _PLAYWRIGHT_ERROR = f"the playwright package cannot be imported ({error})"
else:
    _PLAYWRIGHT_ERROR = None

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER_TESTS = Path(__file__).resolve().parent
DEFAULT_TIMEOUT_MS = 5_000


def _unavailable() -> str | None:
    if _PLAYWRIGHT_ERROR:
        return _PLAYWRIGHT_ERROR
    if not CHROMIUM.exists():
        return f"{CHROMIUM} does not exist (apt-get install chromium)"
    return None


SKIP_REASON = _unavailable()


def pytest_collection_modifyitems(config, items):
    if SKIP_REASON is None:
        return
    marker = pytest.mark.skip(reason=f"browser tests skipped: {SKIP_REASON}")
    for item in items:
        if item.path.is_relative_to(BROWSER_TESTS):
            item.add_marker(marker)


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    with serve_demo(tmp_path_factory.mktemp("live")) as server:
        yield server


@contextmanager
def serve_demo(root: Path) -> Iterator[LiveServer]:
    """A demo school served on a free local port from its own SQLite file under ``root``.

    A module that needs a school of its own (a sitting set up differently, say) overrides
    ``live_server`` with this; ``page`` then opens that server.
    """
    # Always SQLite, even when EXAMSYS_TEST_DATABASE_URL points the rest of the suite at
    # PostgreSQL: the browser tests check pages, not the database, so keep them simple.
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'live.sqlite3'}",
            "INSTANCE_DIR": str(root / "instance"),
            "MEDIA_DIR": str(root / "instance" / "media"),
            "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
            "REDIS_URL": None,
            # As in tests/conftest.py: production-cost Argon2 would make the 13 demo
            # accounts and the many sign-ins dominate the run.
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
            # WTF_CSRF_ENABLED is left at its default (on): the browser posts real forms.
        }
    )
    with app.app_context():
        upgrade()
        with acting_as("test"):
            load_demo(candidates=60, public=3, photos=False)
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="examsys-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[Page]:
    """A fresh page in its own context (no cookies shared between tests), locale zh-CN.

    Any answer of 500 or above seen by the page fails the test at teardown.
    """
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    server_errors: list[str] = []
    page.on(
        "response",
        lambda r: server_errors.append(f"{r.status} {r.request.method} {r.url}") if r.status >= 500 else None,
    )
    try:
        yield page
    finally:
        context.close()
    if server_errors:
        pytest.fail(f"server errors during the test: {server_errors}")


@pytest.fixture
def sign_in(page) -> Callable[..., Page]:
    """Sign in through the login form, as a person would."""

    def do_sign_in(username: str, password: str = DEMO_PASSWORD) -> Page:
        page.goto("/login")
        page.get_by_label("用户名", exact=True).fill(username)
        page.get_by_label("密码", exact=True).fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        return page

    return do_sign_in
