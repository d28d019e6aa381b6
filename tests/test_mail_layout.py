"""Every HTML mail extends the one mail layout (templates/mail/layout.html)."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def test_every_html_mail_template_extends_the_mail_layout():
    mails = sorted(TEMPLATES.glob("*/mail/*.html"))
    assert len(mails) >= 4  # password reset, invitations, minutes, consultation
    for template in mails:
        first_line = template.read_text(encoding="utf-8").splitlines()[0]
        assert first_line == '{% extends "mail/layout.html" %}', template
