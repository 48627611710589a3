"""Serializers of commitment letters (信用承诺书): the upload, the staff decision, the letter, and the
public list (信用承诺公示) with its filter."""

from rest_framework import serializers

from ..models import CommitmentLetter, Fulfilment
from .files import private_file_url


class LetterUploadSerializer(serializers.Serializer):
    committed_on = serializers.DateField(
        help_text="承诺作出日期（承诺书签署日期）YYYY-MM-DD，不早于 1990-01-01，不能晚于今天"
    )
    file = serializers.FileField(help_text="签章后的信用承诺书：PDF、JPEG 或 PNG，按内容识别")


class LetterDecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField(help_text="true 受理（生成承诺编码并公示），false 退回")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="审核意见，退回时必填")
    valid_until = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="承诺有效期至；空为长期"
    )


class LetterSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.uscc", read_only=True)
    fulfilment = serializers.ChoiceField(
        choices=Fulfilment.choices, allow_blank=True, read_only=True, help_text="承诺履行状态（受理前为空）"
    )
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    file_url = serializers.SerializerMethodField(help_text="签章承诺书文件（经权限校验的下载地址）")

    class Meta:
        model = CommitmentLetter
        fields = [
            "id",
            "code",
            "customer",
            "customer_name",
            "commitment_type",
            "committed_on",
            "valid_until",
            "status",
            "fulfilment",
            "unfulfilled_content",
            "liability_pursued",
            "uploaded_at",
            "decided_at",
            "decision_note",
            "file_url",
        ]
        read_only_fields = fields

    def get_file_url(self, letter: CommitmentLetter) -> str | None:
        return private_file_url("letter", letter, "file")


class PublicLetterSerializer(serializers.ModelSerializer):
    """A row of the public list (信用承诺公示): what clause 5 makes public, nothing more."""

    customer = serializers.CharField(source="customer.uscc", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    commitment_type_label = serializers.CharField(source="get_commitment_type_display", read_only=True)
    fulfilment_label = serializers.CharField(source="get_fulfilment_display", read_only=True)
    fulfilment = serializers.ChoiceField(
        choices=Fulfilment.choices, allow_blank=True, read_only=True, help_text="承诺履行状态（受理前为空）"
    )

    class Meta:
        model = CommitmentLetter
        fields = [
            "code",
            "customer",
            "customer_name",
            "commitment_type",
            "commitment_type_label",
            "committed_on",
            "valid_until",
            "fulfilment",
            "fulfilment_label",
        ]
        read_only_fields = fields


class PublicLetterFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="企业名称片段、统一社会信用代码或承诺编码前缀"
    )
