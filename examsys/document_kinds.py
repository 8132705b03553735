"""The declared table of bulk document kinds: kind -> renderer(params, progress) -> Output.

Queued with ``documents.queue.enqueue(kind, params, title)`` and rendered by the scheduler's
``documents.render`` background job.
"""

from examsys.modules.tickets.rendering import render_tickets_job
from examsys.modules.tickets.room_papers import render_room_papers_job

DOCUMENT_KINDS = {
    "tickets": render_tickets_job,
    "room_papers": render_room_papers_job,
}
