"""OLX: Open edX's course format, imported into and exported from the content store."""
