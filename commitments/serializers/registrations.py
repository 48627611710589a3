"""Serializers of enterprise registrations: the self-registration form, what its caller gets back,
the registration as staff review it, and their decision."""

from rest_framework import serializers

from archives.models import IDENTITY_TYPE_CHOICES
from archives.serializers import MaskedIdentityField, identity_type_field

from .. import privacy
from ..models import EnterpriseRegistration


class RegistrationCreateSerializer(serializers.Serializer):
    uscc = serializers.CharField(max_length=30, help_text="统一社会信用代码（18位，含校验码）")
    enterprise_name = serializers.CharField(max_length=200)
    contact_person = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, help_text="11位手机号，登录时用作用户名")
    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})
    password_again = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})
    id_type = serializers.ChoiceField(choices=IDENTITY_TYPE_CHOICES, help_text="注册人证件类型")
    id_number = serializers.CharField(
        max_length=30, write_only=True, help_text="注册人证件号码（居民身份证核验校验码）"
    )
    consent = serializers.BooleanField(
        required=False, default=False, help_text="已阅读并同意《个人信息处理告知书》（/privacy/）；未同意的注册被拒绝"
    )
    notice_version = serializers.CharField(
        required=False, default=privacy.NOTICE_VERSION, max_length=20, help_text="所同意的告知书版本，缺省为现行版本"
    )


class RegistrationReceivedSerializer(serializers.ModelSerializer):
    """What an anonymous caller gets back: only what it entered, the same for a USCC on file and one not
    (the match with an archive is for staff to see when they review, not for anyone to probe)."""

    customer = serializers.CharField(source="uscc", read_only=True, help_text="填报的统一社会信用代码")
    username = serializers.CharField(source="user.username", read_only=True)
    id_type = identity_type_field()
    id_number = MaskedIdentityField()

    class Meta:
        model = EnterpriseRegistration
        fields = [
            "id", "username", "customer", "enterprise_name", "contact_person", "phone", "id_type", "id_number",
            "status", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class RegistrationSerializer(RegistrationReceivedSerializer):
    """A registration as staff review it: with the archive its USCC matches, if any."""

    customer_name = serializers.SerializerMethodField(help_text="已有档案的名称；待确认时新建档案的为 null")

    class Meta(RegistrationReceivedSerializer.Meta):
        fields = [
            "id",
            "username",
            "customer",
            "customer_name",
            "enterprise_name",
            "contact_person",
            "phone",
            "id_type",
            "id_number",
            "created_customer",
            "status",
            "created_at",
            "decision_note",
            "decided_at",
        ]
        read_only_fields = fields

    def get_customer_name(self, registration: EnterpriseRegistration) -> str | None:
        return registration.customer.name if registration.customer else None


class RegistrationDecisionSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(help_text="true 确认绑定，false 不予确认")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="不予确认时必填")
