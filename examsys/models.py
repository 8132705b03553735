"""Every model module, imported once so the metadata (and Alembic) sees all tables."""

from examsys.core.audit import AuditEntry, AuditHead
from examsys.core.calendar import CalendarOverride
from examsys.modules.accounts.models import ApiToken, LoginFailure, User, UserRole
from examsys.modules.catalog.models import CertifiableLevel, CertificationBody, College, Job, Level, Major, Occupation
from examsys.modules.people.models import IdentityDocument, Person
from examsys.modules.scheduling.models import Room, Seat, Station

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "CalendarOverride",
    "CertifiableLevel",
    "CertificationBody",
    "College",
    "IdentityDocument",
    "Job",
    "Level",
    "LoginFailure",
    "Major",
    "Occupation",
    "Person",
    "Room",
    "Seat",
    "Station",
    "User",
    "UserRole",
]
