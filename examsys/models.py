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
from examsys.modules.delivery.models import (
    Answer,
    Attempt,
    AttemptEvent,
    BatchResultOption,
    KeyCorrection,
    RoomClock,
    SessionOptions,
    SessionPaper,
)
from examsys.modules.documents.models import DocumentJob
from examsys.modules.people.models import HeldCertificate, IdentityDocument, Person
from examsys.modules.proctoring.cameras.models import Camera, Gap, IncidentSnapshot, Segment  # noqa: F401
from examsys.modules.proctoring.models import CheckIn, Incident
from examsys.modules.registration.models import Application, Batch, OccupationGrant, ReviewDecision
from examsys.modules.scheduling.models import (
    ExaminerCard,
    ExamPlan,
    ExamSession,
    Placement,
    Recusal,
    Room,
    Seat,
    StaffAssignment,
    StaffingRatio,
    Station,
    TeachingRecord,
)
from examsys.modules.tickets.models import Ticket, TicketLayout, TicketRelease

__all__ = [
    "Answer",
    "ApiToken",
    "Application",
    "Attempt",
    "AttemptEvent",
    "AuditEntry",
    "AuditHead",
    "Batch",
    "BatchResultOption",
    "Blueprint",
    "BlueprintPart",
    "CalendarOverride",
    "CertifiableLevel",
    "CertificationBody",
    "CheckIn",
    "College",
    "DocumentJob",
    "ExamPlan",
    "ExamSession",
    "ExaminerCard",
    "HeldCertificate",
    "IdentityDocument",
    "Incident",
    "Item",
    "ItemRevision",
    "Job",
    "KeyCorrection",
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
    "Placement",
    "PracticalTask",
    "Recusal",
    "ReviewDecision",
    "Room",
    "RoomClock",
    "Seat",
    "SessionOptions",
    "SessionPaper",
    "StaffAssignment",
    "StaffingRatio",
    "Station",
    "TeachingRecord",
    "Ticket",
    "TicketLayout",
    "TicketRelease",
    "User",
    "UserRole",
]
