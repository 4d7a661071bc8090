"""Studio area `files` (see :mod:`kampus_studio`): the course's "Files & uploads".

* :mod:`~kampus_studio.files.service`: listing (Open edX's asset fields), search, filter, sort, pages;
  upload checks (size limit, denied types) and changes, all through :mod:`kampus_content.api`;
* :mod:`~kampus_studio.files.views`: the page ``/studio/course/<course_id>/files/``;
* :mod:`~kampus_studio.files.rest`: ``/api/studio/v1/courses/<course_id>/assets/``;
* :mod:`~kampus_studio.files.api`: what Studio's other areas use.
"""
