"""Logging helpers: a refused request is one line in the log, not a traceback."""

import logging


class OneLineClientErrors(logging.Filter):
    """Drop the traceback of 4xx answers (403, 404, 429…): they are expected, and one line says it all."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
