"""The course block's policy keys that Studio's "Advanced settings" page edits (Open edX's ``CourseMetadata``).

Open edX lists every settings-scope field of its ``CourseBlock`` (``xmodule/course_block.py``: ``CourseFields``
and the inheritance mixin) except the ones other settings pages own (``FIELDS_EXCLUDE_LIST``) and the deprecated
ones. Kampus's course block declares only the fields it runs on, so the Open edX fields authors set through
policy files are declared here as XBlock fields (their types, defaults, help and ``deprecated`` flags); the
fields of the installed course block class are added (Open edX's declaration of a field both declare is shown).
A value is checked against its field's type (:func:`check_value`): a Boolean must be ``true``/``false``, a List
a list, a date an ISO 8601 date, one of the ``values`` when the field lists them.
"""

from __future__ import annotations

import math
from typing import Any

from flask_babel import gettext as _
from kampus_content.api import load_block_class, parse_date
from xblock.core import XBlock
from xblock.fields import Boolean, Date, Dict, Field, Float, Integer, List, Scope, String, Timedelta

#: Keys other Studio pages edit (Open edX's ``CourseMetadata.FIELDS_EXCLUDE_LIST`` plus what Kampus's pages own).
EXCLUDED = frozenset({
    "cohort_config", "xml_attributes", "start", "end", "enrollment_start", "enrollment_end",
    "certificate_available_date", "tabs", "graceperiod", "show_timezone", "format", "graded", "hide_from_toc",
    "pdf_textbooks", "user_partitions", "name", "children", "video_speed_optimizations", "enrollment_domain",
    "course_image", "banner_image", "video_thumbnail_image", "grading_policy", "certificates",
    "pre_requisite_courses", "language", "self_paced", "visible_to_staff_only", "wiki_slug", "due",
    "minimum_grade_credit", "entrance_exam_enabled", "entrance_exam_minimum_score_pct", "entrance_exam_id",
    "tags",
})

_SHOW_ANSWER = [{"display_name": name, "value": name} for name in (
    "always", "answered", "attempted", "closed", "finished", "correct_or_past_due", "past_due", "never",
    "after_all_attempts", "after_all_attempts_or_correct", "attempted_no_past_due")]


class OpenEdxCourseFields(XBlock):
    """Open edX's course-level settings (``CourseFields``), declared for their types and help only."""

    display_name = String(display_name="Course Display Name", scope=Scope.settings, default="Empty",
                          help="Enter the name of the course as it should appear in the course list.")
    advertised_start = String(display_name="Course Advertised Start", scope=Scope.settings, default=None,
                              help="Enter the date you want to advertise as the course start date, if this date "
                                   "is different from the set start date. To advertise the set start date, "
                                   "enter null.")
    advanced_modules = List(display_name="Advanced Module List", scope=Scope.settings, default=[],
                            help="Enter the names of the advanced modules to use in your course.")
    allow_anonymous = Boolean(display_name="Allow Anonymous Discussion Posts", scope=Scope.settings, default=True,
                              help="Enter true or false. If true, students can create discussion posts that "
                                   "are anonymous to all users.")
    allow_anonymous_to_peers = Boolean(display_name="Allow Anonymous Discussion Posts to Peers",
                                       scope=Scope.settings, default=False,
                                       help="Enter true or false. If true, students can create discussion posts "
                                            "that are anonymous to other students.")
    catalog_visibility = String(display_name="Course Visibility In Catalog", scope=Scope.settings, default="both",
                                help="Defines the access permissions for showing the course in the course "
                                     "catalog: both, about or none.",
                                values=[{"display_name": v, "value": v} for v in ("both", "about", "none")])
    certificates_display_behavior = String(
        display_name="Certificates Display Behavior", scope=Scope.settings, default="end",
        help="Enter end, end_with_date, or early_no_info. After certificate generation, students who passed see "
             "a link to their certificates on the dashboard.",
        values=[{"display_name": v, "value": v} for v in ("end", "end_with_date", "early_no_info")])
    certificates_show_before_end = Boolean(display_name="Certificates Downloadable Before End",
                                           scope=Scope.settings, default=False, deprecated=True,
                                           help="Deprecated: use Certificates Display Behavior.")
    cert_name_short = String(display_name="Certificate Name (Short)", scope=Scope.settings, default="",
                             help="Use this setting only when generating PDF certificates.")
    cert_name_long = String(display_name="Certificate Name (Long)", scope=Scope.settings, default="",
                            help="Use this setting only when generating PDF certificates.")
    days_early_for_beta = Float(display_name="Days Early for Beta Users", scope=Scope.settings, default=None,
                                help="Enter the number of days before the start date that beta users can access "
                                     "the course.")
    discussion_blackouts = List(display_name="Discussion Blackout Dates", scope=Scope.settings, default=[],
                                help="Enter pairs of dates between which students cannot post to discussion "
                                     "forums.")
    discussion_topics = Dict(display_name="Discussion Topic Mapping", scope=Scope.settings, default={},
                             help="Enter discussion categories in the following format: "
                                  '"CategoryName": {"id": "i4x-InstitutionName-CourseNumber-course-CourseRun"}.')
    discussion_sort_alpha = Boolean(display_name="Discussion Sorting Alphabetical", scope=Scope.settings,
                                    default=False, help="Enter true or false. If true, discussion categories and "
                                                        "subcategories are sorted alphabetically.")
    display_coursenumber = String(display_name="Course Number Display String", scope=Scope.settings, default="",
                                  help="Enter the course number that you want to appear in the LMS.")
    display_organization = String(display_name="Course Organization Display String", scope=Scope.settings,
                                  default=None, help="Enter the course organization that you want to appear in "
                                                     "the LMS.")
    due_date_display_format = String(display_name="Due Date Display Format", scope=Scope.settings, default=None,
                                     help="Enter the format for due dates, e.g. %m-%d-%Y.")
    enable_proctored_exams = Boolean(display_name="Enable Proctored Exams", scope=Scope.settings, default=False,
                                     help="Enter true or false. If true, proctored exams are enabled.")
    enable_timed_exams = Boolean(display_name="Enable Timed Exams", scope=Scope.settings, default=False,
                                 help="Enter true or false. If true, timed exams are enabled.")
    hide_progress_tab = Boolean(display_name="Hide Progress Tab", scope=Scope.settings, default=False,
                                deprecated=True, help="Allows hiding of the progress tab.")
    html_textbooks = List(display_name="HTML Textbooks", scope=Scope.settings, default=[],
                          help="For HTML textbooks that appear as separate tabs in the course, enter the name of "
                               "the tab (usually the title of the book) as well as the URLs and titles of each "
                               "chapter in the book.")
    info_sidebar_name = String(display_name="Course Home Sidebar Name", scope=Scope.settings,
                               default="Course Handouts", help="Enter the heading that you want students to see "
                                                               "above your course handouts on the Course Home page.")
    instructor_info = Dict(display_name="Course Instructor", scope=Scope.settings, default={"instructors": []},
                           help="Enter the details for Course Instructor.")
    invitation_only = Boolean(display_name="Invitation Only", scope=Scope.settings, default=False,
                              help="Whether to restrict enrollment to invitation by the course staff.")
    is_new = Boolean(display_name="Course Is New", scope=Scope.settings, default=False, deprecated=True,
                     help="Enter true or false. If true, the course appears in the list of new courses.")
    learning_info = List(display_name="Course Learning Information", scope=Scope.settings, default=[],
                         help="Specify what student can learn from the course.")
    lti_passports = List(display_name="LTI Passports", scope=Scope.settings, default=[],
                         help='Enter the passports for course LTI tools in the format "id:client_key:client_secret".')
    max_attempts = Integer(display_name="Maximum Attempts", scope=Scope.settings, default=None,
                           help="Enter the maximum number of times a student can try to answer problems.")
    max_student_enrollments_allowed = Integer(display_name="Course Maximum Student Enrollment",
                                              scope=Scope.settings, default=None,
                                              help="Enter the maximum number of students that can enroll in the "
                                                   "course. To allow an unlimited number of students, enter null.")
    # Open edX's default is false; a Kampus course that does not set it is available on mobile (the LMS's
    # MOBILE_AVAILABLE_DEFAULT: every course was, before the flag), so the page shows what the apps get.
    mobile_available = Boolean(display_name="Mobile Course Available", scope=Scope.settings, default=True,
                               help="Enter true or false. If true, the course will be available to mobile devices.")
    no_grade = Boolean(display_name="Course Not Graded", scope=Scope.settings, default=False,
                       help="Enter true or false. If true, the course will not be graded.")
    other_course_settings = Dict(display_name="Other Course Settings", scope=Scope.settings, default={},
                                 help="Any additional information about the course that the platform needs.")
    rerandomize = String(display_name="Randomization", scope=Scope.settings, default="never",
                         help="Specify the default for how often variable values in a problem are randomized.",
                         values=[{"display_name": v, "value": v} for v in
                                 ("always", "onreset", "never", "per_student")])
    show_calculator = Boolean(display_name="Show Calculator", scope=Scope.settings, default=False,
                              help="Enter true or false. When true, students can see the calculator in the course.")
    show_correctness = String(display_name="Show Results", scope=Scope.settings, default="always",
                              help="Specify when to show answer correctness and score to learners.",
                              values=[{"display_name": v, "value": v} for v in ("always", "never", "past_due")])
    show_reset_button = Boolean(display_name="Show Reset Button for Problems", scope=Scope.settings, default=False,
                                help="Enter true or false. If true, problem components show a Reset button.")
    showanswer = String(display_name="Show Answer", scope=Scope.settings, default="finished",
                        help="Specify when the Show Answer button appears for each problem.", values=_SHOW_ANSWER)
    social_sharing_url = String(display_name="Social Media Sharing URL", scope=Scope.settings, default=None,
                                help="If dashboard social sharing is enabled, enter a custom URL for the course.")
    static_asset_path = String(display_name="Static Asset Path", scope=Scope.settings, default="",
                               help="Enter the path to use for files on the Files & Uploads page.")
    submission_wait_seconds = Integer(display_name="Timer Between Attempts", scope=Scope.settings, default=0,
                                      help="Seconds a student must wait between submissions for a problem.")
    teams_configuration = Dict(display_name="Teams Configuration", scope=Scope.settings, default={},
                               help="Specify the maximum team size and topics for teams inside the course.")
    text_customization = Dict(display_name="Text Customization", scope=Scope.settings, default={},
                              help="Enter string customization substitutions for particular locations.")
    use_latex_compiler = Boolean(display_name="Enable LaTeX Compiler", scope=Scope.settings, default=False,
                                 help="Enter true or false. If true, you can use the LaTeX templates for HTML "
                                      "components and advanced Problem components.")
    video_auto_advance = Boolean(display_name="Enable video auto-advance", scope=Scope.settings, default=False,
                                 help="Specify whether to show an auto-advance button in videos.")
    video_bumper = Dict(display_name="Video Pre-Roll", scope=Scope.settings, default={},
                        help='Identify a video to play before the course content, {"video_id": ..., '
                             '"transcripts": {...}}.')
    xqa_key = String(display_name="XQA Key", scope=Scope.settings, default=None, deprecated=True,
                     help="This setting is not currently supported.")
    course_edit_method = String(display_name="Course Editor", scope=Scope.settings, default="Studio",
                                deprecated=True, help='Enter the method by which this course is edited ("XML" '
                                                      'or "Studio").')
    giturl = String(display_name="GIT URL", scope=Scope.settings, default=None, deprecated=True,
                    help="Enter the URL for the course's git repository.")
    announcement = Date(display_name="Course Announcement Date", scope=Scope.settings, default=None,
                        help="Enter the date to announce your course.")
    hide_after_due = Boolean(display_name="Hide After Due", scope=Scope.settings, default=False, deprecated=True,
                             help="Course-level default for hiding subsections after their due date.")


def course_fields() -> dict[str, Field]:
    """Every editable course field by name, in name order: the installed course block's own settings fields,
    then Open edX's ones it does not declare (excluded keys left out)."""
    fields: dict[str, Field] = {}
    for cls in (OpenEdxCourseFields, _course_block_class()):
        for name, field in getattr(cls, "fields", {}).items():
            if field.scope == Scope.settings and name not in EXCLUDED and name not in fields:
                fields[name] = field
    return dict(sorted(fields.items()))


def _course_block_class() -> type:
    try:
        return load_block_class("course")
    except Exception:
        return OpenEdxCourseFields


def is_deprecated(field: Field) -> bool:
    """Whether Open edX marks the field deprecated (hidden unless the course sets it)."""
    return bool(field.runtime_options.get("deprecated"))


#: Largest whole number a setting takes (a bigger one breaks date arithmetic and databases alike).
MAX_INTEGER = 2**31 - 1
#: Narrower ranges of some number settings: ``days_early_for_beta`` at most ten years.
NUMBER_BOUNDS: dict[str, tuple[int, int]] = {"days_early_for_beta": (0, 3650), "max_attempts": (0, 1000),
                                              "submission_wait_seconds": (0, 31_536_000)}
#: Longest course name (as on the details page).
MAX_DISPLAY_NAME = 255


def _allowed_values(field: Field) -> list[Any]:
    values = field.values
    if not isinstance(values, list | tuple):
        return []
    return [item.get("value") if isinstance(item, dict) else item for item in values]


def check_value(field: Field, value: Any) -> str | None:
    """Why ``value`` (JSON) is not a valid value of ``field`` (``None`` when it is; ``null`` always is)."""
    if value is None:
        return None
    kind = type(field)
    if isinstance(field, Boolean):
        return None if isinstance(value, bool) else _("Enter true or false.")
    if isinstance(field, Integer):
        if not isinstance(value, int) or isinstance(value, bool):
            return _("Enter a whole number.")
        low, high = NUMBER_BOUNDS.get(field.name, (-MAX_INTEGER, MAX_INTEGER))
        if not low <= value <= high:
            return _("Enter a number from %(low)s to %(high)s.", low=low, high=high)
        return None
    if isinstance(field, Float):
        if not isinstance(value, int | float) or isinstance(value, bool):
            return _("Enter a number.")
        low, high = NUMBER_BOUNDS.get(field.name, (-MAX_INTEGER, MAX_INTEGER))
        if not math.isfinite(value) or not low <= value <= high:
            return _("Enter a number from %(low)s to %(high)s.", low=low, high=high)
        return None
    if isinstance(field, Dict):
        return None if isinstance(value, dict) else _("Enter a JSON object, {...}.")
    if isinstance(field, List):
        return None if isinstance(value, list) else _("Enter a JSON list, [...].")
    if isinstance(field, Date):
        return None if isinstance(value, str) and parse_date(value) is not None \
            else _("Enter a date as an ISO 8601 text, e.g. \"2026-09-01T00:00:00Z\".")
    if isinstance(field, Timedelta):
        try:
            field.from_json(value)
        except (TypeError, ValueError, OverflowError):
            return _("Enter a duration, e.g. \"2 days 5 hours 30 minutes\".")
        return None
    if isinstance(field, String) or kind.__name__ in ("String", "XMLString"):
        if not isinstance(value, str):
            return _("Enter a text in double quotes.")
        if field.name == "display_name" and len(value) > MAX_DISPLAY_NAME:
            return _("Enter at most %(limit)s characters.", limit=MAX_DISPLAY_NAME)
        allowed = _allowed_values(field)
        if allowed and value not in allowed:
            return _("Enter one of: %(values)s.", values=", ".join(str(item) for item in allowed))
        return None
    try:  # another field type: its own JSON conversion decides
        field.from_json(value)
    except (TypeError, ValueError, OverflowError) as error:
        return str(error) or _("This value has the wrong type.")
    return None


def display_value(field: Field, stored: Any) -> Any:
    """The JSON value of a stored setting (OLX attributes are strings: ``"true"`` becomes ``true``)."""
    if isinstance(stored, str) and not isinstance(field, String | Date | Timedelta):
        try:
            return field.to_json(field.from_string(stored))
        except (TypeError, ValueError):
            return stored
    return stored
