"""REST API of the enterprise side: registrations, commitment letters, reports uploaded by an enterprise
or the DRC, power applications (with the green-channel queue and its turnaround), value-added service
requests, objections and credit repairs.

Reads are scoped by the `*_visible_to` selectors: another enterprise's record answers 404. Staff actions
need their role's permission (403 otherwise); an applicant acts only for its confirmed enterprise.
Bad input answers 400 with the field and the reason, and changes nothing.

One module per resource; the URLs (``commitments.api_urls``) name the views from here.
"""

from .applications import (
    ApplicationDetailApi,
    ApplicationListApi,
    ApplicationQueueApi,
    ApplicationStatusApi,
    ApplicationTurnaroundApi,
)
from .letters import LetterDecisionApi, LetterDetailApi, LetterListApi, PublicLetterListApi
from .objections import ObjectionDecisionApi, ObjectionDetailApi, ObjectionListApi, ObjectionReviewApi
from .registrations import RegistrationDecisionApi, RegistrationListApi
from .repairs import (
    RepairAtSourceApi,
    RepairCountsApi,
    RepairDecisionApi,
    RepairDetailApi,
    RepairListApi,
    RepairProposalApi,
)
from .reports import ReportSubmissionApi
from .service_requests import ServiceRequestListApi, ServiceRequestStatusApi

__all__ = [
    "ApplicationDetailApi",
    "ApplicationListApi",
    "ApplicationQueueApi",
    "ApplicationStatusApi",
    "ApplicationTurnaroundApi",
    "LetterDecisionApi",
    "LetterDetailApi",
    "LetterListApi",
    "ObjectionDecisionApi",
    "ObjectionDetailApi",
    "ObjectionListApi",
    "ObjectionReviewApi",
    "PublicLetterListApi",
    "RegistrationDecisionApi",
    "RegistrationListApi",
    "RepairAtSourceApi",
    "RepairCountsApi",
    "RepairDecisionApi",
    "RepairDetailApi",
    "RepairListApi",
    "RepairProposalApi",
    "ReportSubmissionApi",
    "ServiceRequestListApi",
    "ServiceRequestStatusApi",
]
