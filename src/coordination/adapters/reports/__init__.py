"""Printed papers for people: the consent declaration to sign, the disclosure report
(Art. 15 GDPR) and the integration agreement to sign, as PDF in German and in the
person's language."""
