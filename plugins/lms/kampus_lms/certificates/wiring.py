"""What the certificates area contributes to the plugin's wiring (settings), for ``plugin.py``."""

from __future__ import annotations

from kampus_hookspecs import Setting

from kampus_lms.certificates.generation import DEFAULT_ELIGIBLE_MODES


def settings() -> list[Setting]:
    """The certificates area's settings."""
    return [
        Setting("certificates_eligible_modes", list, list(DEFAULT_ELIGIBLE_MODES),
                "Enrollment modes that earn a certificate (Open edX: every mode but audit; "
                "remove 'honor' to give honor learners none)."),
        Setting("certificates_pdf_font_dir", str, "/usr/share/fonts/truetype/dejavu",
                "Folder of the DejaVu TrueType fonts for certificate PDFs (Debian: fonts-dejavu-core); "
                "without them PDFs print Latin-1 only."),
    ]
