"""API serializers of the enterprise side, one module per resource: input serializers check shapes, the
services check meaning."""

from .applications import (
    ApplicationCreateSerializer,
    ApplicationSerializer,
    QueryDateField,
    StepChangeSerializer,
    StepSerializer,
    TurnaroundFilterSerializer,
    TurnaroundGroupSerializer,
    TurnaroundSerializer,
)
from .letters import (
    LetterDecisionSerializer,
    LetterSerializer,
    LetterUploadSerializer,
    PublicLetterFilterSerializer,
    PublicLetterSerializer,
)
from .objections import (
    ObjectionCreateSerializer,
    ObjectionDecisionSerializer,
    ObjectionReviewSerializer,
    ObjectionSerializer,
)
from .registrations import (
    RegistrationCreateSerializer,
    RegistrationDecisionSerializer,
    RegistrationReceivedSerializer,
    RegistrationSerializer,
)
from .repairs import (
    RepairCountsSerializer,
    RepairCreateSerializer,
    RepairDecisionSerializer,
    RepairProposalSerializer,
    RepairSerializer,
    SourceRepairSerializer,
)
from .reports import ReportSubmissionSerializer
from .service_requests import ServiceRequestCreateSerializer, ServiceRequestSerializer, ServiceStepChangeSerializer

__all__ = [
    "ApplicationCreateSerializer",
    "ApplicationSerializer",
    "LetterDecisionSerializer",
    "LetterSerializer",
    "LetterUploadSerializer",
    "ObjectionCreateSerializer",
    "ObjectionDecisionSerializer",
    "ObjectionReviewSerializer",
    "ObjectionSerializer",
    "PublicLetterFilterSerializer",
    "PublicLetterSerializer",
    "QueryDateField",
    "RegistrationCreateSerializer",
    "RegistrationDecisionSerializer",
    "RegistrationReceivedSerializer",
    "RegistrationSerializer",
    "RepairCountsSerializer",
    "RepairCreateSerializer",
    "RepairDecisionSerializer",
    "RepairProposalSerializer",
    "RepairSerializer",
    "ReportSubmissionSerializer",
    "ServiceRequestCreateSerializer",
    "ServiceRequestSerializer",
    "ServiceStepChangeSerializer",
    "SourceRepairSerializer",
    "StepChangeSerializer",
    "StepSerializer",
    "TurnaroundFilterSerializer",
    "TurnaroundGroupSerializer",
    "TurnaroundSerializer",
]
