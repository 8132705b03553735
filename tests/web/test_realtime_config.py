"""EXAMSYS_REDIS_URL makes Socket.IO use Redis as its message queue (any process can emit)."""

import socket

import pytest
import socketio as socketio_lib

from examsys import create_app
from examsys.core.extensions import socketio


def _redis_up() -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", 6379)) == 0


def test_without_redis_the_queue_is_in_process(app):
    assert app.config["REDIS_URL"] is None
    assert "Redis" not in type(socketio.server.manager).__name__


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_with_redis_the_message_queue_is_redis(app_config):
    other = create_app({**app_config, "REDIS_URL": "redis://127.0.0.1:6379/0"})
    try:
        manager = socketio.server.manager
        assert isinstance(manager, socketio_lib.RedisManager) and not manager.write_only  # it serves consoles
        assert manager.redis_url == "redis://127.0.0.1:6379/0"
    finally:
        create_app(app_config)  # rebind the shared extension to the plain test app
    assert other.config["REDIS_URL"] == "redis://127.0.0.1:6379/0"
