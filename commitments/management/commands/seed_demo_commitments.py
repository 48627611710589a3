"""Demo data of the enterprise side (`make run`, after `seed_demo`): the demo applicant's enterprise gets an
accepted credit commitment letter (信用承诺书) and a power application, so that the letter lists, the
no-property route and the application queue have something to show; and one 轻微 record of another
enterprise, repairable at once, gets a credit-repair application filed at the counter, for staff to
check and a second supervisor to decide (信用修复). Demo mode only; a second run adds nothing."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from archives import vocabulary
from archives.management.commands.seed_demo import DEMO_PDF
from archives.models import CreditEvent, EventStatus, Membership
from commitments import eligibility_selectors, repair_text, services
from commitments.models import ApplicationKind, ApplicationRoute, CommitmentLetter


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


class Command(BaseCommand):
    help = "为演示企业添加已受理的信用承诺书和一份用电申请（仅演示模式；重复运行不会重复添加）。"

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("seed_demo_commitments 仅在演示模式下可用。")
        membership = (
            Membership.objects.filter(user__username="applicant", confirmed_at__isnull=False)
            .select_related("customer", "user")
            .first()
        )
        staff = get_user_model().objects.filter(username="staff").first()
        if membership is None or staff is None:
            raise CommandError("请先运行 seed_demo（演示账号 applicant、staff 尚不存在）。")
        customer, applicant = membership.customer, membership.user
        if CommitmentLetter.objects.filter(customer=customer).exists():
            self.stdout.write(f"{customer.name} 已有信用承诺书，未重复添加。")
            return
        today = timezone.localdate()
        with transaction.atomic():
            letter = services.letter_upload(
                customer=customer, actor=applicant, committed_on=today - timedelta(days=30), file=_pdf("letter.pdf")
            )
            letter = services.letter_decide(
                letter=letter, accept=True, actor=staff, note="演示数据：材料齐全，予以受理"
            )
            # Without property documents where the enterprise qualifies (honest, clean report, the letter).
            qualifies = not eligibility_selectors.no_property_documents(customer, today=today).missing
            route = ApplicationRoute.NO_PROPERTY if qualifies else ApplicationRoute.PROPERTY
            services.application_submit(
                customer=customer,
                actor=applicant,
                kind=ApplicationKind.CAPACITY_INCREASE,
                address=customer.address or "淮安市淮阴区长江东路1号",
                capacity_kva=Decimal("400"),
                requested_on=today + timedelta(days=30),
                route=route,
                property_document=None if qualifies else _pdf("property.pdf"),
            )
            repair = self._repair_application(staff, exclude=customer)
        way = "暂无产权方式（信用报告＋信用承诺书）" if qualifies else "产权证明方式"
        self.stdout.write(f"{customer.name}：信用承诺书（承诺编码 {letter.code}）已受理；增容申请已按{way}提交。")
        if repair is not None:
            self.stdout.write(f"{repair.customer.name}：信用修复申请已由营业厅代为登记，待审查（信用修复）。")

    def _repair_application(self, staff, *, exclude):
        """A counter-filed repair of the first 轻微 record (repairable at once) of an enterprise without arrears."""
        event = (
            CreditEvent.objects.filter(
                status=EventStatus.IN_FORCE, repaired_on__isnull=True, dishonesty_class=vocabulary.MINOR_CLASS
            )
            .exclude(customer=exclude)
            .exclude(customer__accounts__arrears_since__isnull=False)
            .order_by("customer__name", "id")
            .first()
        )
        if event is None:
            return None
        return services.repair_apply(
            event=event,
            actor=staff,
            evidence=_pdf("receipt.pdf"),
            commitment_file=_pdf("repair-commitment.pdf"),
            committed_on=timezone.localdate(),
            paper_application=_pdf("paper-application.pdf"),
            note=f"演示数据：{repair_text.OBLIGATIONS[event.type]}，营业厅代为登记",
        )
