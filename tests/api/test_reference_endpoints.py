"""Regimes, the whitelist and controlled items: the reference data partners read."""

import pytest

from tests.api.conftest import problem


@pytest.fixture
def regimes_api(partner_org, make_key, client_for):
    _, raw = make_key(partner_org, scopes=["regimes:read", "whitelist:read"])
    return client_for(raw)


@pytest.mark.django_db
def test_resist_to_korea_in_2020_needs_an_individual_licence(regimes_api):
    body = regimes_api.get("/api/v1/regime/?item=resist&destination=KR&date=2020-01-15").json()
    assert body["licence_type"] == "individual"
    assert body["processing_period"] == {"days": 90, "basis": "calendar"}
    assert body["validity_months"] == 6
    assert body["destination_group"]["code"] == "B"
    assert len(body["required_documents"]) == 9
    assert sum(d["mandatory"] for d in body["required_documents"]) == 7
    assert body["rule"]["effective_from"] == "2019-07-04"
    assert body["authority"] == "JP"


@pytest.mark.django_db
def test_resist_to_korea_after_2023_is_bulk_again(regimes_api):
    body = regimes_api.get("/api/v1/regime/?item=resist&destination=KR&date=2024-06-01").json()
    assert body["licence_type"] == "bulk"
    assert body["bulk_type"]
    assert len(body["required_documents"]) == 4
    assert body["destination_group"]["code"] == "A"


@pytest.mark.django_db
def test_a_date_no_rule_covers_is_a_no_regime_404(regimes_api):
    response = regimes_api.get("/api/v1/regime/?item=resist&destination=KR&date=1990-01-01")
    assert response.status_code == 404
    assert problem(response)["type"] == "/api/problems/no-regime"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("item=unobtainium&destination=KR", "item"),
        ("item=resist&destination=ZZ", "destination"),
        ("item=resist&destination=KOR", "destination"),
        ("item=resist&destination=KR&date=2020-13-45", "date"),
        ("item=resist&destination=KR&authority=XX", "authority"),
        ("destination=KR", "item"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(regimes_api, query, parameter):
    response = regimes_api.get(f"/api/v1/regime/?{query}")
    assert response.status_code == 400
    body = problem(response)
    assert body["type"] == "/api/problems/invalid-parameter"
    assert [e["parameter"] for e in body["errors"]] == [parameter]


@pytest.mark.django_db
def test_korea_left_and_rejoined_japans_group_a(regimes_api):
    body = regimes_api.get("/api/v1/whitelist/KR/?date=2020-01-01").json()
    assert body["group"]["code"] == "B"
    periods = [(h["group"], h["effective_from"], h["effective_to"]) for h in body["history"]]
    assert ("B", "2019-08-28", "2023-07-20") in periods
    assert any(g == "A" and start == "2023-07-21" for g, start, _ in periods)
    assert regimes_api.get("/api/v1/whitelist/KR/?date=2024-01-01").json()["group"]["code"] == "A"


@pytest.mark.django_db
def test_koreas_view_of_japan_from_the_korean_authority(regimes_api):
    body = regimes_api.get("/api/v1/whitelist/JP/?date=2020-01-01&authority=KR").json()
    assert body["authority"] == "KR"
    assert body["group"]["code"] == "Ga-2"


@pytest.mark.django_db
@pytest.mark.parametrize("country", ["ZZ", "kr", "KOR"])
def test_unknown_country_in_the_path_is_404(regimes_api, country):
    response = regimes_api.get(f"/api/v1/whitelist/{country}/")
    assert response.status_code == 404
    problem(response)


@pytest.mark.django_db
def test_items_list_the_three_materials_with_control_list_entries(regimes_api):
    body = regimes_api.get("/api/v1/items/").json()
    codes = {item["code"] for item in body["results"]}
    assert {"resist", "hydrogen-fluoride", "fluorinated-polyimide"} <= codes
    resist = next(i for i in body["results"] if i["code"] == "resist")
    assert any(r["control_list"] == "wassenaar" for r in resist["references"])
