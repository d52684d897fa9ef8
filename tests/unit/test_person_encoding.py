"""The person index's keyed encodings: variants match, strangers do not, keys matter."""

from datetime import date

from coordination.adapters.person_index import MATCH, PersonEncoder, dice, normalised

BORN = date(1994, 3, 2)
ENCODER = PersonEncoder(bytes(range(32)))


def similarity(a: tuple[str, str], b: tuple[str, str], born: date = BORN) -> float:
    return dice(ENCODER.encode(*a, born).clk, ENCODER.encode(*b, born).clk)


def test_names_are_transliterated_and_stripped_of_particles() -> None:
    assert normalised("Олександр") == ["oleksandr"]
    assert normalised("Jörg-Müller") == ["jorg", "muller"]
    assert normalised("Abu al-Hassan") == ["hassan"]


def test_spelling_variants_and_other_scripts_match() -> None:
    assert similarity(("Mohammed", "Haddad"), ("Muhammad", "Haddad")) >= MATCH
    assert similarity(("Mohammed", "Haddad"), ("Mohamed", "Hadad")) >= MATCH
    assert similarity(("Олександр", "Шевченко"), ("Oleksandr", "Shevchenko")) >= MATCH
    assert similarity(("Олександр", "Шевченко"), ("Aleksandr", "Shevchenko")) >= MATCH


def test_other_people_do_not_match() -> None:
    assert similarity(("Mohammed", "Haddad"), ("Amina", "Haddad")) < MATCH
    assert similarity(("Mohammed", "Haddad"), ("Olga", "Schmidt")) < MATCH


def test_the_same_name_born_in_another_year_encodes_apart() -> None:
    other = date(1995, 3, 2)
    assert similarity(("Mohammed", "Haddad"), ("Mohammed", "Haddad"), other) == 1.0
    apart = dice(ENCODER.encode("Mohammed", "Haddad", BORN).clk,
                 ENCODER.encode("Mohammed", "Haddad", other).clk)  # fmt: skip
    assert apart < 0.3


def test_blocks_are_keyed_and_allow_a_mistyped_day() -> None:
    day, month = ENCODER.blocks(BORN)
    assert ENCODER.blocks(date(1994, 3, 20))[1] == month
    assert ENCODER.blocks(date(1994, 3, 20))[0] != day
    assert "1994" not in day + month
    other_key = PersonEncoder(bytes(32))
    assert other_key.blocks(BORN) != [day, month]
    assert (
        other_key.encode("Mohammed", "Haddad", BORN).clk
        != ENCODER.encode("Mohammed", "Haddad", BORN).clk
    )
