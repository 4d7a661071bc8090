"""Kampus discussions (plugin ``kampus-forums``): Open edX's forums as one plugin.

Areas, each a package with its tables, service functions and views:

* ``threads``: threads, responses and comments (one level of nesting), Markdown with maths
  rendered safely, edit history, read state;
* ``interactions``: votes, follows and abuse flags;
* ``moderation``: pin, close, endorse, delete with a reason, bans and mutes, the audit log;
* ``topics``: course-wide and in-context topics, division by cohort or enrollment track, blackout
  periods;
* ``notifications``: the in-app bell, e-mail preferences (per account and per course), immediate mail and
  digests in the recipient's language;
* ``search``: indexing threads and comments in the ``kampus.search`` driver;
* ``rest``: Open edX's discussion REST API (``/api/discussion/v1|v2|v3/...``);
* ``web``: the Discussion course tab and the inline discussion of a unit.

Other plugins import :mod:`kampus_forums.api` only.
"""
