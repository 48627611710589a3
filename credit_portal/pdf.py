"""PDF rendering with an embedded Chinese font (WeasyPrint), shared by letters and commitment forms.

Stock CJK fonts hold ~65,000 glyphs and WeasyPrint spends seconds subsetting one per PDF. So the
font is cut once, with fontTools, to the characters the portal can print (GB2312 level 1 and 2,
ASCII, CJK punctuation, and every character of the project's templates), cached under
`var/fonts/`, and the PDF templates load it with `@font-face` from a `file://` URL. A character
outside the cut falls back to the system's Noto CJK through fontconfig, so nothing is lost; it is
only slower.

Public API:
    render_pdf(template_name, context) -> bytes
    render_pdf_batch(template_name, contexts) -> bytes   (one PDF, the font subset once)
    pdf_font_path() -> Path                              (the cut font, prepared on first use)

Templates get `pdf_font_css` (a ready `@font-face` rule, use `{{ pdf_font_css }}` inside
`<style>`), `pdf_font_url` and `pdf_font_family` in their context. A template's `<style>` blocks
are parsed once per process and text (they are passed to WeasyPrint as a parsed stylesheet), so
keep per-document values out of them. Batches are painted page by page into one PDF, so memory
stays flat however many documents a batch holds.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import io
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)

PDF_FONT_FAMILY = "PortalSerif"
# Debian's fonts-noto-cjk; serif for letters, sans if that is all there is.
FONT_QUERIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")
FONT_FALLBACK_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJKsc-Regular.otf",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
)
# Bump when the way the font is cut changes, so old caches are not reused.
_CUT_VERSION = "2"
_lock = threading.Lock()


def _font_dir() -> Path:
    return Path(settings.PDF_FONT_DIR)


def _source_font() -> tuple[Path, str]:
    """The installed Noto CJK file and the family name to take from it (a .ttc holds several)."""
    fc_match = shutil.which("fc-match")
    if fc_match:
        for query in FONT_QUERIES:
            try:
                found = subprocess.run(
                    [fc_match, "-f", "%{file}", query], capture_output=True, text=True, timeout=10, check=False
                ).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                found = ""
            if found and "CJK" in Path(found).name and Path(found).is_file():
                family = query if ("Serif" in query) == ("Serif" in Path(found).name) else _family_for(Path(found))
                return Path(found), family
    for candidate in FONT_FALLBACK_PATHS:
        path = Path(candidate)
        if path.is_file():
            return path, _family_for(path)
    raise ImproperlyConfigured(
        "No Chinese font for PDFs: install the Debian package fonts-noto-cjk "
        "(apt-get install fonts-noto-cjk), which provides Noto Serif CJK SC."
    )


def _family_for(path: Path) -> str:
    return "Noto Serif CJK SC" if "Serif" in path.name else "Noto Sans CJK SC"


def _charset() -> str:
    """Every character the cut font keeps, sorted, as one string."""
    chars: set[str] = {chr(code) for code in range(0x20, 0x7F)}
    # GB2312 level 1 (rows 16-55) and level 2 (rows 56-87), plus its symbol rows 1-9.
    for row in list(range(0xA1, 0xAA)) + list(range(0xB0, 0xF8)):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for start, end in (
        (0x2000, 0x206F),  # general punctuation: — ‘ ’ “ ” …
        (0x3000, 0x303F),  # CJK symbols and punctuation: 、。〔〕《》「」
        (0xFF00, 0xFFEF),  # full-width forms: ，：；（）
        (0x2460, 0x24FF),  # enclosed numbers ①②
        (0x2150, 0x218F),  # roman numerals
        (0x00A0, 0x00FF),  # Latin-1: ×, ·, °
        (0x2190, 0x21FF),  # arrows
        (0x25A0, 0x25FF),  # shapes: □ ■ ○ ●
    ):
        chars.update(chr(code) for code in range(start, end + 1))
    for folder in _template_dirs():
        for path in folder.rglob("*"):
            if path.suffix in {".html", ".txt", ".css", ".xml"} and path.is_file():
                try:
                    chars.update(path.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError):
                    continue
    chars.update(_app_texts())
    return "".join(sorted(c for c in chars if c.isprintable() and not c.isspace() or c == " "))


def _template_dirs() -> list[Path]:
    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    base = Path(settings.BASE_DIR)
    for app in ("archives", "ratings", "commitments", "notifications"):
        if (base / app / "templates").is_dir():
            dirs.append(base / app / "templates")
    return dirs


def _app_texts() -> str:
    """Text an app prints that no template holds (the rating plan's wording): each app's
    ``AppConfig.pdf_texts()``, so this module imports no app."""
    return "".join(config.pdf_texts() for config in django_apps.get_app_configs() if hasattr(config, "pdf_texts"))


@lru_cache(maxsize=1)
def pdf_font_path() -> Path:
    """The cut font file, made on first use (about 20 s) and reused from `var/fonts/` after.

    The cut is redone only when a character now needed is not in it (a new template, say) or the
    installed Noto font changed; it then keeps the characters it had as well.
    """
    source, family = _source_font()
    needed = _charset()
    stat = source.stat()
    origin = {"version": _CUT_VERSION, "source": str(source), "family": family, "size": stat.st_size}
    stem = f"{family.replace(' ', '')}-portal"
    target = _font_dir() / f"{stem}.otf"
    manifest = _font_dir() / f"{stem}.json"
    if _covers(target, manifest, origin, needed):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # One cut per machine: other processes (xdist workers, web and worker) wait for the first.
    with _lock, open(target.parent / ".cut.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            if not _covers(target, manifest, origin, needed):
                kept = _manifest(manifest)
                if kept.get("origin") == origin:
                    needed = "".join(sorted(set(needed) | set(kept.get("chars", ""))))
                _cut_font(source=source, family=family, charset=needed, target=target)
                _write_atomically(
                    manifest, json.dumps({"origin": origin, "chars": needed}, ensure_ascii=False).encode()
                )
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
    return target


def _manifest(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _covers(target: Path, manifest: Path, origin: dict, needed: str) -> bool:
    kept = _manifest(manifest)
    return target.is_file() and kept.get("origin") == origin and set(needed) <= set(kept.get("chars", ""))


def _write_atomically(target: Path, data: bytes) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def _cut_font(*, source: Path, family: str, charset: str, target: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font_number = 0
    if source.suffix.lower() in {".ttc", ".otc"}:
        from fontTools.ttLib import TTCollection

        collection = TTCollection(str(source), lazy=True)
        names = [font["name"].getDebugName(1) for font in collection.fonts]
        font_number = names.index(family) if family in names else 0
        collection.close()
    logger.info("Cutting PDF font %s[%s] to %d characters -> %s", source, font_number, len(charset), target)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    # Keeping hints and subroutines and the source's bounding boxes makes the cut about twice as
    # fast; WeasyPrint subsets this font again for each PDF anyway.
    options.hinting = True
    options.desubroutinize = False
    font = TTFont(str(source), fontNumber=font_number, lazy=False, recalcBBoxes=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=charset)
    subset_logger = logging.getLogger("fontTools")
    level = subset_logger.level
    subset_logger.setLevel(logging.WARNING)  # it logs every glyph name at INFO
    try:
        subsetter.subset(font)
    finally:
        subset_logger.setLevel(level)
    buffer = io.BytesIO()
    font.save(buffer)
    _write_atomically(target, buffer.getvalue())


def pdf_font_context() -> dict:
    """The template variables that load the cut font."""
    path = pdf_font_path()
    _, fallback = _source_font_cached()
    url = path.as_uri()
    css = f'@font-face {{ font-family: "{PDF_FONT_FAMILY}"; src: url("{url}"); }}'
    return {
        "pdf_font_url": url,
        "pdf_font_family": mark_safe(f'"{PDF_FONT_FAMILY}", "{fallback}", serif'),  # noqa: S308 - ours
        "pdf_font_css": mark_safe(css),  # noqa: S308 - built here, no user input
    }


@lru_cache(maxsize=1)
def _source_font_cached() -> tuple[Path, str]:
    return _source_font()


_local = threading.local()


@atexit.register
def _release_font_configuration() -> None:
    # Before interpreter shutdown tears down the modules its __del__ needs.
    _local.__dict__.pop("stylesheets", None)
    _local.__dict__.pop("font_config", None)


def _font_configuration():
    """One FontConfiguration per thread: loading the @font-face file into fontconfig is costly."""
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)


def _stylesheet(css_text: str):
    """The parsed stylesheet, once per thread and text: parsing CSS is a tenth of a letter's time."""
    from weasyprint import CSS

    cache = getattr(_local, "stylesheets", None)
    if cache is None:
        cache = _local.stylesheets = {}
    key = hashlib.sha1(css_text.encode(), usedforsecurity=False).hexdigest()
    sheet = cache.get(key)
    if sheet is None:
        if len(cache) > 32:
            cache.clear()
        sheet = cache[key] = CSS(string=css_text, font_config=_font_configuration(), base_url=str(settings.BASE_DIR))
    return sheet


def _document(template_name: str, context: dict):
    from weasyprint import HTML

    html = render_to_string(template_name, {**pdf_font_context(), **context})
    # The template's <style> is the same for every document: parse it once, pass it in parsed.
    styles = _STYLE.findall(html)
    stylesheets = [_stylesheet("\n".join(styles))] if styles else []
    if styles:
        html = _STYLE.sub("", html)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        font_config=_font_configuration(), stylesheets=stylesheets
    )


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render one Django template to PDF bytes with the portal's Chinese font embedded."""
    return _document(template_name, context).write_pdf()


def render_pdf_batch(template_name: str, contexts: Iterable[dict]) -> bytes:
    """Render the template once per context into one PDF (for printing), subsetting the font once.

    Pages are painted into the PDF as each document is laid out, and the document is then dropped,
    so memory does not grow with the batch (only the painted page streams are kept, compacted).
    Falls back to WeasyPrint's own `Document.copy(pages).write_pdf()` if its internals moved.
    """
    try:
        painter = _StreamedPdf()
    except ImportError:  # pragma: no cover - another WeasyPrint version
        logger.warning("Streamed PDF batches unavailable with this WeasyPrint; rendering the batch in memory")
        return _render_batch_in_memory(template_name, contexts)
    for context in contexts:
        painter.add(_document(template_name, context))
    if not painter.pages:
        raise ValueError("render_pdf_batch needs at least one context")
    return painter.finish()


def _render_batch_in_memory(template_name: str, contexts: Iterable[dict]) -> bytes:
    first = None
    pages = []
    for context in contexts:
        document = _document(template_name, context)
        first = first or document
        pages.extend(document.pages)
    if first is None:
        raise ValueError("render_pdf_batch needs at least one context")
    return first.copy(pages).write_pdf()


class _StreamedPdf:
    """One PDF painted page by page from many WeasyPrint documents (the page loop of
    `weasyprint.pdf.generate_pdf`, without links, forms, tags and bookmarks, which letters lack).

    WeasyPrint has no public API for this, so it uses its internals (``weasyprint.pdf._use_references``,
    ``Stream``, ``pydyf._to_bytes``) as of the pinned version; tests/test_private_apis.py fails when an
    upgrade moves them, rather than letting batches fall back to memory unnoticed."""

    def __init__(self) -> None:
        import pydyf
        from weasyprint import DEFAULT_OPTIONS, VERSION
        from weasyprint.pdf import _use_references
        from weasyprint.pdf.fonts import build_fonts_dictionary
        from weasyprint.pdf.stream import Stream

        self._pydyf, self._stream_class = pydyf, Stream
        self._use_references, self._build_fonts = _use_references, build_fonts_dictionary
        self._options = dict(DEFAULT_OPTIONS)
        self._version = VERSION
        self.pdf = pydyf.PDF()
        self.fonts: dict = {}  # shared by every page: one font entry, subset once in finish()
        self.images: dict = {}
        self.color_profiles: dict = {}
        self.pages = 0
        color_space = pydyf.Dictionary()
        self.pdf.add_object(color_space)
        self.resources = pydyf.Dictionary(
            {
                "ExtGState": pydyf.Dictionary(),
                "XObject": pydyf.Dictionary(),
                "Pattern": pydyf.Dictionary(),
                "Shading": pydyf.Dictionary(),
                "ColorSpace": color_space.reference,
            }
        )
        self.pdf.add_object(self.resources)

    def add(self, document) -> None:
        pydyf = self._pydyf
        scale = 0.75  # 72 PDF points per inch / 96 CSS pixels per inch
        self.color_profiles.update(document.color_profiles)
        for page in document.pages:
            left, top = -scale * page.bleed["left"], -scale * page.bleed["top"]
            right = left + scale * (page.width + page.bleed["left"] + page.bleed["right"])
            bottom = top + scale * (page.height + page.bleed["top"] + page.bleed["bottom"])
            rectangle = (left / scale, top / scale, (right - left) / scale, (bottom - top) / scale)
            stream = self._stream_class(
                self.fonts,
                rectangle,
                self.resources,
                self.images,
                None,
                document.color_profiles,
                document.output_intent,
                compress=True,
            )
            stream.transform(d=-1, f=page.height * scale)
            self.pdf.add_object(stream)
            pdf_page = pydyf.Dictionary(
                {
                    "Type": "/Page",
                    "Parent": self.pdf.pages.reference,
                    "MediaBox": pydyf.Array([left, top, right, bottom]),
                    "Contents": stream.reference,
                    "Resources": self.resources.reference,
                }
            )
            self.pdf.add_page(pdf_page)
            page.paint(stream, scale)
            # The painted operators are final: keep them as one bytes object, not thousands.
            stream.stream = [b"\n".join(pydyf._to_bytes(item) for item in stream.stream)]
            self.pages += 1

    def finish(self) -> bytes:
        pydyf = self._pydyf
        self.pdf.info["Producer"] = pydyf.String(f"WeasyPrint {self._version}")
        fonts = self._build_fonts(self.pdf, self.fonts, True, True, self._options)
        self.pdf.add_object(fonts)
        self.resources["Font"] = fonts.reference
        self._use_references(self.pdf, self.resources, self.images, self.color_profiles)
        output = io.BytesIO()
        self.pdf.write(output, None, None, True)
        return output.getvalue()
