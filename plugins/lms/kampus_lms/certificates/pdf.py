"""The certificate as a PDF: A4 landscape, drawn with fpdf2 (pure Python, from PyPI).

Names in any script: the text uses the DejaVu TrueType fonts of the ``certificates_pdf_font_dir``
setting (Debian's ``fonts-dejavu-core``, ``/usr/share/fonts/truetype/dejavu`` by default). When that
folder has no DejaVu fonts the PDF falls back to the PDF core fonts, which hold Latin-1 only (other
characters become "?").

A PDF is made once per certificate, course configuration and language: it is kept in the blob store
under a key holding the certificate's modified time and the configuration's version, so a changed
name, status or signatory makes a new one.
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _
from fpdf import FPDF

from kampus.current import current_kampus
from kampus_lms.certificates.config import signature_asset
from kampus_lms.certificates.document import CertificateDocument

#: Page size in millimetres (A4 landscape).
WIDTH, HEIGHT = 297.0, 210.0
INK = (33, 37, 41)
ACCENT = (18, 74, 122)
GOLD = (176, 132, 36)
MUTED = (90, 98, 106)
FONT_FILES = {
    ("serif", ""): "DejaVuSerif.ttf", ("serif", "B"): "DejaVuSerif-Bold.ttf",
    ("serif", "I"): "DejaVuSerif-Italic.ttf", ("sans", ""): "DejaVuSans.ttf", ("sans", "B"): "DejaVuSans-Bold.ttf",
}
CORE_FONTS = {"serif": "Times", "sans": "Helvetica"}


def font_dir() -> Path | None:
    """The folder of the DejaVu fonts, or ``None`` when it lacks them."""
    folder = Path(current_kampus().settings.get("certificates_pdf_font_dir") or "")
    if all((folder / name).is_file() for name in FONT_FILES.values()):
        return folder
    return None


class CertificatePDF(FPDF):
    """A one-page certificate."""

    def __init__(self, fonts: Path | None):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.unicode_fonts = fonts is not None
        if fonts is not None:
            for (family, style), name in FONT_FILES.items():
                self.add_font(f"kampus-{family}", style, str(fonts / name))
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)

    def use(self, family: str, style: str = "", size: float = 12) -> None:
        if self.unicode_fonts:
            self.set_font(f"kampus-{family}", style, size)
        else:
            self.set_font(CORE_FONTS[family], style, size)

    def say(self, text: str) -> str:
        """``text`` as the current fonts can print it."""
        return text if self.unicode_fonts else text.encode("latin-1", "replace").decode("latin-1")

    def centred(self, y: float, text: str, family: str, style: str, size: float,
                colour: tuple[int, int, int] = INK, width: float = WIDTH - 60) -> float:
        """Print ``text`` centred at ``y`` (wrapping within ``width``); returns the y below it."""
        self.use(family, style, size)
        self.set_text_color(*colour)
        self.set_xy((WIDTH - width) / 2, y)
        self.multi_cell(width, size * 0.45, self.say(text), align="C")
        return self.get_y()


def _frame(pdf: CertificatePDF) -> None:
    pdf.set_fill_color(252, 250, 244)
    pdf.rect(0, 0, WIDTH, HEIGHT, style="F")
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.6)
    pdf.rect(8, 8, WIDTH - 16, HEIGHT - 16)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    pdf.rect(12, 12, WIDTH - 24, HEIGHT - 24)
    # corner marks: two short strokes and a diamond in each corner
    for cx, cy, dx, dy in ((12, 12, 1, 1), (WIDTH - 12, 12, -1, 1), (12, HEIGHT - 12, 1, -1),
                           (WIDTH - 12, HEIGHT - 12, -1, -1)):
        pdf.set_line_width(0.8)
        pdf.line(cx + 4 * dx, cy + 4 * dy, cx + 22 * dx, cy + 4 * dy)
        pdf.line(cx + 4 * dx, cy + 4 * dy, cx + 4 * dx, cy + 22 * dy)
        pdf.set_fill_color(*GOLD)
        x, y = cx + 9 * dx, cy + 9 * dy
        pdf.polygon([(x, y - 2.5), (x + 2.5, y), (x, y + 2.5), (x - 2.5, y)], style="F")


def _seal(pdf: CertificatePDF, x: float, y: float, label: str) -> None:
    pdf.set_fill_color(*GOLD)
    pdf.star(x, y, 17, 21, 24, style="F")
    pdf.set_fill_color(252, 250, 244)
    pdf.circle(x, y, 15, style="F")
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.6)
    pdf.circle(x, y, 13, style="D")
    pdf.use("sans", "B", 7)
    pdf.set_text_color(*ACCENT)
    pdf.set_xy(x - 12, y - 2)
    pdf.cell(24, 4, pdf.say(label.upper()[:12]), align="C")


def issued_date_text(document: CertificateDocument) -> str:
    """The date of issue as the PDF prints it: in the site's time zone, in the request's language."""
    settings = current_kampus().settings
    when = document.issued_at.astimezone(ZoneInfo(settings.default_timezone or "UTC"))
    return format_date(when.date(), format="long", locale=str(get_locale() or settings.default_locale or "en"))


def render_pdf(document: CertificateDocument) -> bytes:
    """The certificate as PDF bytes."""
    pdf = CertificatePDF(font_dir())
    config, info = document.config, document.info
    pdf.set_title(pdf.say(_("Certificate: %(course)s", course=config.title)))
    pdf.set_author(pdf.say(config.display_org or document.site_name))
    pdf.set_creator("Kampus")
    pdf.set_lang(str(get_locale() or "en"))
    pdf.set_creation_date(document.issued_at)
    pdf.add_page()
    _frame(pdf)
    y = pdf.centred(26, (document.site_name + "  ·  " + config.display_org).upper(), "sans", "B", 11, MUTED)
    y = pdf.centred(y + 6, _("Certificate of Achievement"), "serif", "B", 30, ACCENT)
    y = pdf.centred(y + 6, _("This is to certify that"), "serif", "I", 13, MUTED)
    y = pdf.centred(y + 4, document.learner_name, "serif", "B", 28, INK)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.4)
    pdf.line(WIDTH / 2 - 60, y + 2, WIDTH / 2 + 60, y + 2)
    y = pdf.centred(y + 6, _("successfully completed"), "serif", "I", 13, MUTED)
    y = pdf.centred(y + 3, config.title, "serif", "B", 20, ACCENT)
    y = pdf.centred(y + 3, _("a course of %(org)s (%(number)s)", org=config.display_org, number=config.number),
                    "sans", "", 11, MUTED)
    pdf.centred(y + 3, _("Issued %(date)s", date=issued_date_text(document)), "sans", "", 11, MUTED)
    _signatures(pdf, document)
    _seal(pdf, WIDTH - 50, HEIGHT - 56, config.display_org)
    pdf.use("sans", "", 8)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(20, HEIGHT - 24)
    pdf.multi_cell(WIDTH - 40, 4, pdf.say(
        _("Verify this certificate at %(url)s", url=document.verify_url) + "   ·   "
        + _("Certificate ID %(id)s", id=info.verify_uuid)), align="C", link=document.verify_url)
    return bytes(pdf.output())


def _signatures(pdf: CertificatePDF, document: CertificateDocument) -> None:
    signatories = document.signatories
    if not signatories:
        return
    slot = min(70.0, (WIDTH - 120) / len(signatories))
    left = (WIDTH - slot * len(signatories)) / 2
    top = HEIGHT - 62
    for index, signatory in enumerate(signatories):
        x = left + index * slot
        asset = signature_asset(document.config.course_id, signatory)
        if asset is not None:
            try:
                data = current_kampus().blob_store.get(asset.blob_key)
                pdf.image(io.BytesIO(data), x=x + 8, y=top - 4, w=slot - 16, h=14, keep_aspect_ratio=True)
            except Exception:  # a broken image file leaves the line unsigned, never the PDF unmade
                pass
        pdf.set_draw_color(*INK)
        pdf.set_line_width(0.3)
        pdf.line(x + 6, top + 12, x + slot - 6, top + 12)
        pdf.use("serif", "B", 11)
        pdf.set_text_color(*INK)
        pdf.set_xy(x, top + 14)
        pdf.multi_cell(slot, 5, pdf.say(signatory.name), align="C")
        pdf.use("sans", "", 8.5)
        pdf.set_text_color(*MUTED)
        pdf.set_x(x)
        pdf.multi_cell(slot, 4, pdf.say(", ".join(part for part in (signatory.title, signatory.organization)
                                                  if part)), align="C")


def safe_file_name(document: CertificateDocument) -> str:
    """An ASCII file name for the download: ``certificate-<course number>-<learner>.pdf``."""
    raw = unicodedata.normalize("NFKD", f"certificate-{document.config.number}-{document.learner_name}")
    ascii_only = "".join(char for char in raw if not unicodedata.combining(char))
    cleaned = re.sub(r"[^A-Za-z0-9._]+", "-", ascii_only).strip("-.")[:100]
    return (cleaned or "certificate") + ".pdf"


def cached_pdf(document: CertificateDocument) -> bytes:
    """The certificate's PDF from the blob store, made and kept there on first use."""
    blobs = current_kampus().blob_store
    stamp = _stamp(document.info.modified)
    locale = re.sub(r"[^A-Za-z0-9_]", "", str(get_locale() or "en"))
    key = f"lms-certificates/{document.info.verify_uuid}/{stamp}-{document.config.version}-{locale}.pdf"
    try:
        return blobs.get(key)
    except KeyError:
        pass
    data = render_pdf(document)
    blobs.put(key, data, content_type="application/pdf")
    return data


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S%f")
