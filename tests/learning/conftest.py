# The real SMTP server of the mail tests: follow-up emails are sent to it by the worker.
from tests.mail.conftest import smtp_server, smtp_settings  # noqa: F401
