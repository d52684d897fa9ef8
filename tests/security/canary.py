"""A person whose data must never show where it should not, and the search for it.

The values are unlikely to occur by chance, so finding one in a body, a header or a
log line means personal data got there.
"""

from collections.abc import Iterable
from typing import Any

import httpx

CANARY: dict[str, Any] = {
    "given_name": "Ysoldemarit",
    "family_name": "Quennbrooke",
    "date_of_birth": "1979-02-28",
    "nationality": "ER",
    "languages": ["ti", "ar"],
    "phone": "+49 160 5550123",
    "email": "y.quennbrooke@canary.example",
}

# What would give the person away, also in other spellings a renderer might use.
MARKERS = (
    "Ysoldemarit",
    "Quennbrooke",
    "1979-02-28",
    "28.02.1979",
    "+49 160 5550123",
    "+491605550123",
    "5550123",
    "y.quennbrooke@canary.example",
    "quennbrooke@",
)

# Free text an agency might write into a referral note or a reason.
NOTE = f"Call {CANARY['given_name']} {CANARY['family_name']} on {CANARY['phone']}"


def found_in(text: str, secrets: Iterable[str] = ()) -> list[str]:
    """The markers (and other secrets, e.g. bearer tokens) that occur in text."""
    lowered = text.lower()
    return [m for m in (*MARKERS, *secrets) if m and m.lower() in lowered]


def leaks(response: httpx.Response) -> list[str]:
    """Markers in the body or in any header name or value of a response."""
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.multi_items())
    return found_in(f"{headers}\n{response.content.decode('latin-1')}")
