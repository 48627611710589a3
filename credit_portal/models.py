"""The one table of the bottom layer: writes a client may send twice, answered once."""

from django.db import models


class RequestScope(models.TextChoices):
    API = "api", "接口请求（Idempotency-Key）"
    FORM = "form", "网页表单（一次性令牌）"


class IdempotentRequest(models.Model):
    """A write claimed by its key: the same key again gets the first answer, not a second write.

    The row is inserted in the transaction of the write itself, so a second request with the key waits
    for the first and then reads its answer (or runs, if the first rolled back). Kept for a day.
    """

    scope = models.CharField("类别", max_length=4, choices=RequestScope.choices)
    # "user:<id>" or "anonymous": keys are the client's own, so they are scoped to whoever sent them.
    owner = models.CharField("提交者", max_length=40)
    key = models.CharField("幂等键", max_length=255)
    fingerprint = models.CharField("请求摘要", max_length=64, blank=True)
    status_code = models.PositiveSmallIntegerField("首次应答状态", null=True, blank=True)
    body = models.JSONField("首次应答内容", null=True, blank=True)
    location = models.CharField("首次结果地址", max_length=2000, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "幂等请求"
        verbose_name_plural = "幂等请求"
        constraints = [models.UniqueConstraint(fields=["scope", "owner", "key"], name="one_request_per_key")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.owner}:{self.key}"
