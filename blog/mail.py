"""Email through the configured SMTP server (MAIL_SERVER), if any: the one way out by mail.

Comment notifications and the desk's invitations and password resets go through `send`. A
message is sent after what it tells of is committed: a server that fails or is slow costs the
message (logged), never the comment or the account.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

logger = logging.getLogger(__name__)


def send(settings: dict, to: list[str], subject: str, body: str) -> bool:
    """Send a plain-text message; return whether the server took it."""
    if not settings.get("MAIL_SERVER") or not to:
        return False
    message = EmailMessage()
    message["From"] = settings["MAIL_FROM"]
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(
            settings["MAIL_SERVER"], settings["MAIL_PORT"], timeout=settings["MAIL_TIMEOUT"]
        ) as server:
            if settings.get("MAIL_STARTTLS"):
                server.starttls()
            if settings.get("MAIL_USERNAME"):
                server.login(settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"] or "")
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("A notification to %s could not be sent (%s).", to, error)
        return False
    return True
