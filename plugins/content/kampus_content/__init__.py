"""Kampus course content: the versioned content store, XBlock runtime and OLX."""
