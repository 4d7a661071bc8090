"""Reading and writing a course's settings (Open edX Studio's settings pages), through the content API only.

Each page has a reader (the JSON the REST endpoint and the page show, with the draft ``version`` it was
read from) and a writer that validates everything first and raises :class:`SettingsInvalid` with a message
per field (nothing written), then saves every change as **one** draft edit
(:func:`kampus_content.api.edit_course`) based on the version the author saw, so a stale page gets
:class:`~kampus_content.api.VersionConflict` instead of overwriting another author's work.

Where things are kept is where the LMS and Open edX read them:

* schedule and details: the course block's ``start``, ``end``, ``enrollment_start``, ``enrollment_end``,
  ``language``, ``self_paced``, ``pre_requisite_courses``, ``course_image`` and the about files
  ``about/{short_description,overview,effort,video,subtitle,duration}.html`` (Open edX's ``CourseDetails``);
* grading: ``grading_policy`` (``GRADER``, ``GRADE_CUTOFFS``; weights as fractions) and ``graceperiod``
  (``"2 hours 30 minutes"``), Open edX's ``CourseGradingModel``;
* advanced settings: the course block's policy keys (:mod:`.advanced_fields`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import nh3
from flask_babel import gettext as _
from kampus_content.api import (
    DEFAULT_GRADING_POLICY,
    DRAFT,
    CourseNotFound,
    Structure,
    clean_author_html,
    content_store,
    edit_course,
    find_asset,
    get_structure,
    grading_policy_of,
    on_latest_draft,
    parse_date,
    read_course_file,
)
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from kampus_studio.course_settings import advanced_fields

#: Longest short description, effort and subtitle texts (characters).
MAX_SHORT_TEXT = 500
#: Longest course overview (characters of HTML).
MAX_OVERVIEW = 100_000
#: Most letter grades on the grading bar (Open edX's Studio: A to E and F below).
MAX_CUTOFFS = 5
#: Longest name of an assignment type or a letter grade.
MAX_NAME = 60

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,32}$")
_YOUTUBE_URL = re.compile(r"(?:youtube(?:-nocookie)?\.com/(?:embed/|v/|watch\?v=)|youtu\.be/)([A-Za-z0-9_-]{6,32})")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


class SettingsInvalid(ValueError):
    """Values that cannot be saved: ``errors`` maps each field (``graders.0.weight``) to its message."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__(next(iter(self.errors.values()), "Invalid settings."))


# -- shared helpers -----------------------------------------------------------------------------------------------


def draft_of(course_id: str) -> Structure:
    """The course's draft. Raises :class:`CourseNotFound`."""
    return get_structure(course_id, DRAFT)


def root_fields(structure: Structure) -> dict[str, Any]:
    """The course block's fields in ``structure``."""
    return structure.blocks[structure.root].fields


def iso(value: datetime | None) -> str | None:
    """An aware datetime as Open edX writes policy dates (``2026-09-01T00:00:00Z``)."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def text_file(structure: Structure, path: str) -> str:
    """A course file as text ("" when the course has none)."""
    data = read_course_file(structure, path)
    return data.decode("utf-8", errors="replace").strip() if data else ""


def _plain(value: str) -> str:
    """The plain text of an about file's HTML (tags dropped, entities decoded: ``Fish &amp; Chips`` reads
    ``Fish & Chips``)."""
    return html.unescape(nh3.clean(value, tags=set())).strip()


def _json_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return value if isinstance(value, list) else []


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().strip('"').lower() in ("true", "1", "yes")
    return bool(value)


# -- schedule and details -----------------------------------------------------------------------------------------

DATE_FIELDS = {"start_date": "start", "end_date": "end", "enrollment_start": "enrollment_start",
               "enrollment_end": "enrollment_end"}
ABOUT_FILES = {"short_description": "short_description.html", "overview": "overview.html", "effort": "effort.html",
               "subtitle": "subtitle.html", "duration": "duration.html"}


def youtube_id(text: str) -> str:
    """The YouTube id of an about page's ``video.html`` (an embed), a YouTube URL or a bare id; else ``""``."""
    text = text.strip()
    if _YOUTUBE_ID.match(text):
        return text
    match = _YOUTUBE_URL.search(text)
    return match.group(1) if match else ""


def _image_name(value: Any) -> str:
    name = value.strip() if isinstance(value, str) else ""
    for prefix in ("/static/", "static/"):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def read_details(course_id: str) -> dict[str, Any]:
    """Open edX's ``CourseDetails`` of the draft (its JSON field names), with the draft ``version``."""
    structure = draft_of(course_id)
    fields = root_fields(structure)
    key = CourseKey.from_string(course_id)
    image = _image_name(fields.get("course_image"))
    asset = find_asset(structure, image) if image else None
    details: dict[str, Any] = {
        "course_id": course_id, "org": key.org, "course_number": key.course, "run": key.run,
        "display_name": fields.get("display_name") if isinstance(fields.get("display_name"), str) else "",
        "language": fields.get("language") if isinstance(fields.get("language"), str) else "",
        "self_paced": _bool(fields.get("self_paced")),
        "pre_requisite_courses": [c for c in _json_list(fields.get("pre_requisite_courses")) if isinstance(c, str)],
        "course_image_name": image,
        "course_image_asset_path": f"/assets/{course_id}/{asset.name}" if asset is not None else "",
        "intro_video": youtube_id(text_file(structure, "about/video.html")),
        "version": structure.version,
    }
    for name, field in DATE_FIELDS.items():
        details[name] = iso(parse_date(fields.get(field)))
    for name, filename in ABOUT_FILES.items():
        text = text_file(structure, f"about/{filename}")
        details[name] = text if name == "overview" else _plain(text)
    return details


def _date(errors: dict[str, str], name: str, value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        parsed = parse_date(value)
        if parsed is not None:
            return parsed
    errors[name] = _("Enter a date and time (ISO 8601, e.g. 2026-09-01T09:00:00Z).")
    return None


def _check_date_order(errors: dict[str, str], dates: dict[str, datetime | None]) -> None:
    """Open edX Studio's schedule rules (``js/models/settings/course_details.js``)."""
    start, end = dates.get("start_date"), dates.get("end_date")
    enroll_start, enroll_end = dates.get("enrollment_start"), dates.get("enrollment_end")
    if start is None and "start_date" not in errors:
        errors["start_date"] = _("The course must have an assigned start date.")
    if start and end and end <= start:
        errors.setdefault("end_date", _("The course end date must be later than the course start date."))
    if start and enroll_start and enroll_start > start:
        errors.setdefault("enrollment_start", _("The course start date must be later than the enrollment start date."))
    if enroll_start and enroll_end and enroll_end < enroll_start:
        errors.setdefault("enrollment_end", _("The enrollment start date cannot be after the enrollment end date."))
    if end and enroll_end and enroll_end > end:
        errors.setdefault("enrollment_end", _("The enrollment end date cannot be after the course end date."))


def _text_value(errors: dict[str, str], name: str, value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[name] = _("Enter a text.")
        return ""
    if len(value) > limit:
        errors[name] = _("Enter at most %(limit)s characters.", limit=limit)
    return value.strip()


def save_details(course_id: str, changes: Mapping[str, Any], *, user_id: int | None,
                 expected_version: str | None) -> dict[str, Any]:
    """Validate and save the schedule and details ``changes`` (any subset of :func:`read_details`'s fields);
    returns the new details. Raises :class:`SettingsInvalid` or ``VersionConflict``.

    The changes are merged into, and checked against, the draft they are saved on (another author's save in
    between is read again, never overwritten with what this request read: a date order is checked against
    the other author's dates)."""
    on_latest_draft(lambda: _save_details(course_id, changes, user_id=user_id, expected_version=expected_version),
                    expected_version=expected_version)
    return read_details(course_id)


def _save_details(course_id: str, changes: Mapping[str, Any], *, user_id: int | None,
                  expected_version: str | None) -> None:
    current = read_details(course_id)
    unknown = sorted(set(changes) - set(current) - {"version"})
    errors: dict[str, str] = dict.fromkeys(unknown, _("This is not a field of the schedule and details."))
    for readonly in ("course_id", "org", "course_number", "run", "course_image_asset_path"):
        if readonly in changes and changes[readonly] != current[readonly]:
            errors[readonly] = _("This field cannot be changed.")
    merged = {**current, **{k: v for k, v in changes.items() if k in current}}
    dates = {name: _date(errors, name, merged[name]) for name in DATE_FIELDS}
    _check_date_order(errors, dates)
    fields: dict[str, Any] = {}
    remove: list[str] = []
    for name, field in DATE_FIELDS.items():
        if dates[name] is None:
            remove.append(field)
        else:
            fields[field] = iso(dates[name])

    display_name = _text_value(errors, "display_name", merged["display_name"], 255)
    if not display_name and "display_name" not in errors:
        errors["display_name"] = _("The course needs a name.")
    fields["display_name"] = display_name

    language = _text_value(errors, "language", merged["language"], 16)
    if language and not _LANGUAGE.match(language):
        errors["language"] = _("Enter a language code, such as en or pt-br.")
    if language:
        fields["language"] = language
    else:
        remove.append("language")

    if not isinstance(merged["self_paced"], bool):
        errors["self_paced"] = _("Enter true or false.")
    fields["self_paced"] = bool(merged["self_paced"])

    prerequisites = merged["pre_requisite_courses"]
    if not isinstance(prerequisites, list) or not all(isinstance(c, str) for c in prerequisites):
        errors["pre_requisite_courses"] = _("Enter a list of course ids.")
    else:
        known = {index.course_key for index in content_store().list_courses()}
        for other in prerequisites:
            try:
                CourseKey.from_string(other)
            except InvalidKeyError:
                errors["pre_requisite_courses"] = _("'%(course)s' is not a course id.", course=other)
                break
            if other == course_id:
                errors["pre_requisite_courses"] = _("A course cannot be its own prerequisite.")
                break
            if other not in known:
                errors["pre_requisite_courses"] = _("There is no course %(course)s.", course=other)
                break
        fields["pre_requisite_courses"] = list(dict.fromkeys(prerequisites))

    image = _image_name(_text_value(errors, "course_image_name", merged["course_image_name"], 255))
    if image:
        if find_asset(draft_of(course_id), image) is None:
            errors["course_image_name"] = _("The course has no file named %(name)s: upload it first.", name=image)
        fields["course_image"] = image
    else:
        remove.append("course_image")

    # An about file is written only when its field was sent with a new value: the others (an imported
    # Vimeo video.html, an effort.html with markup) stay exactly as they are.
    files: dict[str, bytes | None] = {}
    if "intro_video" in changes and changes["intro_video"] != current["intro_video"]:
        video = _text_value(errors, "intro_video", merged["intro_video"], 255)
        video_id = youtube_id(video) if video else ""
        if video and not video_id:
            errors["intro_video"] = _("Enter a YouTube video id or URL.")
        files["about/video.html"] = (
            f'<iframe width="560" height="315" src="https://www.youtube.com/embed/{video_id}?rel=0" '
            f'frameborder="0" allowfullscreen=""></iframe>'.encode() if video_id else None)
    for name, filename in ABOUT_FILES.items():
        if name not in changes or changes[name] == current[name]:
            continue
        limit = MAX_OVERVIEW if name == "overview" else MAX_SHORT_TEXT
        value = _text_value(errors, name, merged[name], limit)
        if name == "overview":
            value = clean_author_html(value, course_id) if value else ""
        else:
            value = html.escape(_plain(value), quote=False)  # plain text: tags dropped, & and < kept as text
        files[f"about/{filename}"] = value.encode("utf-8") if value else None

    if errors:
        raise SettingsInvalid(errors)
    edit_course(course_id, user_id=user_id, fields=fields, remove=[r for r in remove if r not in fields],
                files=files, expected_version=expected_version or current["version"],
                message="edit schedule and details")


# -- grading ------------------------------------------------------------------------------------------------------

_DURATION = re.compile(r"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>week|day|hour|minute|second)s?", re.I)


def _grace_seconds(value: Any) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if not isinstance(value, str) or not value.strip():
        return 0
    try:
        return int(float(value.strip().strip('"')))
    except ValueError:
        pass
    factors = {"week": 604800, "day": 86400, "hour": 3600, "minute": 60, "second": 1}
    return int(sum(float(m.group("value")) * factors[m.group("unit").lower()] for m in _DURATION.finditer(value)))


def _percent(fraction: Any) -> float | int:
    try:
        value = round(float(fraction or 0) * 100, 2)
    except (TypeError, ValueError):
        return 0
    return int(value) if value == int(value) else value


def read_grading(course_id: str) -> dict[str, Any]:
    """Open edX's ``CourseGradingModel`` JSON of the draft: ``graders`` (weights in percent), ``grade_cutoffs``
    (fractions), ``grace_period`` (``{"hours", "minutes", "seconds"}`` or ``None``), and ``version``."""
    structure = draft_of(course_id)
    policy = grading_policy_of(structure)
    graders = []
    for index, grader in enumerate(policy.get("GRADER") or []):
        if not isinstance(grader, dict):
            continue
        graders.append({
            "id": index, "type": str(grader.get("type") or ""), "short_label": str(grader.get("short_label") or ""),
            "min_count": int(grader.get("min_count") or 0), "drop_count": int(grader.get("drop_count") or 0),
            "weight": _percent(grader.get("weight")),
        })
    cutoffs = policy.get("GRADE_CUTOFFS")
    if not isinstance(cutoffs, dict):
        cutoffs = dict(DEFAULT_GRADING_POLICY["GRADE_CUTOFFS"])
    seconds = _grace_seconds(root_fields(structure).get("graceperiod"))
    grace = {"hours": seconds // 3600, "minutes": seconds % 3600 // 60, "seconds": seconds % 60} if seconds else None
    return {"graders": graders, "grade_cutoffs": {str(k): float(v) for k, v in cutoffs.items()},
            "grace_period": grace, "version": structure.version}


def _int_value(errors: dict[str, str], name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        errors[name] = _("Enter a whole number.")
        return 0
    if not low <= value <= high:
        errors[name] = _("Enter a number from %(low)s to %(high)s.", low=low, high=high)
    return int(value)


def validate_grading(data: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """The stored ``grading_policy`` and grace period (seconds) of a grading JSON; :class:`SettingsInvalid`
    lists every problem (Open edX's rules: named, unique types; weights 0-100 adding up to 100; whole counts,
    no more dropped than counted; 1 to 5 descending cutoffs between 0 and 1)."""
    errors: dict[str, str] = {}
    graders_in = data.get("graders")
    graders: list[dict[str, Any]] = []
    if not isinstance(graders_in, list):
        errors["graders"] = _("Enter a list of assignment types.")
        graders_in = []
    names: set[str] = set()
    total = 0.0
    for index, grader in enumerate(graders_in):
        where = f"graders.{index}"
        if not isinstance(grader, dict):
            errors[where] = _("Enter an assignment type as an object.")
            continue
        name = grader.get("type")
        if not isinstance(name, str) or not name.strip():
            errors[f"{where}.type"] = _("The assignment type must have a name.")
            name = ""
        elif len(name.strip()) > MAX_NAME:
            errors[f"{where}.type"] = _("Enter at most %(limit)s characters.", limit=MAX_NAME)
        elif name.strip().lower() in names:
            errors[f"{where}.type"] = _("There's already another assignment type with this name.")
        name = name.strip()
        names.add(name.lower())
        label = grader.get("short_label") or ""
        if not isinstance(label, str) or len(label) > MAX_NAME:
            errors[f"{where}.short_label"] = _("Enter a short label of at most %(limit)s characters.", limit=MAX_NAME)
            label = ""
        weight = grader.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 100:
            errors[f"{where}.weight"] = _("Please enter an integer between 0 and 100.")
            weight = 0
        total += float(weight)
        min_count = _int_value(errors, f"{where}.min_count", grader.get("min_count"), 1, 1000)
        drop_count = _int_value(errors, f"{where}.drop_count", grader.get("drop_count", 0), 0, 1000)
        if f"{where}.drop_count" not in errors and f"{where}.min_count" not in errors and drop_count > min_count:
            errors[f"{where}.drop_count"] = _("Cannot drop more %(type)s assignments than are assigned.",
                                              type=name or "")
        entry: dict[str, Any] = {"type": name, "min_count": min_count, "drop_count": drop_count,
                                 "weight": round(float(weight) / 100, 6)}
        if label.strip():
            entry["short_label"] = label.strip()
        graders.append(entry)
    if graders and "graders" not in errors and abs(total - 100) > 0.01:
        errors["graders"] = _("The weights of the assignment types must add up to 100%% (they add up to %(total)s%%).",
                               total=f"{total:g}")

    cutoffs_in = data.get("grade_cutoffs")
    cutoffs: dict[str, float] = {}
    if not isinstance(cutoffs_in, dict) or not 1 <= len(cutoffs_in) <= MAX_CUTOFFS:
        errors["grade_cutoffs"] = _("Enter 1 to %(count)s grades with their lowest scores.", count=MAX_CUTOFFS)
    else:
        for letter, value in cutoffs_in.items():
            if not isinstance(letter, str) or not letter.strip() or len(letter) > MAX_NAME:
                errors["grade_cutoffs"] = _("Every grade needs a name.")
            elif isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
                errors[f"grade_cutoffs.{letter}"] = _("A grade's lowest score must be between 0 and 1 (0% to 100%).")
            else:
                cutoffs[letter.strip()] = round(float(value), 4)
        if len(set(cutoffs.values())) != len(cutoffs) and "grade_cutoffs" not in errors:
            errors["grade_cutoffs"] = _("Two grades cannot start at the same score.")

    grace = data.get("grace_period")
    seconds = 0
    if grace is not None:
        if not isinstance(grace, dict):
            errors["grace_period"] = _("Enter the grace period as hours and minutes.")
        else:
            hours = _int_value(errors, "grace_period.hours", grace.get("hours", 0), 0, 24 * 365)
            minutes = _int_value(errors, "grace_period.minutes", grace.get("minutes", 0), 0, 59)
            secs = _int_value(errors, "grace_period.seconds", grace.get("seconds", 0), 0, 59)
            seconds = hours * 3600 + minutes * 60 + secs
    if errors:
        raise SettingsInvalid(errors)
    ordered = dict(sorted(cutoffs.items(), key=lambda item: -item[1]))
    return {"GRADER": graders, "GRADE_CUTOFFS": ordered}, seconds


def grace_text(seconds: int) -> str:
    """A grace period as Open edX's ``Timedelta`` field writes it (``"2 hours 30 minutes"``)."""
    parts = [(seconds // 3600, "hours"), (seconds % 3600 // 60, "minutes"), (seconds % 60, "seconds")]
    return " ".join(f"{value} {unit}" for value, unit in parts if value) or "0 seconds"


def save_grading(course_id: str, data: Mapping[str, Any], *, user_id: int | None,
                 expected_version: str | None) -> dict[str, Any]:
    """Validate and save the grading JSON (see :func:`read_grading`); returns the new grading."""
    policy, seconds = validate_grading(data)
    draft_of(course_id)  # CourseNotFound (404) for an unknown course
    edit_course(course_id, user_id=user_id, fields={"grading_policy": policy,
                                                    **({"graceperiod": grace_text(seconds)} if seconds else {})},
                remove=() if seconds else ("graceperiod",), expected_version=expected_version,
                message="edit grading")
    return read_grading(course_id)


# -- advanced settings --------------------------------------------------------------------------------------------


def read_advanced(course_id: str) -> dict[str, Any]:
    """Every editable policy key with its value (the course's, else the default), display name, help, and
    whether it is deprecated (deprecated keys are listed only when the course sets them)."""
    structure = draft_of(course_id)
    stored = root_fields(structure)
    settings: dict[str, Any] = {}
    for name, field in advanced_fields.course_fields().items():
        deprecated = advanced_fields.is_deprecated(field)
        if deprecated and name not in stored:
            continue
        value = advanced_fields.display_value(field, stored[name]) if name in stored else field.to_json(field.default)
        settings[name] = {"value": value, "display_name": str(field.display_name or name),
                          "help": str(field.help or ""), "deprecated": deprecated, "set": name in stored}
    return {"settings": settings, "version": structure.version}


def save_advanced(course_id: str, changes: Mapping[str, Any], *, user_id: int | None,
                  expected_version: str | None) -> dict[str, Any]:
    """Set the policy keys in ``changes`` (``null`` resets a key to its default). Unknown keys and values of
    the wrong type raise :class:`SettingsInvalid` (one message per key) and nothing is saved."""
    fields = advanced_fields.course_fields()
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    remove: list[str] = []
    if not changes:
        errors["settings"] = _("Send at least one setting to change.")
    for name, value in changes.items():
        field = fields.get(name)
        if field is None:
            errors[name] = _("'%(key)s' is not a setting of this course (or is edited on another settings page).",
                             key=name)
            continue
        problem = advanced_fields.check_value(field, value)
        if problem:
            errors[name] = _("%(setting)s: %(problem)s", setting=field.display_name or name, problem=problem)
        elif value is None:
            remove.append(name)
        else:
            values[name] = value
    if "display_name" in values and not str(values["display_name"]).strip():
        errors["display_name"] = _("The course needs a name.")
    if errors:
        raise SettingsInvalid(errors)
    draft_of(course_id)  # CourseNotFound (404) for an unknown course
    edit_course(course_id, user_id=user_id, fields=values, remove=remove,
                expected_version=expected_version, message="edit advanced settings")
    return read_advanced(course_id)


__all__ = [
    "CourseNotFound",
    "SettingsInvalid",
    "read_advanced",
    "read_details",
    "read_grading",
    "save_advanced",
    "save_details",
    "save_grading",
    "validate_grading",
]
