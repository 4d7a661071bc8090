"""Pages of the certificates area: the public certificate, its PDF, signature images, and the course staff's
certificate settings page."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from kampus_content.api import ContentStoreError, VersionConflict, content_store
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from kampus.current import current_kampus
from kampus.identity.permissions import require_permission
from kampus_lms.certificates.config import (
    MAX_SIGNATORIES,
    ConfigError,
    certificate_config,
    raw_certificates_field,
    save_config,
    signature_asset,
)
from kampus_lms.certificates.document import CertificateDocument, public_document
from kampus_lms.certificates.pdf import cached_pdf, safe_file_name

STATIC = Path(__file__).resolve().parent.parent / "static" / "lms" / "certificates"

bp = Blueprint("lms_certificates", __name__, static_folder=str(STATIC),
               static_url_path="/static/lms/certificates")

#: Open edX's "add to profile" address (``LinkedInAddToProfileConfiguration.add_to_profile_url``).
LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def _document_or_404(verify_uuid: str) -> CertificateDocument:
    document = public_document(verify_uuid)
    if document is None:
        abort(404, _("There is no valid certificate at this address."))
    return document


def linkedin_url(document: CertificateDocument) -> str:
    """The LinkedIn "add to profile" link for the certificate, with Open edX's parameters."""
    issued = document.issued_at
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": document.course_title,
        "organizationName": document.config.display_org or document.site_name,
        "issueYear": issued.year,
        "issueMonth": issued.month,
        "certUrl": document.verify_url,
        "certId": document.info.verify_uuid,
    }
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(params)}"


@bp.get("/certificates/<verify_uuid>")
def certificate_page(verify_uuid: str) -> str:
    """The public certificate (no login): 404 unless it is downloadable and its course's configuration active."""
    document = _document_or_404(verify_uuid)
    own = current_user.is_authenticated and current_user.id == document.info.user_id
    return render_template("lms/certificates/certificate.html", document=document,
                           linkedin_url=linkedin_url(document), own=own)


@bp.get("/certificates/<verify_uuid>.pdf")
def certificate_pdf(verify_uuid: str) -> Response:
    """The certificate as a PDF (A4 landscape), made once per version of the certificate."""
    document = _document_or_404(verify_uuid)
    response = Response(cached_pdf(document), mimetype="application/pdf")
    disposition = "attachment" if request.args.get("download") else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{safe_file_name(document)}"'
    response.headers["Cache-Control"] = "public, max-age=300"
    response.last_modified = document.info.modified
    return response


@bp.get("/certificates/<verify_uuid>/signatures/<int:number>")
def signature_image(verify_uuid: str, number: int) -> Response:
    """The signature image of the certificate's ``number``-th signatory (1-based; PNG or JPEG only)."""
    document = _document_or_404(verify_uuid)
    if not 1 <= number <= len(document.signatories):
        abort(404)
    asset = signature_asset(document.config.course_id, document.signatories[number - 1])
    if asset is None:
        abort(404)
    try:
        data = current_kampus().blob_store.get(asset.blob_key)
    except KeyError:
        abort(404)
    response = Response(data, mimetype=asset.content_type)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _valid_course(course_id: str) -> str:
    try:
        CourseKey.from_string(course_id)
        content_store().get_course_index(course_id)
    except (InvalidKeyError, ContentStoreError):
        abort(404, _("There is no course %(course_id)s.", course_id=course_id))
    return course_id


def _form_signatories(form: Any) -> list[dict[str, str]]:
    return [{key: form.get(f"signatory-{index}-{key}", "") for key in
             ("name", "title", "organization", "signature_image_path")} for index in range(MAX_SIGNATORIES)]


def _draft_values(course_id: str) -> dict[str, Any]:
    """The form's values: the first configuration of the course's draft ``certificates`` field."""
    raw = raw_certificates_field(content_store().get_branch(course_id, "draft"))  # type: ignore[arg-type]
    entries = [entry for entry in raw.get("certificates") or [] if isinstance(entry, dict)]
    first = entries[0] if entries else {}
    signatories = [item for item in first.get("signatories") or [] if isinstance(item, dict)]
    return {
        "name": first.get("name") or "", "description": first.get("description") or "",
        "course_title": first.get("course_title") or "", "is_active": bool(first.get("is_active")),
        "signatories": [{key: str(item.get(key) or "") for key in
                         ("name", "title", "organization", "signature_image_path")} for item in signatories],
    }


@bp.route("/courses/<course_id>/certificates/settings", methods=["GET", "POST"])
@require_permission("course.edit_content", course_arg="course_id")
def certificate_settings(course_id: str) -> Any:
    """Course staff set the certificate's title, signatories and whether it is active (written to the
    course's ``certificates`` field)."""
    _valid_course(course_id)
    errors: dict[str, str] = {}
    values = _draft_values(course_id)
    status = 200
    if request.method == "POST":
        form = request.form
        values = {
            "name": form.get("name", "").strip(), "description": form.get("description", "").strip(),
            "course_title": form.get("course_title", "").strip(), "is_active": form.get("is_active") == "on",
            "signatories": _form_signatories(form),
        }
        try:
            published = save_config(course_id, user_id=current_user.id, name=values["name"],
                                    description=values["description"], course_title=values["course_title"],
                                    is_active=values["is_active"], signatories=values["signatories"])
        except ConfigError as exc:
            field = exc.args[1] if len(exc.args) > 1 else "form"
            errors[field] = _("Please correct this: %(problem)s", problem=exc.args[0])
            status = 400
        except VersionConflict:
            errors["form"] = _("The course changed while you were editing. Check the values and save again.")
            status = 409
        else:
            if published:
                flash(_("Certificate settings saved and published."), "success")
            else:
                flash(_("Certificate settings saved in the course draft. They apply once the course is "
                        "published (it has other unpublished changes)."), "warning")
            return redirect(url_for("lms_certificates.certificate_settings", course_id=course_id))
    rows = list(values["signatories"]) + [{}] * (MAX_SIGNATORIES - len(values["signatories"]))
    return render_template("lms/certificates/settings.html", course_id=course_id, values=values,
                           signatory_rows=rows[:MAX_SIGNATORIES], errors=errors,
                           active_config=certificate_config(course_id)), status
