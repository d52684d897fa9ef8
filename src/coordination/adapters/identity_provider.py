"""Sign-in through an agency's identity provider: OpenID Connect, authorization code
flow with PKCE, by authlib's Starlette client.

The provider says who signed in; the account here says for which agency and in which
roles the person acts (ADR 0048). authlib keeps the flow's state, nonce and code
verifier in a short-lived signed cookie (Starlette's SessionMiddleware, `FLOW_COOKIE`),
checks the state on return, and checks the ID token's signature, issuer, audience,
expiry and nonce.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.requests import Request
from starlette.responses import Response

from coordination.domain.accounts import FederatedIdentity

FLOW_COOKIE = "oidc_flow"
FLOW_SECONDS = 600  # from leaving for the provider to coming back
SCOPE = "openid email profile"
# Authentication methods (RFC 8176) that are more than a password: the provider's
# sign-in counts as two factors only when it names one of them.
SECOND_FACTORS = frozenset({"mfa", "otp", "hwk", "sms", "mca", "sc", "fpt", "face"})


@dataclass(frozen=True)
class ProviderSettings:
    issuer: str
    client_id: str
    client_secret: str
    name: str  # shown on the sign-in page's button


class FederatedSignInFailed(Exception):
    """The provider refused, the person cancelled, or the answer did not check out."""


def flow_secret(master_key: bytes) -> str:
    """The key that signs the flow cookie: the same in every worker of a deployment."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"oidc-flow")
    return key.derive(master_key).hex()


class IdentityProvider:
    def __init__(self, settings: ProviderSettings) -> None:
        self.settings = settings
        self.issuer = settings.issuer.rstrip("/")
        oauth = OAuth()
        self._client: Any = oauth.register(
            "agency", client_id=settings.client_id, client_secret=settings.client_secret,
            server_metadata_url=f"{self.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256"},
        )  # fmt: skip

    @property
    def name(self) -> str:
        return self.settings.name

    async def redirect(self, request: Request, callback: str) -> Response:
        """To the provider's sign-in, which sends the person back to `callback`."""
        response: Response = await self._client.authorize_redirect(request, callback)
        return response

    async def identity(self, request: Request) -> FederatedIdentity:
        """The identity the provider's answer (at the callback) proves."""
        try:
            token = await self._client.authorize_access_token(request)
        except (OAuthError, ValueError) as error:
            raise FederatedSignInFailed from error
        claims = token.get("userinfo")
        if not isinstance(claims, Mapping) or not claims.get("sub"):
            raise FederatedSignInFailed
        return _identity(str(claims.get("iss") or self.issuer), claims)


def _identity(issuer: str, claims: Mapping[str, Any]) -> FederatedIdentity:
    email = claims.get("email")
    verified = claims.get("email_verified")
    methods = claims.get("amr")
    return FederatedIdentity(
        subject=f"{issuer} {claims['sub']}",
        email=email if isinstance(email, str) else None,
        email_verified=verified if isinstance(verified, bool) else None,
        multi_factor=isinstance(methods, list) and bool(SECOND_FACTORS & set(map(str, methods))),
    )
