"""Retention rules (ADR 0043): which part an erasure keeps, until when, under which norm."""

from datetime import date

import pytest
from pydantic import ValidationError

from coordination.domain.identity import AgencyKind
from coordination.domain.retention import SHIPPED, Retention
from coordination.settings import Settings


def test_none_is_in_force_unless_the_deployment_names_it() -> None:
    assert Settings().retention_rules == []
    assert Retention().keeping({AgencyKind.BAMF}) is None


def test_a_named_rule_keeps_the_part_of_its_kinds_only() -> None:
    retention = Retention.named(["bamf-integrationskurs"])

    rule = retention.keeping({AgencyKind.BAMF, AgencyKind.OTHER})
    assert rule is not None
    assert rule.citation == "§ 8 Abs. 6 IntV"
    assert retention.keeping({AgencyKind.JOBCENTER}) is None


def test_the_erasure_records_the_rule_its_norm_and_the_last_day_kept() -> None:
    rule = Retention.named(["abh-auslaenderdatei-b"]).keeping({AgencyKind.AUSLAENDERBEHOERDE})
    assert rule is not None

    assert rule.kept_under(date(2026, 12, 5)) == {
        "rule_id": "abh-auslaenderdatei-b", "norm": "§ 68 Abs. 2 Satz 2 AufenthV",
        "until": "2036-12-05",
    }  # fmt: skip
    assert rule.kept_under(date(2028, 2, 29))["until"] == "2038-02-28"


def test_the_setting_is_a_comma_separated_list_of_known_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "COORDINATION_RETENTION_RULES", "bamf-integrationskurs, abh-auslaenderdatei-b"
    )
    assert Settings().retention_rules == ["bamf-integrationskurs", "abh-auslaenderdatei-b"]

    monkeypatch.setenv("COORDINATION_RETENTION_RULES", "bamf-integrationskurs,forever")
    with pytest.raises(ValidationError, match="unknown retention rules: forever"):
        Settings()


def test_every_shipped_rule_cites_a_norm_and_names_kinds_and_categories() -> None:
    for rule in SHIPPED:
        assert rule.kinds
        assert rule.categories
        assert rule.years > 0
        assert rule.citation.startswith("§ ")
