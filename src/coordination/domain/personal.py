"""Which fields of each event are personal data, sealed with the case's key.

What an audit and the statistics need stays in clear: the event type and time,
agencies, ids, purposes, categories, statuses and the dates and results that
move a case's state. Identity, contact, residence, qualification details and
every free text are sealed, so erasing the case's key erases them.
"""

SEALED: dict[str, tuple[str, ...]] = {
    "CaseOpened": ("person", "arrived_on", "residence_status"),
    "ConsentGranted": (),
    "ConsentWithdrawn": ("reason",),
    "ReferralSent": ("note",),
    "ReferralAccepted": ("reason",),
    "ReferralDeclined": ("reason",),
    "ReferralCompleted": ("outcome",),
    "CourseAssigned": ("target_level",),
    "CourseCompleted": (),
    "AgreementConcluded": (),  # milestone titles: see MILESTONE_SEALED
    "MilestoneMet": ("note",),
    "MilestoneRescheduled": ("reason",),
    "QualificationRecorded": ("title", "country", "level", "obtained_on"),
    "RecognitionDecided": (),
    "CaseTransferred": ("reason",),
    "CaseClosed": ("reason",),
    "CaseErased": (),
    # A snapshot holds the whole state of a case: all of it is sealed (ADR 0020).
    "Snapshot": ("state",),
}
MILESTONE_SEALED = ("title",)
