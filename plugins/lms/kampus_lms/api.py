"""The public API of the LMS plugin: what other plugins (REST API, Studio, instructor dashboard,
forums, XQueue, commerce) import. Other plugins import this module only, never the inner modules.

It gathers each area's API: the catalog (course overviews), enrollment (enrollments, modes,
pre-enrollment), access and courseware (who may see a course, unit URLs, resume, bookmarks), the
course home (outline, tabs, updates and handouts), grades (graders, course and subsection grades),
certificates and search (course discovery and in-course search).
"""

from __future__ import annotations

from kampus_lms.catalog.api import (  # noqa: F401
    CourseOverview,
    about_url,
    can_see_about_page,
    can_see_in_catalog,
    course_overview,
    course_overviews,
    list_overviews,
)
from kampus_lms.certificates.api import (  # noqa: F401
    CertificateConfig,
    CertificateError,
    CertificateInfo,
    CertificateStatuses,
    Signatory,
    certificate_by_uuid,
    certificate_config,
    certificate_status,
    certificate_statuses,
    invalidate_certificate,
    is_allowlisted,
    reinstate_certificate,
    set_allowlisted,
    update_certificate,
)
from kampus_lms.course_home.api import (  # noqa: F401
    CourseOutline,
    CourseTab,
    CourseUpdate,
    OutlineSection,
    OutlineSubsection,
    OutlineUnit,
    course_handouts,
    course_page_context,
    course_tabs,
    course_updates,
    outline_for,
)
from kampus_lms.courseware.api import (  # noqa: F401
    BookmarkInfo,
    CourseAccess,
    bookmarks_of,
    course_access,
    jump_to_url,
    resume_block,
    unit_url,
    viewed_as,
)
from kampus_lms.enrollment.api import (  # noqa: F401
    Allowance,
    CourseMode,
    Enrollment,
    EnrollmentError,
    allow_enrollment,
    allowances_of,
    count_enrolled,
    count_enrolled_learners,
    course_modes,
    default_mode_slug,
    enroll,
    enroll_by_email,
    enrolled_user_ids,
    enrollments_of,
    get_enrollment,
    is_enrolled,
    set_course_mode,
    unenroll,
)
from kampus_lms.grades.api import (  # noqa: F401
    CourseGrade,
    CourseGrader,
    CourseGradeResult,
    CourseGradingInput,
    NoGrades,
    OpenEdxGrader,
    ProblemScore,
    SubsectionGrade,
    course_grade,
    read_score_rows,
    recompute_course_grade,
    stored_course_grades,
    subsection_grades,
)
from kampus_lms.search.api import (  # noqa: F401
    ContentSearchResult,
    CourseSearchResult,
    SearchAccessError,
    reindex_course,
    search_course_content,
    search_courses,
)
