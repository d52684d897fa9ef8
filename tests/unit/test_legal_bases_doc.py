"""The DPO's page on legal bases lists the starter set as the code ships it."""

from pathlib import Path

from coordination.domain.statutory import STARTER_SET

PAGE = Path(__file__).resolve().parents[2] / "docs" / "legal-bases.md"


def test_every_starter_rule_is_in_the_table_with_its_citation() -> None:
    rows = {
        line.split("|")[1].strip(" `"): line.split("|")[-2].strip()
        for line in PAGE.read_text(encoding="utf-8").splitlines()
        if line.startswith("| `") and line.count("|") == 7
    }
    assert rows == {rule.rule_id: rule.norm.citation for rule in STARTER_SET}
