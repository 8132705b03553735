"""The ticket's QR code: a signed reference (ticket id, number, version) the check-in desk verifies.

The code is an itsdangerous token signed with the app's secret key, so a forged or altered
code fails the signature, and a code from before a reprint fails the version check.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "examsys.ticket.v1"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def sign(ticket_id: int, number: str, version: int) -> str:
    return _serializer().dumps([ticket_id, number, version])


def unsign(code: str) -> tuple[int, str, int] | None:
    """(ticket id, number, version), or None when the code is not one we signed."""
    try:
        value = _serializer().loads(code.strip())
    except (BadSignature, UnicodeError, ValueError):
        return None
    if not (isinstance(value, list) and len(value) == 3):
        return None
    ticket_id, number, version = value
    if not (isinstance(ticket_id, int) and isinstance(number, str) and isinstance(version, int)):
        return None
    return ticket_id, number, version
