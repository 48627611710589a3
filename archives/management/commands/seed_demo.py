"""Demo data: four logins and about 200 enterprises whose archives produce every level."""

import contextlib
import io
import os
import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc

from archives import services, vocabulary
from archives.levels import with_level
from archives.models import Customer, Membership

DEMO_USERS = [
    # username, role, full name, password
    ("staff", "staff", "王芳", "demo-staff-2026"),
    ("supervisor", "supervisor", "李强", "demo-supervisor-2026"),
    ("supervisor2", "supervisor", "陈静", "demo-supervisor2-2026"),
    ("applicant", "applicant", "张伟（企业联系人）", "demo-applicant-2026"),
    ("drc", "drc", "刘洋（区发改委）", "demo-drc-2026"),
]
PLACES = ["淮阴", "王营", "码头", "渔沟", "徐溜", "刘老庄", "南陈集", "吴集", "丁集", "五里", "棉花庄", "赵集", "淮安"]
BRANDS = [
    "鑫源",
    "恒达",
    "华润",
    "金龙",
    "瑞丰",
    "宏发",
    "永盛",
    "天成",
    "博远",
    "嘉禾",
    "中诚",
    "新亚",
    "润泽",
    "协力",
    "远航",
    "德信",
]
INDUSTRIES = {
    "纺织": "纺织品有限公司",
    "食品": "食品有限公司",
    "机械制造": "机械制造有限公司",
    "新材料": "新材料科技有限公司",
    "电子": "电子科技有限公司",
    "建材": "建材有限公司",
    "物流": "物流有限公司",
    "商贸": "商贸有限公司",
    "医药": "医药有限公司",
    "农业": "农业发展有限公司",
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "建华",
    "志强",
]
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# A minimal valid PDF, standing in for the scanned report an enterprise would upload.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# Profiles: the events that put a customer at a level. (type, days ago, attributes)
PROFILES: dict[str, list[list[tuple]]] = {
    "green": [[]],
    "blue": [[], [("theft", 1800, {"amount_yuan": 3000})], [("late_payment", 700, {})]],
    "unrated": [[("late_payment", 100, {})]],
    "yellow": [
        [("late_payment", 40, {}), ("late_payment", 200, {})],
        [("meter_fault_refusal", 90, {})],
        [("safety_hazard_unrectified", 30, {}), ("safety_hazard_unrectified", 150, {})],
    ],
    "red": [
        [("theft", 120, {"amount_yuan": 86000})],
        [("grid_outage", 60, {"voltage_kv": 10})],
        [("facility_damage", 45, {"severity": "minor"})],
        [("malicious_complaint", 20, {})],
        [("dishonesty", 300, {"severity": "general"}), ("dishonesty", 80, {"severity": "serious"})],
        [("unauthorized_use", 50, {}), ("unauthorized_use", 250, {})],
    ],
    "black": [
        [("theft", 75, {"amount_yuan": 620000})],
        [("grid_outage", 33, {"voltage_kv": 35})],
        [("protection_zone_violation", 15, {})],
        [("orderly_use_refusal", 66, {})],
        [("order_disruption", 12, {})],
        [("facility_damage", 100, {"severity": "serious"})],
        [("meter_fault_refusal", d, {}) for d in (20, 120, 240)],
        [("late_payment", d, {}) for d in (10, 70, 130, 190, 250)],
    ],
}
# Arrears-driven profiles (days in arrears): yellow 2 months, red 4 months, black 7 months.
ARREARS = {"yellow": 70, "red": 125, "black": 215}
# A few blue customers one month behind with their bills: the plan leaves them blue; a rule set
# that warns from one month of arrears (yellow.1) would move them, which the impact report shows.
ONE_MONTH_BEHIND = 4
ONE_MONTH_BEHIND_DAYS = 40


class Command(BaseCommand):
    help = "Load demo data (demo mode only): logins staff/supervisor/applicant/drc and ~200 enterprises."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=200)
        parser.add_argument("--seed", type=int, default=2021)
        parser.add_argument("--logins", action="store_true", help="only print the demo logins and the address")

    def handle(self, *args, customers: int, seed: int, logins: bool = False, **options):
        if not settings.DEMO_MODE:
            raise CommandError("seed_demo 仅在演示模式下可用（PORTAL_DEMO_MODE=1），生产环境拒绝执行。")
        if logins:
            self._print_logins()
            return
        users = self._users()
        if Customer.objects.exists():
            self.stdout.write("演示数据已存在，跳过生成。")
        else:
            # The demo's reminders go to the console backend: one line each would bury the logins.
            notices = io.StringIO()
            with contextlib.redirect_stdout(notices):
                self._customers(users, count=customers, rng=random.Random(seed))
            sent = len(notices.getvalue().splitlines())
            self.stdout.write(f"已生成演示数据；演示提醒 {sent} 条已由控制台后端“发送”（内容从略）。")
        self._print_distribution()
        # The logins are printed once, last: by serve_demo once the server answers (or seed_demo --logins).
        self.stdout.write("演示账号：服务启动后列出（make run），或运行 manage.py seed_demo --logins 查看。")

    def _users(self) -> dict[str, User]:
        users = {}
        for username, role, full_name, password in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name = full_name
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            users[username] = user
        return users

    @transaction.atomic
    def _customers(self, users: dict[str, User], *, count: int, rng: random.Random) -> None:
        staff = users["staff"]
        today = timezone.localdate()
        levels = ["green", "blue", "unrated", "yellow", "red", "black"]
        for index in range(count):
            target = levels[index % len(levels)] if index < 150 else rng.choice(["green", "blue", "blue", "unrated"])
            customer = services.customer_create(actor=staff, **self._identity(index, rng))
            opened_on = today - timedelta(days=rng.randint(2000, 5000))
            by_arrears = target in ARREARS and rng.random() < 0.3
            prepaid = target == "green" or (target != "blue" and rng.random() < 0.4)
            for n in range(1 + (rng.random() < 0.25)):
                services.account_create(
                    customer=customer,
                    actor=staff,
                    number=f"32080{index:05d}{n}",
                    opened_on=opened_on,
                    payment_method="prepaid" if prepaid and not by_arrears else "postpaid",
                    arrears_since=today - timedelta(days=ARREARS[target]) if by_arrears and n == 0 else None,
                    voltage_level=rng.choice(["0.4kV", "10kV", "10kV", "20kV", "35kV"]),
                    capacity_kva=Decimal(rng.choice([160, 250, 315, 400, 630, 800, 1250, 2000])),
                )
            events = [] if by_arrears else rng.choice(PROFILES[target])
            for type_, days_ago, attributes in events:
                services.event_record(
                    customer=customer,
                    actor=staff,
                    type=type_,
                    occurred_on=today - timedelta(days=days_ago),
                    description="演示数据：营业厅现场核查记录",
                    **attributes,
                )
            if target != "unrated" or rng.random() < 0.3:
                _clean_report(customer, staff, rng)
            if index == 0:
                Membership.objects.create(
                    user=users["applicant"], customer=customer, confirmed_at=timezone.now(), confirmed_by=staff
                )
            if index % 17 == 5 and target in ("green", "blue"):  # commendations go to honest customers only
                services.credit_information_record(
                    customer=customer,
                    actor=users["drc"],
                    kind="commendation",
                    title="淮阴区诚信示范企业",
                    occurred_on=today - timedelta(days=200),
                    issuing_body="淮阴区发展和改革委员会",
                )
        # Their own random stream, so that the customers above stay as they were.
        self._one_month_behind(staff, first_index=count, rng=random.Random(rng.random()))

    def _one_month_behind(self, staff: User, *, first_index: int, rng: random.Random) -> None:
        """Blue customers with 40 days of arrears: postpaid, a clean valid report, no events."""
        today = timezone.localdate()
        for index in range(first_index, first_index + ONE_MONTH_BEHIND):
            customer = services.customer_create(actor=staff, **self._identity(index, rng))
            services.account_create(
                customer=customer,
                actor=staff,
                number=f"32080{index:05d}0",
                opened_on=today - timedelta(days=rng.randint(2000, 5000)),
                payment_method="postpaid",
                arrears_since=today - timedelta(days=ONE_MONTH_BEHIND_DAYS),
                voltage_level="10kV",
                capacity_kva=Decimal(400),
            )
            _clean_report(customer, staff, rng)

    def _identity(self, index: int, rng: random.Random) -> dict[str, str]:
        industry = rng.choice(list(INDUSTRIES))
        name = f"淮安市{rng.choice(PLACES)}{rng.choice(BRANDS)}{INDUSTRIES[industry]}"
        if index:
            name = name.replace("有限公司", f"有限公司{'' if index % 7 else '第二分公司'}")
        body = "91320804" + "".join(rng.choice(USCC_CHARS) for _ in range(9))
        return {
            "uscc": body + stdnum_uscc.calc_check_digit(body),
            "name": name if not Customer.objects.filter(name=name).exists() else f"{name[:-4]}{index}号有限公司",
            "legal_representative": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "contact_person": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "contact_phone": f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
            "address": f"江苏省淮安市淮阴区{rng.choice(PLACES)}镇{rng.choice(BRANDS)}路{rng.randint(1, 300)}号",
            "industry": industry,
        }

    def _print_distribution(self) -> None:
        counts = dict.fromkeys(vocabulary.LEVEL_LABELS, 0)
        for level in with_level(Customer.objects.all()).values_list("level", flat=True):
            if level is not None:
                counts[level] += 1
        self.stdout.write("信用等级分布：" + "，".join(f"{vocabulary.LEVEL_LABELS[k]} {v}" for k, v in counts.items()))

    def _print_logins(self) -> None:
        applicant = Membership.objects.filter(user__username="applicant").select_related("customer").first()
        self.stdout.write(self.style.SUCCESS("演示账号（仅演示模式）："))
        for username, role, full_name, password in DEMO_USERS:
            self.stdout.write(f"  {username:<12} 密码 {password:<22} {role}（{full_name}）")
        if applicant:
            self.stdout.write(f"  applicant 绑定企业：{applicant.customer.name}（{applicant.customer.uscc}）")
        address = os.environ.get("PORTAL_ADDRESS", "127.0.0.1:8000")
        self.stdout.write(self.style.SUCCESS(f"门户地址：http://{address}/  登录页：http://{address}/accounts/login/"))


def _clean_report(customer, staff: User, rng: random.Random) -> None:
    """A public credit report issued 10 to 300 days ago that shows no dishonesty (verified on upload by staff)."""
    services.report_upload(
        customer=customer,
        actor=staff,
        issued_on=timezone.localdate() - timedelta(days=rng.randint(10, 300)),
        file=SimpleUploadedFile("report.pdf", DEMO_PDF, content_type="application/pdf"),
        shows_dishonesty=False,
    )
