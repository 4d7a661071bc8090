"""The mailer driver family (``kampus.mailer``): console, smtp, memory.

Interface (to be completed): ``Mailer(settings)`` then
``send(to, subject, text, html=None) -> email.message.EmailMessage``.
"""
