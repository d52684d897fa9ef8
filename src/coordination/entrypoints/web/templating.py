"""Pages from Jinja2 templates, autoescaped, in the person's language."""

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from coordination.entrypoints.web import i18n
from coordination.entrypoints.web.labels import Labels

TEMPLATES = Path(__file__).parent / "templates"
# Scripts, styles, fonts and requests from this origin only; no inline script or style
# (KERN's icons are data: masks in its own stylesheet; the QR code is a data: image).
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


@cache
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    translations = i18n.translations(language)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.globals["labels"] = Labels(translations.gettext)
    return env


def language_of(request: Request) -> str:
    return i18n.chosen(request.cookies.get(i18n.LANGUAGE_COOKIE))


def render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    language = language_of(request)
    page = environment(language).get_template(template)
    session = getattr(request.state, "web_session", None)
    html = page.render(
        request=request, lang=language, dir=i18n.direction(language),
        languages=i18n.LANGUAGES, session=session,
        csrf_token=session.csrf_token if session is not None else "", **context,
    )  # fmt: skip
    return HTMLResponse(html, status, {"Content-Security-Policy": PAGE_POLICY})


def gettext_for(request: Request) -> Any:
    return i18n.translations(language_of(request)).gettext
