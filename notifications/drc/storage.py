"""Where the DRC reports' files live: one folder per build under the report root, the row pointing at it."""

from pathlib import Path

from django.conf import settings

from .models import DrcReport, DrcReportStatus


def report_root() -> Path:
    """Where report folders live: DRC_REPORT_ROOT, or drc-reports under the private storage root."""
    return Path(settings.DRC_REPORT_ROOT or Path(settings.PRIVATE_MEDIA_ROOT) / "drc-reports")


def report_folder(report: DrcReport) -> Path | None:
    """The published folder of a ready report (None while there is none)."""
    if report.status != DrcReportStatus.READY or not report.folder:
        return None
    return report_root() / report.folder
