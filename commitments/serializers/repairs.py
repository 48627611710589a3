"""Serializers of credit repair (信用修复): the application, a repair at source, the proposal and the
decision, the application as everyone sees it, and the counts."""

from rest_framework import serializers

from ..models import RepairApplication, RepairRecommendation, RepairRoute, RepairStatus
from .files import private_file_url


def _username(user) -> str | None:
    return user.username if user is not None else None


UPLOAD = "PDF、JPEG 或 PNG，按内容识别"


class RepairCreateSerializer(serializers.Serializer):
    event = serializers.IntegerField(help_text="失信记录 id（企业用户：本企业档案中的）")
    evidence = serializers.FileField(help_text=f"纠正失信行为、履行相关义务的证明材料（缴费凭证等）：{UPLOAD}")
    rectification_report = serializers.FileField(required=False, help_text=f"整改报告（可选）：{UPLOAD}")
    committed_on = serializers.DateField(help_text="信用修复承诺书签署日期 YYYY-MM-DD，不早于 1990-01-01，不能晚于今天")
    commitment_file = serializers.FileField(help_text=f"签章的信用修复承诺书：{UPLOAD}")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="情况说明")
    paper_application = serializers.FileField(
        required=False, help_text=f"营业厅代为登记时必传：企业签章的纸质申请书扫描件，{UPLOAD}"
    )


class SourceRepairSerializer(serializers.Serializer):
    event = serializers.IntegerField(help_text="其他机关认定的失信记录（失信行为 dishonesty）id")
    source_body = serializers.CharField(max_length=100, help_text="作出修复的认定机关")
    repaired_on = serializers.DateField(help_text="认定机关作出修复的日期 YYYY-MM-DD，不能晚于今天")
    evidence = serializers.FileField(help_text=f"认定机关修复的证明材料：{UPLOAD}")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RepairProposalSerializer(serializers.Serializer):
    recommendation = serializers.ChoiceField(choices=RepairRecommendation.choices)
    note = serializers.CharField(help_text="审查意见")
    correction_confirmed = serializers.BooleanField(
        required=False, default=False, help_text="已核实纠正失信行为、履行相关义务（非欠费类记录建议修复时须为 true）"
    )


class RepairDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true 予以信用修复（该记录即日修复并重新评定），false 不予修复")
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="不予修复时必填：缺少的材料或未完成的整改"
    )


class RepairSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.uscc", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    event_type = serializers.CharField(source="event.type", read_only=True)
    event_occurred_on = serializers.DateField(source="event.occurred_on", read_only=True)
    route = serializers.ChoiceField(choices=RepairRoute.choices, read_only=True)
    status = serializers.ChoiceField(choices=RepairStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    letter_code = serializers.CharField(
        source="letter.code", read_only=True, allow_null=True, default=None, help_text="公示的信用修复承诺编码"
    )
    report = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    recommendation = serializers.SerializerMethodField(help_text="审查建议（approve/refuse），未审查为 null")
    review_note = serializers.SerializerMethodField(help_text="审查意见")
    proposed_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.SerializerMethodField()
    decision_note = serializers.SerializerMethodField(help_text="决定意见；不予修复时为缺少的材料")
    evidence_url = serializers.SerializerMethodField()
    commitment_url = serializers.SerializerMethodField()

    class Meta:
        model = RepairApplication
        fields = [
            "id",
            "customer",
            "customer_name",
            "event",
            "event_type",
            "event_occurred_on",
            "route",
            "status",
            "status_label",
            "note",
            "source_body",
            "committed_on",
            "report",
            "filed_at_counter",
            "submitted_at",
            "decision_due_on",
            "recommendation",
            "review_note",
            "proposed_by",
            "decided_by",
            "decided_at",
            "decision_note",
            "repaired_on",
            "letter_code",
            "evidence_url",
            "commitment_url",
        ]
        read_only_fields = fields

    @staticmethod
    def _proposal(application):
        return getattr(application, "proposal", None)

    def get_recommendation(self, application) -> str | None:
        proposal = self._proposal(application)
        return proposal.recommendation if proposal else None

    def get_review_note(self, application) -> str:
        proposal = self._proposal(application)
        return proposal.reason if proposal else ""

    def get_proposed_by(self, application) -> str | None:
        proposal = self._proposal(application)
        return _username(proposal.requested_by) if proposal else None

    def get_decided_by(self, application) -> str | None:
        proposal = self._proposal(application)
        return _username(proposal.decided_by) if proposal else None

    def get_decided_at(self, application) -> str | None:
        proposal = self._proposal(application)
        value = proposal.decided_at if proposal else None
        return serializers.DateTimeField().to_representation(value) if value else None

    def get_decision_note(self, application) -> str:
        proposal = self._proposal(application)
        return proposal.decision_note if proposal else application.note

    def get_evidence_url(self, application) -> str | None:
        return private_file_url("repair-evidence", application, "evidence")

    def get_commitment_url(self, application) -> str | None:
        return private_file_url("repair-commitment", application, "commitment_file")


class RepairCountsSerializer(serializers.Serializer):
    submitted = serializers.IntegerField(help_text="待审查")
    proposed = serializers.IntegerField(help_text="待班组长决定")
    approved = serializers.IntegerField(help_text="予以修复")
    refused = serializers.IntegerField(help_text="不予修复")
    overdue = serializers.IntegerField(help_text="逾期未办结")
    at_source = serializers.IntegerField(help_text="登记的认定机关修复")
    total = serializers.IntegerField(help_text="申请总数（不含认定机关修复）")
