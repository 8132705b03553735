"""The declared table of scheduled jobs, one entry per job id, for the one scheduler process."""

from examsys.modules.delivery.tasks import JOBS as DELIVERY_JOBS
from examsys.modules.documents.tasks import JOBS as DOCUMENT_JOBS
from examsys.modules.proctoring.cameras.tasks import JOBS as CAMERA_JOBS
from examsys.modules.proctoring.tasks import JOBS as PROCTORING_JOBS

JOBS = (*DELIVERY_JOBS, *PROCTORING_JOBS, *DOCUMENT_JOBS, *CAMERA_JOBS)
