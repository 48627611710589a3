"""`python manage.py build_drc_report [--date YYYY-MM-DD] [--rebuild]`: build the day's report to the DRC."""

from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from credit_portal.errors import ApplicationError
from notifications.drc import columns
from notifications.drc.build import drc_report_build
from notifications.drc.storage import report_folder


class Command(BaseCommand):
    help = "生成发改委报送文件（全量：信用承诺、信用档案、失信行为）；同一日期已生成的不再重复生成。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="报送日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--rebuild", action="store_true", help="重新生成并替换该日期已生成的报送文件")

    def handle(self, *args, **options) -> None:
        report_date = self._date(options["date"])
        try:
            result = drc_report_build(report_date=report_date, rebuild=options["rebuild"])
        except ApplicationError as error:
            raise _bad_input(error.message) from None
        except Exception as error:
            raise CommandError(f"生成失败：{type(error).__name__}: {error}") from error
        report = result.report
        if result.outcome == "busy":
            raise CommandError(
                f"{report_date} 的报送文件正由另一进程生成（占用至 {timezone.localtime(report.lease_until):%H:%M}）"
            )
        if result.outcome == "superseded":
            raise CommandError(f"{report_date} 的生成超时，已由另一进程接手")
        counts = "，".join(f"{sheet.file_name} {report.counts.get(sheet.name, 0)} 行" for sheet in columns.SHEETS)
        if result.outcome == "exists":
            self.stdout.write(f"{report_date} 的报送文件已存在，未重新生成（重新生成请加 --rebuild）：{counts}")
        else:
            self.stdout.write(f"{report_date} 的报送文件已生成（{report.build_seconds:.1f} 秒）：{counts}")
        self.stdout.write(f"目录：{report_folder(report)}")
        if not columns.reporting_unit_code():
            self.stderr.write("注意：未配置承诺受理单位代码（DRC_ACCEPTING_UNIT_CODE），该列为空。")

    def _date(self, value: str | None) -> date:
        if not value:
            return timezone.localdate()
        try:
            return datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            raise _bad_input(f"日期应为 YYYY-MM-DD 格式的有效日期：{value}") from None


def _bad_input(message: str) -> CommandError:
    # One clear line and exit status 2, as for any other bad command-line input.
    return CommandError(message, returncode=2)
