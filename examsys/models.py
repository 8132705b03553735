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
from examsys.modules.people.models import HeldCertificate, IdentityDocument, Person
from examsys.modules.registration.models import Application, Batch, OccupationGrant, ReviewDecision
from examsys.modules.scheduling.models import Room, Seat, Station

__all__ = [
    "ApiToken",
    "Application",
    "AuditEntry",
    "AuditHead",
    "Batch",
    "Blueprint",
    "BlueprintPart",
    "CalendarOverride",
    "CertifiableLevel",
    "CertificationBody",
    "College",
    "HeldCertificate",
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
    "OccupationGrant",
    "Paper",
    "PaperItem",
    "Person",
    "PracticalTask",
    "ReviewDecision",
    "Room",
    "Seat",
    "Station",
    "User",
    "UserRole",
]
