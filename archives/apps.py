from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArchivesConfig(AppConfig):
    name = "archives"
    verbose_name = "电力用户信用档案"

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        from credit_portal.roles import ensure_roles

        # Whatever decodes an image in this process (an upload check, a PDF) stops at the uploads' limit.
        Image.MAX_IMAGE_PIXELS = settings.UPLOAD_MAX_IMAGE_PIXELS

        # Groups and their permissions are data the portal cannot run without: keep them in step
        # with the code after every migrate, on every database. No sender: the roles name
        # permissions of several apps, which exist only once each app's post_migrate has run.
        post_migrate.connect(ensure_roles, dispatch_uid="archives.ensure_roles")

        from credit_portal.auth_backends import connect_invalidation

        # Cached permission sets (CachedPermissionsBackend) go stale with any change of who may do what.
        connect_invalidation()

        from credit_portal.navigation import register_queue_count

        from . import selectors
        from .exports import customer_export_build
        from .services.jobs import register_file_job

        register_file_job("customers", permission="archives.view_all_archives", builder=customer_export_build)

        from credit_portal.retention import register_retention

        from .services.personal_data import identity_access_log_forget

        register_retention("identity_access_log", identity_access_log_forget)

        from credit_portal.metrics import register_metrics

        from .metrics import jobs_metrics

        register_metrics("archives_jobs", jobs_metrics)

        from .models import EventRevocation, PublicCreditReport

        register_queue_count(
            "reports",
            permission="archives.verify_publiccreditreport",
            queryset=selectors.reports_awaiting_verification,
            changed_by=[PublicCreditReport],
        )
        register_queue_count(
            "revocations",
            permission="archives.approve_revocation",
            queryset=selectors.pending_revocations,
            changed_by=[EventRevocation],
        )
