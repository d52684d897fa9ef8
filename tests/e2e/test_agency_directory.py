"""GET /v1/agencies: where to refer a person. Every role reads the directory, by
municipality and kind, in pages; its OpenAPI examples are agencies of the demo (ADR 0054).
On both stores."""

from coordination.adapters.store.directory import Listing
from coordination.domain.identity import Agency, AgencyKind, Role
from coordination.entrypoints.api.agencies import EXAMPLE_AGENCIES
from coordination.entrypoints.api.app import create_app
from coordination.entrypoints.cli.demo import AGENCIES, LISTINGS
from coordination.settings import Settings
from tests.e2e.conftest import Api, body

K = AgencyKind
MBE = Agency("mbe-diakonie-mayen-koblenz", "Migrationsberatung Diakonie Mayen-Koblenz",
             K.MIGRATIONSBERATUNG, "mayen-koblenz")  # fmt: skip
MBE_LISTING = Listing(
    ("Migrationsberatung für Erwachsene (MBE)", "Begleitung während des Integrationskurses"),
    "migrationsberatung@mbe-diakonie-mayen-koblenz.demo.example",
    "+49 261 0000-3160",
)


def _register(api: Api) -> dict[str, str]:
    api.services.directory.add_agency(MBE, MBE_LISTING)
    return {
        "caseworker": api.agency("abh-mayen-koblenz", K.AUSLAENDERBEHOERDE),
        "dpo": api.agency("jmd-mayen-koblenz", K.JUGENDMIGRATIONSDIENST, role=Role.DPO),
        "admin": api.agency("vhs-leipzig", K.SPRACHKURSTRAEGER, "leipzig", role=Role.ADMIN),
    }


def test_a_caseworker_finds_where_to_refer_a_person(api: Api) -> None:
    callers = _register(api)
    url = "/v1/agencies?municipality=mayen-koblenz&kind=migrationsberatung"
    found = api.get(callers["caseworker"], url)
    assert found == {"next_cursor": None, "items": [{
        "agency_id": "mbe-diakonie-mayen-koblenz",
        "name": "Migrationsberatung Diakonie Mayen-Koblenz", "kind": "migrationsberatung",
        "municipality": "mayen-koblenz", "offers": list(MBE_LISTING.offers),
        "contact": {"email": MBE_LISTING.email, "phone": MBE_LISTING.phone},
    }]}  # fmt: skip
    # Every role reads it; an agency registered without a listing shows empty offers.
    for caller in callers.values():
        items = api.get(caller, "/v1/agencies?municipality=mayen-koblenz")["items"]
        assert [i["agency_id"] for i in items] == [
            "abh-mayen-koblenz", "jmd-mayen-koblenz", "mbe-diakonie-mayen-koblenz"
        ]  # fmt: skip
    assert items[0]["offers"] == []
    assert items[0]["contact"] == {"email": None, "phone": None}
    assert api.client.get("/v1/agencies").status_code == 401


def test_the_directory_comes_in_pages(api: Api) -> None:
    caller = _register(api)["admin"]
    seen, cursor = [], ""
    while True:
        page = api.get(caller, f"/v1/agencies?limit=2&cursor={cursor}")
        seen += [i["agency_id"] for i in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == sorted(seen)
    assert len(seen) == 4
    bad = api.as_(caller, "GET", "/v1/agencies?cursor=not-ours")
    assert body(bad, 400)["code"] == "bad-request"
    assert body(api.as_(caller, "GET", "/v1/agencies?kind=consulate"), 422)


def test_the_examples_of_the_directory_are_agencies_of_the_demo() -> None:
    demo = {a.agency_id: a for a in AGENCIES}
    for example in EXAMPLE_AGENCIES:
        assert isinstance(example, dict)
        agency, listing = demo[str(example["agency_id"])], LISTINGS[str(example["agency_id"])]
        assert example == {
            "agency_id": agency.agency_id, "name": agency.name, "kind": agency.kind.value,
            "municipality": agency.municipality, "offers": list(listing.offers),
            "contact": {"email": listing.email, "phone": listing.phone},
        }  # fmt: skip
    app = create_app(Settings(database_url="sqlite:///never-opened.db", log_level="WARNING"))
    schemas = app.openapi()["components"]["schemas"]
    assert schemas["AgencyDirectoryOut"]["examples"][0]["items"] == EXAMPLE_AGENCIES
