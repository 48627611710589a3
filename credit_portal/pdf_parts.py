"""A print batch on every core: the batch cut into parts, each rendered by its own process, then joined.

WeasyPrint's layout holds the GIL, so threads would not help; multiprocessing cannot start children
from a Celery prefork worker (a daemon), so each part is a fresh interpreter (``python -m
credit_portal.pdf_parts``) that reads its template name and contexts (JSON) on stdin and writes the
part's PDF on stdout. The parts are joined in order with pypdf. A part costs a process start (Django,
WeasyPrint, fontconfig: 2–3 s), so small batches are rendered in this process.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings

#: Below this many documents a batch is rendered in the calling process.
PARALLEL_FROM = 60


def batch_processes() -> int:
    """How many parts a large batch is cut into: ``PDF_BATCH_PROCESSES``, by default one per core."""
    return max(1, int(getattr(settings, "PDF_BATCH_PROCESSES", 0) or os.cpu_count() or 1))


def render_pdf_batch_parallel(template_name: str, contexts: list[dict], *, parts: int | None = None) -> bytes:
    """``render_pdf_batch`` of JSON-serialisable contexts, split over ``parts`` processes and joined in order."""
    from .pdf import render_pdf_batch

    parts = parts or batch_processes()
    if parts <= 1 or len(contexts) < max(PARALLEL_FROM, 2 * parts):
        return render_pdf_batch(template_name, contexts)
    size = -(-len(contexts) // parts)
    chunks = [contexts[start : start + size] for start in range(0, len(contexts), size)]
    with ThreadPoolExecutor(len(chunks)) as pool:  # each thread only waits for its process
        pdfs = list(pool.map(lambda chunk: _render_part(template_name, chunk), chunks))
    return _join(pdfs)


def _render_part(template_name: str, contexts: list[dict]) -> bytes:
    payload = json.dumps({"template": template_name, "contexts": contexts}, ensure_ascii=False).encode()
    done = subprocess.run(
        [sys.executable, "-m", "credit_portal.pdf_parts"],
        input=payload,
        capture_output=True,
        check=False,
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "credit_portal.settings"),
        },
    )
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        raise RuntimeError(f"a part of the print batch failed: {done.stderr.decode(errors='replace')[-2000:]}")
    return done.stdout


def _join(pdfs: list[bytes]) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for content in pdfs:
        writer.append(io.BytesIO(content))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def main() -> None:
    import django

    django.setup()
    from .pdf import render_pdf_batch

    request = json.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(render_pdf_batch(request["template"], request["contexts"]))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
