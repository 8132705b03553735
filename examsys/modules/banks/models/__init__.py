"""Bank models: knowledge structure, theory items with revisions, practical tasks, papers."""

from examsys.modules.banks.models.items import Item, ItemRevision, ItemStatus
from examsys.modules.banks.models.knowledge import Category, Importance, KnowledgeArea, KnowledgeElement, KnowledgeUnit
from examsys.modules.banks.models.papers import Blueprint, BlueprintPart, Paper, PaperItem
from examsys.modules.banks.models.tasks import MarkingItem, PracticalTask

__all__ = [
    "Blueprint",
    "BlueprintPart",
    "Category",
    "Importance",
    "Item",
    "ItemRevision",
    "ItemStatus",
    "KnowledgeArea",
    "KnowledgeElement",
    "KnowledgeUnit",
    "MarkingItem",
    "Paper",
    "PaperItem",
    "PracticalTask",
]
