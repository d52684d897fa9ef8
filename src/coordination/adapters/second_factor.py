"""Time-based one-time passwords (RFC 6238, pyotp) and their secrets, sealed at rest.

A secret is kept sealed with AES-GCM under a key derived from the master key (HKDF,
its own purpose), bound to its account: a copied table row opens nothing, and a
secret cannot be moved to another account.
"""

import base64
import hmac
import io
from datetime import datetime

import pyotp
import segno
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from coordination.adapters.store.keys import seal, unseal

ISSUER = "Integrationskoordination"
STEP_SECONDS = 30
DRIFT_STEPS = 1  # a code of the step before or after is accepted: clocks drift


class SecondFactors:
    def __init__(self, master_key: bytes) -> None:
        self._key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"totp-secrets"
        ).derive(master_key)

    def new_secret(self) -> str:
        return pyotp.random_base32()

    def seal(self, user_id: str, secret: str) -> str:
        return base64.b64encode(seal(self._key, secret.encode(), user_id.encode())).decode()

    def unseal(self, user_id: str, sealed: str) -> str:
        return unseal(self._key, base64.b64decode(sealed), user_id.encode()).decode()

    def matching_step(self, secret: str, code: str, at: datetime) -> int | None:
        """The time step whose code this is, within the drift allowed; None if none."""
        totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
        offered = "".join(code.split())
        now = int(at.timestamp()) // STEP_SECONDS
        for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
            if hmac.compare_digest(totp.at(step * STEP_SECONDS), offered):
                return step
        return None

    def uri(self, secret: str, account: str) -> str:
        return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
            name=account, issuer_name=ISSUER
        )

    def qr_code(self, secret: str, account: str) -> str:
        """The set-up URI as a QR code: an SVG data URI (no inline markup, no script)."""
        out = io.BytesIO()
        segno.make(self.uri(secret, account), error="m").save(
            out, kind="svg", scale=5, border=2, xmldecl=False
        )
        return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()
