"""Scheduling models: rooms and seats, the exam plan and its sessions, placements, staffing."""

from examsys.modules.scheduling.models.placements import Placement
from examsys.modules.scheduling.models.plans import ExamPlan, ExamSession, PlanStatus, SessionKind, plan_batches
from examsys.modules.scheduling.models.rooms import ROOM_KIND_TITLES, Room, RoomKind, Seat, Station
from examsys.modules.scheduling.models.staffing import (
    ExaminerCard,
    Recusal,
    RecusalKind,
    StaffAssignment,
    StaffingRatio,
    StaffRole,
    TeachingRecord,
)

__all__ = [
    "ROOM_KIND_TITLES",
    "ExamPlan",
    "ExamSession",
    "ExaminerCard",
    "Placement",
    "PlanStatus",
    "Recusal",
    "RecusalKind",
    "Room",
    "RoomKind",
    "Seat",
    "SessionKind",
    "StaffAssignment",
    "StaffRole",
    "StaffingRatio",
    "Station",
    "TeachingRecord",
    "plan_batches",
]
