"""Printed papers for people: the consent declaration to sign and the disclosure report
(Art. 15 GDPR), as PDF in German and in the person's language."""
