"""Flask extensions, created unbound here and bound in ``create_app``."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_socketio import SocketIO
from flask_wtf import CSRFProtect

from examsys.core.db import db

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate()
api = Api()
# threading mode keeps the test and CLI paths simple; production serving picks gevent.
socketio = SocketIO()

__all__ = ["api", "babel", "csrf", "db", "login_manager", "migrate", "socketio"]
