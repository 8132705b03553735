"""JSON API plumbing: blueprints under /api/v1, class-based views with declared permissions."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

API_PREFIX = "/api/v1"


def api_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    return Blueprint(name, import_name, url_prefix=API_PREFIX, description=description)


class ApiView(MethodView):
    """Base for API views: subclasses set ``permissions = {"GET": "catalog.view", ...}``."""

    permissions: dict[str, str] = {}


class PaginationArgs(Schema):
    page = fields.Integer(load_default=1, validate=lambda n: n >= 1)
    per_page = fields.Integer(load_default=50, validate=lambda n: 1 <= n <= 500)


class PageSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()


def is_token_request() -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")
