"""Deny by default: every route refuses an anonymous user and every role not allowed."""

from __future__ import annotations

import pytest
from flask import Flask

from examsys import create_app
from examsys.core.permissions import ALL_ROLES, PUBLIC_ENDPOINTS, SEAT_PERMISSION, Role, endpoint_permission, roles_with
from tests.conftest import PASSWORD

SKIP_METHODS = {"HEAD", "OPTIONS"}


def _url(rule) -> str:
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg]
        if type(converter).__name__ == "AnyConverter":
            values[arg] = sorted(converter.items)[0]
        elif type(converter).__name__ in {"IntegerConverter", "FloatConverter"}:
            values[arg] = 1
        else:
            values[arg] = "2026-01-01"
    return rule.build(values, append_unknown=False)[1]


def _routes(app: Flask):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - SKIP_METHODS):
            yield rule.endpoint, method, _url(rule)


def _request(client, method: str, url: str):
    return client.open(url, method=method, data={}, follow_redirects=False)


def test_every_non_public_route_declares_a_permission(app):
    with app.test_request_context():
        undeclared = [
            (endpoint, method)
            for endpoint, method, _url_ in _routes(app)
            if endpoint not in PUBLIC_ENDPOINTS and endpoint_permission(endpoint, method) is None
        ]
    assert undeclared == []


def test_anonymous_is_refused_everywhere_but_the_public_list(app, client):
    routes = [r for r in _routes(app) if r[0] not in PUBLIC_ENDPOINTS]
    assert len(routes) > 30
    for endpoint, method, url in routes:
        response = _request(client, method, url)
        if url.startswith("/api/"):
            assert response.status_code == 401, (endpoint, method, response.status_code)
        elif endpoint.startswith("delivery."):
            # The exam pages take no account login: without the seat token they send the
            # browser to the exam login (pages) or answer 401 (JSON calls).
            assert response.status_code in (302, 401), (endpoint, method, response.status_code)
            if response.status_code == 302:
                assert "/exam/login" in response.headers["Location"], endpoint
        else:
            assert response.status_code == 302, (endpoint, method, response.status_code)
            assert "/login" in response.headers["Location"], endpoint


def test_public_list_is_short_and_reachable(app, client):
    assert {
        "static",
        "accounts.login",
        "accounts.set_locale",
        "api-docs.openapi_json",
        "delivery.login",
    } == PUBLIC_ENDPOINTS
    assert client.get("/login").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200


@pytest.fixture
def role_clients(app, make_user):
    """A logged-in test client for each role, each user holding only that role."""
    clients = {}
    for role in Role:
        user = make_user(role)
        client = app.test_client()
        assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
        clients[role] = client
    return clients


def test_wrong_roles_are_refused_on_every_route(app, role_clients):
    checked = 0
    with app.test_request_context():
        routes = [(e, m, u, endpoint_permission(e, m)) for e, m, u in _routes(app) if e not in PUBLIC_ENDPOINTS]
    for endpoint, method, url, permission in routes:
        if permission == SEAT_PERMISSION:
            continue  # no account role opens the exam: see test_staff_logins_do_not_open_the_exam
        for role in ALL_ROLES - roles_with(permission):
            response = _request(role_clients[role], method, url)
            assert response.status_code == 403, (endpoint, method, role, response.status_code)
            checked += 1
    assert checked > 100


def test_staff_logins_do_not_open_the_exam(app, role_clients):
    """The exam pages ignore account logins: only a candidate's seat token opens them."""
    for role, client in role_clients.items():
        assert client.get("/exam/state").status_code == 401, role
        assert client.post("/exam/save", json={"changes": []}).status_code == 401, role
        page = client.get("/exam/")
        assert page.status_code == 302 and "/exam/login" in page.headers["Location"], role


def test_allowed_roles_get_the_pages_without_parameters(app, role_clients):
    with app.test_request_context():
        routes = [
            (rule.endpoint, rule.rule, endpoint_permission(rule.endpoint, "GET"))
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods
            and not rule.arguments
            and rule.endpoint not in PUBLIC_ENDPOINTS
            and not rule.endpoint.startswith("delivery.")
        ]
    assert len(routes) > 10
    for endpoint, url, permission in routes:
        for role in roles_with(permission):
            response = role_clients[role].get(url)
            assert response.status_code in (200, 302), (endpoint, role, response.status_code)


def test_a_route_without_a_declaration_is_refused(app, app_config, db_session):
    other = create_app(app_config)
    other.test_client_class = app.test_client_class
    other.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    client = other.test_client()
    assert client.get("/forgotten").status_code == 403
