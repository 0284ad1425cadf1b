"""The reference data loaded by licensing/migrations/0002_reference_data.py (FACTS.md §1–5)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from licensing import reference_data
from licensing.models import DocumentType, RegimeRule, RuleDocument
from licensing.selectors.regimes import determine_regime, overlapping_rules, rules_in_force
from materials.models import ControlledItem, ControlListReference
from whitelist.models import Authority, CalendarClosure, CountryGroup, Grouping
from whitelist.selectors import groupings_in_force, overlapping_groupings

pytestmark = pytest.mark.django_db

SEEDED_MODELS = [
    ControlledItem,
    ControlListReference,
    Authority,
    CountryGroup,
    Grouping,
    CalendarClosure,
    DocumentType,
    RegimeRule,
    RuleDocument,
]

MATERIALS = ["hydrogen-fluoride", "fluorinated-polyimide", "resist"]
TECHNOLOGY = ["hydrogen-fluoride-technology", "fluorinated-polyimide-technology", "resist-technology"]

JP_GROUP_A = {
    "AR", "AU", "AT", "BE", "BG", "CA", "CZ", "DK", "FI", "FR", "DE", "GR", "HU",
    "IE", "IT", "LU", "NL", "NZ", "NO", "PL", "PT", "ES", "SE", "CH", "GB", "US",
}  # fmt: skip
JP_GROUP_D = {"AF", "CF", "CD", "IQ", "LB", "LY", "KP", "SO", "SS", "SD", "IR"}


def _migration_apps():
    """The historical app registry the data migration is given."""
    return MigrationLoader(connection).project_state(("licensing", "0002_reference_data")).apps


def _rows() -> dict[str, list[dict]]:
    volatile = {"created_at", "updated_at"}
    return {
        model.__name__: [
            {k: v for k, v in row.items() if k not in volatile} for row in model.objects.order_by("pk").values()
        ]
        for model in SEEDED_MODELS
    }


# --- Controlled items ------------------------------------------------------------------------


def test_the_three_materials_are_seeded_as_goods_with_japanese_names_in_kilograms():
    items = {i.slug: i for i in ControlledItem.objects.filter(slug__in=MATERIALS)}
    assert {slug: items[slug].name_ja for slug in MATERIALS} == {
        "hydrogen-fluoride": "フッ化水素",
        "fluorinated-polyimide": "フッ化ポリイミド",
        "resist": "レジスト",
    }
    assert {i.kind for i in items.values()} == {"goods"}
    assert {i.default_unit for i in items.values()} == {"kg"}
    assert all("FACTS §1" in i.source and "xtech.nikkei.com" in i.source for i in items.values())


def test_hydrogen_fluoride_is_controlled_above_thirty_percent_by_weight_with_its_cas_number():
    hf = ControlledItem.objects.get(slug="hydrogen-fluoride")
    assert hf.cas_number == "7664-39-3"
    assert "more than 30 %" in hf.control_threshold


def test_fluorinated_polyimide_is_controlled_from_ten_percent_fluorine():
    assert "10 % or more" in ControlledItem.objects.get(slug="fluorinated-polyimide").control_threshold


def test_resist_wavelength_band_is_data_marked_general_knowledge():
    threshold = ControlledItem.objects.get(slug="resist").control_threshold
    assert "15–193 nm" in threshold
    assert "[K]" in threshold


def test_each_material_has_its_manufacturing_technology_as_a_technology_item():
    tech = ControlledItem.objects.filter(slug__in=TECHNOLOGY)
    assert tech.count() == 3
    assert {i.kind for i in tech} == {"technology"}
    feo = dict(
        ControlListReference.objects.filter(item__slug__in=TECHNOLOGY, control_list="jp-feo").values_list(
            "item__slug", "entry"
        )
    )
    assert feo == {
        "hydrogen-fluoride-technology": "item 3",
        "fluorinated-polyimide-technology": "item 5",
        "resist-technology": "item 7",
    }


def test_control_list_references_place_each_material_on_japans_order_and_ordinance():
    refs = set(
        ControlListReference.objects.filter(item__slug__in=MATERIALS).values_list("item__slug", "control_list", "entry")
    )
    assert {
        ("hydrogen-fluoride", "jp-etco", "item 3(1)"),
        ("hydrogen-fluoride", "jp-meti-ordinance", "Art. 2(1)(i)(f)"),
        ("fluorinated-polyimide", "jp-etco", "item 5(17)"),
        ("fluorinated-polyimide", "jp-meti-ordinance", "Art. 4(xiv)(b)"),
        ("fluorinated-polyimide", "wassenaar", "1.C.9.b"),
        ("fluorinated-polyimide", "us-ccl", "1C009.b"),
        ("resist", "jp-etco", "item 7(19)"),
        ("resist", "jp-meti-ordinance", "Art. 6(xix)"),
        ("resist", "wassenaar", "3.C.2"),
        ("resist", "eu", "3C002"),
    } <= refs


def test_hydrogen_fluoride_foreign_list_entries_are_marked_general_knowledge():
    foreign = ControlListReference.objects.filter(
        item__slug="hydrogen-fluoride", control_list__in=["australia-group", "eu", "us-ccl"]
    )
    assert foreign.count() == 3
    assert all(ref.note.startswith("[K]") for ref in foreign)


# --- Authorities and groups ------------------------------------------------------------------


def test_meti_and_motie_are_seeded_with_their_time_zones_and_holiday_calendars():
    jp = Authority.objects.get(code="JP")
    kr = Authority.objects.get(code="KR")
    assert (jp.name, jp.country.code, jp.timezone, jp.holiday_calendar) == (
        "Ministry of Economy, Trade and Industry (METI)",
        "JP",
        "Asia/Tokyo",
        "JP",
    )
    assert (kr.name, kr.country.code, kr.timezone, kr.holiday_calendar) == (
        "Ministry of Trade, Industry and Energy (MOTIE)",
        "KR",
        "Asia/Seoul",
        "KR",
    )


def test_japan_ranks_groups_a_to_d_and_korea_ranks_ga_above_ga2_above_na():
    ranks = {(g.authority.code, g.code): g.trust_rank for g in CountryGroup.objects.select_related("authority")}
    assert ranks == {
        ("JP", "A"): 40,
        ("JP", "B"): 30,
        ("JP", "C"): 20,
        ("JP", "D"): 10,
        ("KR", "Ga"): 30,
        ("KR", "Ga-1"): 30,
        ("KR", "Ga-2"): 20,
        ("KR", "Na"): 10,
    }


def test_default_groups_are_c_for_japan_and_na_for_korea_documented_as_a_proposal_not_law():
    jp = Authority.objects.select_related("default_group").get(code="JP")
    kr = Authority.objects.select_related("default_group").get(code="KR")
    assert jp.default_group.code == "C"
    assert kr.default_group.code == "Na"
    for group in (jp.default_group, kr.default_group):
        assert "[P]" in group.description
        assert "not law" in group.description


def test_group_a_description_records_the_white_countries_renaming_of_2019_08_28():
    description = CountryGroup.objects.get(authority__code="JP", code="A").description
    assert "white countries" in description
    assert "2019-08-28" in description


# --- Grouping history ------------------------------------------------------------------------


def test_japans_group_a_has_26_countries_besides_korea_marked_general_knowledge():
    jp = Authority.objects.get(code="JP")
    in_a = groupings_in_force(authority=jp, on_date=date(2020, 1, 1)).filter(group__code="A")
    assert {g.country.code for g in in_a} == JP_GROUP_A
    assert all(g.source.startswith("[K]") for g in in_a)
    assert all(g.effective_from == date(2019, 1, 1) and g.effective_to is None for g in in_a)


def test_japans_group_a_has_27_countries_once_korea_returns_on_2023_07_21():
    jp = Authority.objects.get(code="JP")
    in_a = groupings_in_force(authority=jp, on_date=date(2023, 7, 21)).filter(group__code="A")
    assert {g.country.code for g in in_a} == JP_GROUP_A | {"KR"}


def test_group_d_holds_the_un_arms_embargo_and_concern_countries_marked_general_knowledge():
    jp = Authority.objects.get(code="JP")
    in_d = groupings_in_force(authority=jp, on_date=date(2024, 1, 1)).filter(group__code="D")
    assert {g.country.code for g in in_d} == JP_GROUP_D
    assert all("[K]" in g.source and "[K]" in g.legal_basis for g in in_d)


def test_koreas_ga_countries_other_than_japan_are_a_proposal_and_say_the_list_is_unknown():
    rows = Grouping.objects.filter(authority__code="KR").exclude(country="JP")
    assert {g.country.code for g in rows} == JP_GROUP_A
    assert rows.count() == 26 * 3
    assert all(g.source.startswith("[P]") and "29" in g.source for g in rows)


def test_every_grouping_row_carries_a_legal_basis_and_a_source():
    assert not Grouping.objects.filter(legal_basis="").exists()
    assert not Grouping.objects.filter(source="").exists()


def test_no_country_has_overlapping_groupings():
    for g in Grouping.objects.all():
        clashes = overlapping_groupings(
            authority_id=g.authority_id,
            country=g.country.code,
            effective_from=g.effective_from,
            effective_to=g.effective_to,
            exclude_pk=g.pk,
        )
        assert not clashes.exists(), f"{g} overlaps {list(clashes)}"


# --- Calendar closures and documents ---------------------------------------------------------


def test_japans_year_end_closure_is_seeded_as_a_yearly_closure():
    closure = CalendarClosure.objects.get(authority__code="JP")
    assert closure.name == "Government year-end closure (29 Dec – 3 Jan)"
    assert (closure.start, closure.end, closure.repeats_yearly) == (date(2019, 12, 29), date(2020, 1, 3), True)
    assert "FACTS §3" in closure.source
    assert not CalendarClosure.objects.filter(authority__code="KR").exists()


def test_meti_document_types_are_the_eight_listed_plus_two_conditional_and_two_for_bulk():
    codes = set(DocumentType.objects.filter(authority__code="JP").values_list("code", flat=True))
    assert codes == {
        "application-form",
        "application-details",
        "contract",
        "parameter-sheet",
        "catalogue-specification",
        "end-user-capability",
        "buyer-evidence",
        "end-user-pledge",
        "transaction-summary",
        "power-of-attorney",
        "cp-checklist-receipt",
        "cp-audit-evidence",
    }
    assert not DocumentType.objects.filter(authority__code="JP", name_ja="").exists()


def test_signed_documents_accept_scans_and_sheets_accept_office_files():
    jp = {d.code: d.formats for d in DocumentType.objects.filter(authority__code="JP")}
    assert jp["application-form"] == ["pdf"]
    assert jp["end-user-pledge"] == ["pdf", "png", "jpeg"]
    assert jp["parameter-sheet"] == ["pdf", "docx", "xlsx"]
    assert "docx" in jp["contract"]


def test_motie_document_types_are_a_proposal_because_facts_gives_counts_not_names():
    kr = DocumentType.objects.filter(authority__code="KR")
    assert set(kr.values_list("code", flat=True)) == {
        "application-form",
        "contract",
        "item-specification",
        "final-consignee-statement",
        "end-user-pledge",
    }
    assert all("[P]" in d.description for d in kr)


# --- Regime rules ----------------------------------------------------------------------------


def test_every_rule_cites_a_legal_basis_and_facts_in_its_notes():
    for rule in RegimeRule.objects.all():
        assert rule.legal_basis, rule
        assert "FACTS" in rule.notes, rule


def test_rule_documents_are_numbered_from_one_in_order():
    for rule in RegimeRule.objects.all():
        positions = list(RuleDocument.objects.filter(rule=rule).order_by("position").values_list("position", flat=True))
        assert positions == list(range(1, len(positions) + 1)), rule


def test_no_two_rules_with_the_same_key_overlap_in_time():
    for rule in RegimeRule.objects.all():
        clashes = overlapping_rules(
            authority_id=rule.authority_id,
            item_id=rule.item_id,
            destination_country=rule.destination_country.code if rule.destination_country else "",
            destination_group_id=rule.destination_group_id,
            effective_from=rule.effective_from,
            effective_to=rule.effective_to,
            exclude_pk=rule.pk,
        )
        assert not clashes.exists(), f"{rule} overlaps {list(clashes)}"


def _boundary_dates() -> list[date]:
    """Every day on which some grouping or rule starts or ends, and the day after each end."""
    days = {date(2019, 1, 1), date(2030, 1, 1)}
    for model in (Grouping, RegimeRule):
        for start, end in model.objects.values_list("effective_from", "effective_to"):
            days.add(start)
            if end is not None:
                days |= {end, end + timedelta(days=1)}
    return sorted(days)


def test_every_group_a_country_can_be_in_has_an_all_items_rule_on_every_boundary_date():
    for authority in Authority.objects.all():
        for day in _boundary_dates():
            groups_in_use = set(
                groupings_in_force(authority=authority, on_date=day).values_list("group__code", flat=True)
            )
            groups_in_use.add(authority.default_group.code)
            covered = set(
                rules_in_force(authority=authority, on_date=day)
                .filter(item__isnull=True, destination_group__isnull=False)
                .values_list("destination_group__code", flat=True)
            )
            assert groups_in_use <= covered, f"{authority.code} on {day}: no rule for {groups_in_use - covered}"


def test_determine_regime_answers_for_every_kind_of_history_on_every_boundary_date():
    """One country per grouping history (the test above covers every group in use), every item to Korea."""
    items = list(ControlledItem.objects.filter(slug__in=MATERIALS + TECHNOLOGY))
    resist = ControlledItem.objects.get(slug="resist")
    representatives = {
        # US: always A (Ga / Ga-1 for Korea); KP: D; BR, and each authority's own country: no row.
        "JP": ["KR", "US", "KP", "BR", "JP"],
        "KR": ["JP", "US", "BR", "KR"],
    }
    for authority in Authority.objects.all():
        for day in _boundary_dates():
            for country in representatives[authority.code]:
                for item in items if country == "KR" else [resist]:
                    regime = determine_regime(authority=authority, item=item, destination=country, on_date=day)
                    assert regime.documents, f"{authority.code} {item.slug} → {country} on {day}"


# --- The load itself -------------------------------------------------------------------------


def test_seeded_row_counts():
    assert {model.__name__: model.objects.count() for model in SEEDED_MODELS} == {
        "ControlledItem": 6,
        "ControlListReference": 18,
        "Authority": 2,
        "CountryGroup": 8,
        "Grouping": 121,
        "CalendarClosure": 1,
        "DocumentType": 17,
        "RegimeRule": 21,
        "RuleDocument": 128,
    }


def test_every_seeded_row_passes_model_validation():
    """Catches what SQLite lets through and PostgreSQL would refuse (lengths, choices, constraints)."""
    for model in SEEDED_MODELS:
        for obj in model.objects.all():
            obj.full_clean()


def test_loading_again_with_the_migration_registry_changes_nothing():
    before = _rows()
    reference_data.load(_migration_apps())
    assert _rows() == before


def test_loading_again_recreates_a_deleted_row_without_duplicating_the_others():
    Grouping.objects.get(authority__code="JP", country="KR", effective_from=date(2019, 8, 28)).delete()
    reference_data.load(_migration_apps())
    assert Grouping.objects.filter(authority__code="JP", country="KR").count() == 3
    assert Grouping.objects.count() == 121


def test_loading_again_restores_a_changed_seeded_value():
    rule = RegimeRule.objects.get(authority__code="JP", destination_group__code="A")
    rule.processing_days = 99
    rule.save()
    reference_data.load(_migration_apps())
    rule.refresh_from_db()
    assert rule.processing_days == 7
