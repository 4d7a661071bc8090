"""Open edX's REST APIs of the LMS at Open edX's paths, in its JSON shapes (one module per Open edX API)."""
