"""Locale and time zone selection, and display filters."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, session
from flask_babel import get_locale
from flask_login import current_user

SUPPORTED_LOCALES = ("zh_Hans_CN", "en")


def select_locale() -> str:
    if not has_request_context():  # CLI, jobs: the centre's default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in SUPPORTED_LOCALES:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["DISPLAY_TIMEZONE"]


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC datetime shown in the centre's time zone."""
    if value is None:
        return ""
    tz = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    return value.astimezone(tz).strftime(fmt)


def datefmt(value: date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def html_lang() -> str:
    return "en" if str(get_locale()) == "en" else "zh-CN"


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["datefmt"] = datefmt
    app.jinja_env.globals["html_lang"] = html_lang
