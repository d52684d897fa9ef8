"""Forms generated from the contract's request models, and read back into request bodies.

Every event type's form is derived from the same pydantic model the HTTP API checks its
body with (contract/requests.py), and is checked with it: the rules exist once. Field
names are dotted paths ("evidence.method", "milestones.0.due_on"), which are also where
pydantic locates its errors, so each error lands beside its field.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

# Fields that name an agency: chosen from the directory, not typed.
AGENCY_FIELDS = frozenset({"to_agency", "provider", "recipients", "disclosers", "obtained_by",
                           "responsible_agency", "parties"})  # fmt: skip
# Lists of objects (an agreement's milestones) offer this many rows; empty rows are left out.
REPEATED_ROWS = 3
# Ids the service makes up when they are left out: not asked for where they are optional.
LEFT_OUT = frozenset({"consent_id", "referral_id", "course_id", "agreement_id", "access_id",
                      "qualification_id"})  # fmt: skip


@dataclass
class Field:
    name: str  # the dotted path, also the input's name
    key: str  # the last part: what the label is made of
    widget: str  # text, textarea, date, select, choices, agency, agencies, group, rows, check
    required: bool
    options: list[str] = field(default_factory=list)
    children: list["Field"] = field(default_factory=list)
    rows: int = 0
    max_length: int | None = None
    form: str = "f"  # the form's own prefix of ids: a page may hold several forms

    @property
    def id(self) -> str:
        return anchor(self.form, self.name)


def anchor(form: str, name: str) -> str:
    """The id of a field's input: what its label and the error summary point to."""
    return f"{form}-{name.replace('.', '-')}"


def form_fields(
    model: type[BaseModel], hidden: frozenset[str] = LEFT_OUT, form: str = "f"
) -> list[Field]:
    schema = _schema(model)
    found = _fields(schema, schema.get("$defs", {}), "", hidden)
    return [_in_form(f, form) for f in found]


@cache
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema, made once: pydantic builds it anew on every call."""
    return model.model_json_schema()


def _in_form(f: Field, form: str) -> Field:
    f.form = form
    for child in f.children:
        _in_form(child, form)
    return f


def _fields(schema: dict[str, Any], defs: dict[str, Any], prefix: str,
            hidden: frozenset[str]) -> list[Field]:  # fmt: skip
    required = set(schema.get("required", ()))
    found = []
    for key, prop in schema.get("properties", {}).items():
        if key == "type" or (key in hidden and key not in required):
            continue
        found.append(_field(prefix + key, key, _resolved(prop, defs), key in required, defs))
    return found


def _field(name: str, key: str, prop: dict[str, Any], required: bool,
           defs: dict[str, Any]) -> Field:  # fmt: skip
    kind = prop.get("type")
    if key in AGENCY_FIELDS:
        return Field(name, key, "agencies" if kind == "array" else "agency", required)
    if "enum" in prop:
        return Field(name, key, "select", required, [str(v) for v in prop["enum"]])
    if kind == "object" or "properties" in prop:
        children = _fields(prop, defs, name + ".", frozenset())
        return Field(name, key, "group", required, children=children)
    if kind == "array":
        items = _resolved(prop.get("items", {}), defs)
        if "enum" in items:
            return Field(name, key, "choices", required, [str(v) for v in items["enum"]])
        if items.get("type") == "object" or "properties" in items:
            rows = [_fields(items, defs, f"{name}.{i}.", frozenset()) for i in range(REPEATED_ROWS)]
            return Field(name, key, "rows", required, children=[c for r in rows for c in r],
                         rows=REPEATED_ROWS)  # fmt: skip
        return Field(name, key, "list", required)
    if kind == "boolean":
        return Field(name, key, "check", required)
    if prop.get("format") == "date":
        return Field(name, key, "date", required)
    longest = prop.get("maxLength")
    widget = "textarea" if longest and longest > 200 else "text"
    return Field(name, key, widget, required, max_length=longest)


def _resolved(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """A property with its $ref followed and an Optional's null dropped."""
    if "$ref" in prop:
        return _resolved(defs[prop["$ref"].split("/")[-1]], defs)
    options = [p for p in prop.get("anyOf") or () if p.get("type") != "null"]
    if len(options) == 1:
        rest = {k: v for k, v in prop.items() if k != "anyOf"}
        return _resolved(rest | options[0], defs)
    return prop


def read_form(fields: list[Field], form: FormData) -> dict[str, Any]:
    """The request body the form stands for: empty inputs are left out."""
    body: dict[str, Any] = {}
    for f in fields:
        value = _value(f, form)
        if value not in (None, "", [], {}):
            body[f.key] = value
    return body


def _value(f: Field, form: FormData) -> Any:
    if f.widget in ("choices", "agencies"):
        return [str(v) for v in form.getlist(f.name) if str(v).strip()]
    if f.widget == "list":
        return [p.strip() for p in str(form.get(f.name) or "").split(",") if p.strip()]
    if f.widget == "group":
        return read_form(f.children, form)
    if f.widget == "rows":
        per_row = len(f.children) // f.rows
        rows = [read_form(f.children[i * per_row : (i + 1) * per_row], form) for i in range(f.rows)]
        return [r for r in rows if r]
    if f.widget == "check":
        return form.get(f.name) == "on"
    return str(form.get(f.name) or "").strip()


def form_values(form: FormData) -> dict[str, Any]:
    """What the person entered, to show again beside the errors."""
    return {k: form.getlist(k) if len(form.getlist(k)) > 1 else form.get(k) for k in form}


@dataclass(frozen=True)
class Problem:
    field: str | None  # the input's name; None: the form as a whole
    kind: str  # pydantic's error type, or a domain refusal's own
    message: str


def problems_of(error: ValidationError) -> list[Problem]:
    found = []
    for e in error.errors():
        loc = [str(p) for p in e["loc"] if not str(p).startswith("function-")]
        found.append(Problem(".".join(loc) or None, e["type"], message_of(e["type"])))
    return found


def N_(message: str) -> str:  # noqa: N802 (gettext's marker for Babel's extraction)
    return message


# What each kind of error says, in the person's language (translated where shown).
MESSAGES = {
    "missing": N_("Please fill in this field."),
    "string_pattern_mismatch": N_("Please check the format of this entry."),
    "string_too_short": N_("Please fill in this field."),
    "string_too_long": N_("This entry is too long."),
    "too_short": N_("Please choose or enter at least one."),
    "too_long": N_("There are too many entries."),
    "date_from_datetime_parsing": N_("Please enter a date."),
    "date_parsing": N_("Please enter a date."),
    "date_type": N_("Please enter a date."),
    "greater_than_equal": N_("This date is too early."),
    "less_than_equal": N_("This date is too late."),
    "enum": N_("Please choose one of the options."),
    "extra_forbidden": N_("This entry is not expected here."),
}
OTHER = N_("Please check this entry.")


def message_of(kind: str) -> str:
    return MESSAGES.get(kind, OTHER)


def day_of(query: Mapping[str, str], name: str, problems: list[Problem]) -> date | None:
    """A day typed into a filter (YYYY-MM-DD, what a date field sends), or None; a
    mistake is added to `problems`."""
    text = query.get(name) or ""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        problems.append(Problem(name, name, N_("Enter a day as YYYY-MM-DD.")))
        return None
