"""The serializer of a public credit report an enterprise or a DRC officer uploads."""

from rest_framework import serializers


class ReportSubmissionSerializer(serializers.Serializer):
    customer = serializers.CharField(max_length=30, help_text="企业统一社会信用代码（企业用户只能是本企业）")
    issued_on = serializers.DateField(help_text="报告出具日期 YYYY-MM-DD，不早于 1990-01-01，不能晚于今天")
    file = serializers.FileField(help_text="《江苏省法人公共信用信息查询报告》：PDF、JPEG 或 PNG")
