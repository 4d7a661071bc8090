"""Rendering: Jinja2 loader order, the base layout, error pages, security headers."""
