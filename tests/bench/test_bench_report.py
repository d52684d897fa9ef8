"""The machine-speed row reads runs with and without the sample taken before the import."""

from bench.report import machine_row


def test_three_samples_each_against_the_start() -> None:
    (row,) = machine_row({"reference_s": [0.05, 0.06, 0.08]})
    assert "start / before import / end" in row["measurement"]
    assert row["value"] == "0.05 s / 0.06 s / 0.08 s"
    assert row["ratio"] == "1.20x / 1.60x"


def test_older_results_have_two() -> None:
    (row,) = machine_row({"reference_s": [0.05, 0.08]})
    assert row["measurement"].endswith("start / end")
    assert row["value"] == "0.05 s / 0.08 s"
    assert row["ratio"] == "1.60x"
