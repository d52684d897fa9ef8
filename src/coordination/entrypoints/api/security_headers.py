"""The security headers every response carries (docs/limits-and-fuzzing.md).

Answers are JSON, CSV or PDF with personal data: nothing may frame, sniff, cache or
refer them on. Only the interactive API docs load a script and styles, from the CDN
FastAPI takes them from, so they get a policy of their own.
"""

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# The web app's files (styles, scripts, fonts) hold no personal data: browsers may keep
# them. Its pages set a policy of their own (entrypoints/web/templating.py).
STATIC_CACHE = "public, max-age=3600"
DOCS_POLICY = (
    "default-src 'none'; script-src https://cdn.jsdelivr.net 'unsafe-inline'; "
    "style-src https://cdn.jsdelivr.net https://fonts.googleapis.com 'unsafe-inline'; "
    "font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
    "https://cdn.redoc.ly; connect-src 'self'; worker-src blob:; frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(path: str, scheme: str) -> dict[str, str]:
    """The headers for a response to `path`; HSTS only over TLS (or behind a TLS proxy)."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": STATIC_CACHE if path.startswith("/static/") else "no-store",
        "Content-Security-Policy": DOCS_POLICY if path in DOCS_PATHS else API_POLICY,
    }
    if scheme == "https":
        headers["Strict-Transport-Security"] = HSTS
    return headers
