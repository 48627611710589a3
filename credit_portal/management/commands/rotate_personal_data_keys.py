"""Re-encrypt every stored identity number with the newest key of PERSONAL_DATA_KEYS.

Rotation: put the new key first in PERSONAL_DATA_KEYS (keep the old ones after it), restart, run this
command, then drop the old keys. Running it again is harmless; values no key opens are counted, never
overwritten.
"""

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models.functions import Cast

from credit_portal.personal_data import EncryptedTextField, rotate


class Command(BaseCommand):
    help = "用 PERSONAL_DATA_KEYS 的第一个（最新）密钥重新加密全部证件号码（含审计历史）"

    def handle(self, *args, **options) -> None:
        rotated = unreadable = 0
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, EncryptedTextField):
                    continue
                # The stored token itself, not the decrypted value the field would give.
                rows = (
                    model._default_manager.exclude(**{field.attname: ""})
                    .annotate(token=Cast(field.attname, models.TextField()))
                    .values_list("pk", "token")
                )
                for pk, token in rows.iterator(chunk_size=1000):
                    try:
                        fresh = rotate(token)
                    except InvalidToken:
                        unreadable += 1
                        continue
                    with transaction.atomic():
                        model._default_manager.filter(pk=pk).update(
                            **{field.attname: models.Value(fresh, output_field=models.TextField())}
                        )
                    rotated += 1
        self.stdout.write(f"已重新加密 {rotated} 个值；无法用现有密钥解密 {unreadable} 个。")
        if unreadable:
            self.stderr.write("有值无法解密：请把加密它们的旧密钥加入 PERSONAL_DATA_KEYS 后重新运行。")
