"""The fictional person the tests follow (from the contract's example)."""

PERSON = {
    "given_name": "Amina",
    "family_name": "Haddad",
    "date_of_birth": "1994-03-02",
    "nationality": "SY",
    "languages": ["ar", "en"],
    "phone": "+49 341 000000",
    "email": "amina@example.org",
}
