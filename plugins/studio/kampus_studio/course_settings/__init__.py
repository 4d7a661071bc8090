"""Studio area `course_settings` (see :mod:`kampus_studio`)."""
