"""Data-protection oversight: consent trails, disclosure reports, receipts, the DPO overview.

Everything here reads metadata (who, when, which categories, on which consent);
only the disclosure report for the lead agency may carry the person's name.
"""
