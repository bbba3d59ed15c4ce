"""Email out: one plain-text message through the SMTP server the settings name (TTC_SMTP_*)."""
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import urlsplit

from flask import current_app

from server.errors import AppError

SECURITY_MODES = ("starttls", "ssl", "none")


class MailError(AppError):
    """Raised when a message could not be handed to the SMTP server (the reason is safe to show)."""

    status = 503
    code = "mail_unavailable"


def configured():
    """Whether an SMTP server is set, so the product can send email at all."""
    return bool(current_app.config["TTC_SMTP_HOST"])


def sender():
    """The From address: TTC_MAIL_FROM, else no-reply at the public URL's host."""
    config = current_app.config
    return config["TTC_MAIL_FROM"] or f"no-reply@{urlsplit(config['TTC_PUBLIC_URL']).hostname or 'localhost'}"


def send(to, subject, body):
    """Send one plain-text message to ``to``; raises MailError when the server refuses or is away."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = formataddr(("tiktok-connector", sender()))
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender().rpartition("@")[2])
    message.set_content(body)
    try:
        with _connect(config) as smtp:
            if config["TTC_SMTP_USERNAME"]:
                smtp.login(config["TTC_SMTP_USERNAME"], config["TTC_SMTP_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        # The server's own words may hold the account name; say only which step failed.
        raise MailError(f"the mail server {config['TTC_SMTP_HOST']} did not take the message "
                        f"({type(error).__name__})") from None


def _connect(config):
    host, port = config["TTC_SMTP_HOST"], config["TTC_SMTP_PORT"]
    timeout = config["TTC_SMTP_TIMEOUT"]
    security = config["TTC_SMTP_SECURITY"]
    if security == "ssl":
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    smtp = smtplib.SMTP(host, port, timeout=timeout)
    if security == "starttls":
        smtp.starttls(context=ssl.create_default_context())
    return smtp
