"""Every model module, imported once so the metadata (and Alembic) sees all tables."""

from examsys.core.audit import AuditEntry, AuditHead
from examsys.core.calendar import CalendarOverride
from examsys.modules.accounts.models import ApiToken, LoginFailure, User, UserRole
from examsys.modules.banks.models import (
    Blueprint,
    BlueprintPart,
    Item,
    ItemRevision,
    KnowledgeArea,
    KnowledgeElement,
    KnowledgeUnit,
    MarkingItem,
    Paper,
    PaperItem,
    PracticalTask,
)
from examsys.modules.catalog.models import CertifiableLevel, CertificationBody, College, Job, Level, Major, Occupation
from examsys.modules.people.models import IdentityDocument, Person
from examsys.modules.scheduling.models import Room, Seat, Station

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Blueprint",
    "BlueprintPart",
    "CalendarOverride",
    "CertifiableLevel",
    "CertificationBody",
    "College",
    "IdentityDocument",
    "Item",
    "ItemRevision",
    "Job",
    "KnowledgeArea",
    "KnowledgeElement",
    "KnowledgeUnit",
    "Level",
    "LoginFailure",
    "Major",
    "MarkingItem",
    "Occupation",
    "Paper",
    "PaperItem",
    "Person",
    "PracticalTask",
    "Room",
    "Seat",
    "Station",
    "User",
    "UserRole",
]
