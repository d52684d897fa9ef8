"""Printable documents for people: the disclosure report (Art. 15 GDPR) as PDF."""
