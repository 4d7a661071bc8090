"""The public API of the LMS plugin: what other plugins (REST API, Studio, instructor dashboard,
forums, XQueue, commerce) import. Other plugins import this module only, never the inner modules.
"""

from __future__ import annotations

# catalog

# enrollment

# access and courseware

# course home

# grades

# certificates

# search
