"""Kampus mail through Amazon SES (the ``kampus.mailer`` driver ``ses``); see :mod:`kampus_ses.mailer`."""
