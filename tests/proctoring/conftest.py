"""Proctoring reuses the machine-test fixtures (a sitting with prepared attempts)."""

from tests.delivery.conftest import exam, make_exam  # noqa: F401 - fixtures
