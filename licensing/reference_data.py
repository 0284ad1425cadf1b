"""Kyoka's reference data: the 2019–2023 Japan–Korea export-control history as rows.

Everything here comes from ``shared/domain/FACTS.md`` (the section is cited on each row). Tags used
in ``source`` / ``notes`` / descriptions, as in FACTS:

* **[K]** general knowledge, not checked against a primary text;
* **[P]** a proposal where no public list was found -- seeded as data an official can edit.

``load(apps)`` is called by ``licensing/migrations/0002_reference_data.py`` with the historical app
registry, so it only uses ``apps.get_model(...)`` and never imports the real models. It is
idempotent: every row is found by its natural key (``update_or_create``), so running it again
restores the seeded values without creating duplicates; rows it does not know are left alone.

Periods are inclusive (``effective_to`` = last day in force; ``None`` = open-ended). Kyoka's
recorded history starts on 2019-01-01: that date is not when any listing began.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.apps.registry import Apps

HISTORY_START = date(2019, 1, 1)
HISTORY_START_NOTE = "2019-01-01 is the start of Kyoka's recorded history, not the date this grouping began."

# --- Sources (FACTS.md) ----------------------------------------------------------------------

SRC_ITEMS = (
    "FACTS §1: Nikkei xTECH (xtech.nikkei.com/atcl/nxt/column/18/00001/02651/); METI matrix for item 3 "
    "as reproduced at yushutsu.com/matrix3/; Asahi (asahi.com/articles/ASM8Y34TGM8YULFA002.html)."
)
SRC_HISTORY = (
    "FACTS §4: Nikkei (nikkei.com/article/DGXZQOUA236I70T20C23A3000000/), JETRO "
    "(jetro.go.jp/biznews/2023/03/9a1b754970e3f1a3.html), Korea Herald "
    "(koreaherald.com/view.php?ud=20230428000625)."
)
SRC_PROCESSING = (
    "FACTS §3: individual review 'in principle within 90 days of acceptance'; time the applicant spends "
    "correcting documents is not counted (mshoji-office.com/export_shinsei)."
)
SRC_KR = (
    "FACTS §5: MOTIE, Foreign Trade Act; Public Notice on Export and Import of Strategic Items; MOTIE Q&A "
    "(days spent on supplementary submissions are not counted)."
)
SRC_CLOSURE = (
    "FACTS §3: government offices in Japan are closed on public holidays and 29 Dec – 3 Jan (the "
    "`holidays` package covers the public holidays, not the year-end closure)."
)

# --- 1. Controlled items ---------------------------------------------------------------------

GOODS: list[dict[str, Any]] = [
    {
        "slug": "hydrogen-fluoride",
        "name": "Hydrogen fluoride",
        "name_ja": "フッ化水素",
        "cas_number": "7664-39-3",
        "control_threshold": (
            "The substance, or a mixture containing more than 30 % hydrogen fluoride by weight. "
            "'High purity' is industry wording: the legal trigger is the >30 % mixture threshold."
        ),
        "description": (
            "Etching gas used in semiconductor manufacturing. Chemical-weapon precursor: Export Trade "
            "Control Order, Appended Table 1, item 3(1); METI goods ordinance Art. 2(1)(i)(f)."
        ),
    },
    {
        "slug": "fluorinated-polyimide",
        "name": "Fluorinated polyimide",
        "name_ja": "フッ化ポリイミド",
        "cas_number": "",
        "control_threshold": "Combined fluorine of 10 % or more by weight.",
        "description": (
            "Fluorine compound (Export Trade Control Order, Appended Table 1, item 5(17); METI goods "
            "ordinance Art. 4(xiv)(b)); used for flexible displays."
        ),
    },
    {
        "slug": "resist",
        "name": "Resist",
        "name_ja": "レジスト",
        "cas_number": "",
        "control_threshold": (
            "Resists for semiconductor lithography within the listed wavelength bands (positive resists "
            "for 15–193 nm; EUV resists below 15 nm), including substrates coated with such resist. The "
            "band has changed over time [K]: check the ordinance in force on the export date."
        ),
        "description": (
            "Photoresist (Export Trade Control Order, Appended Table 1, item 7(19); METI goods ordinance "
            "Art. 6(xix)). Also traded in litres: the unit can be chosen per application line."
        ),
    },
]

TECHNOLOGY: list[dict[str, Any]] = [
    {
        "slug": "hydrogen-fluoride-technology",
        "goods": "hydrogen-fluoride",
        "name": "Hydrogen fluoride manufacturing technology",
        "name_ja": "フッ化水素の製造技術",
        "feo_item": "item 3",
        "etco_item": "3(1)",
    },
    {
        "slug": "fluorinated-polyimide-technology",
        "goods": "fluorinated-polyimide",
        "name": "Fluorinated polyimide manufacturing technology",
        "name_ja": "フッ化ポリイミドの製造技術",
        "feo_item": "item 5",
        "etco_item": "5(17)",
    },
    {
        "slug": "resist-technology",
        "goods": "resist",
        "name": "Resist manufacturing technology",
        "name_ja": "レジストの製造技術",
        "feo_item": "item 7",
        "etco_item": "7(19)",
    },
]

# (item slug, control list, entry, note)
CONTROL_LIST_REFERENCES: list[tuple[str, str, str, str]] = [
    ("hydrogen-fluoride", "jp-etco", "item 3(1)", "Chemical-weapon precursors. FACTS §1."),
    ("hydrogen-fluoride", "jp-meti-ordinance", "Art. 2(1)(i)(f)", "FACTS §1."),
    ("hydrogen-fluoride", "australia-group", "CW precursor", "[K] FACTS §1."),
    ("hydrogen-fluoride", "eu", "1C350", "[K] FACTS §1."),
    ("hydrogen-fluoride", "us-ccl", "1C350", "[K] FACTS §1."),
    ("fluorinated-polyimide", "jp-etco", "item 5(17)", "Fluorine compounds. FACTS §1."),
    ("fluorinated-polyimide", "jp-meti-ordinance", "Art. 4(xiv)(b)", "FACTS §1."),
    ("fluorinated-polyimide", "wassenaar", "1.C.9.b", "FACTS §1."),
    ("fluorinated-polyimide", "eu", "1C009.b", "FACTS §1."),
    ("fluorinated-polyimide", "us-ccl", "1C009.b", "FACTS §1."),
    ("resist", "jp-etco", "item 7(19)", "FACTS §1."),
    ("resist", "jp-meti-ordinance", "Art. 6(xix)", "FACTS §1. Wavelength band changed over time [K]."),
    ("resist", "wassenaar", "3.C.2", "FACTS §1."),
    ("resist", "eu", "3C002", "FACTS §1."),
    ("resist", "us-ccl", "3C002", "FACTS §1."),
    (
        "hydrogen-fluoride-technology",
        "jp-feo",
        "item 3",
        "Related manufacturing technology (FACTS §1); the sub-entry is not given in FACTS.",
    ),
    (
        "fluorinated-polyimide-technology",
        "jp-feo",
        "item 5",
        "Related manufacturing technology (FACTS §1); the sub-entry is not given in FACTS.",
    ),
    (
        "resist-technology",
        "jp-feo",
        "item 7",
        "Related manufacturing technology (FACTS §1); the sub-entry is not given in FACTS.",
    ),
]

# --- 2./3. Authorities and their country groups ----------------------------------------------

AUTHORITIES: list[dict[str, Any]] = [
    {
        "code": "JP",
        "name": "Ministry of Economy, Trade and Industry (METI)",
        "country": "JP",
        "timezone": "Asia/Tokyo",
        "holiday_calendar": "JP",
        "default_group": "C",
    },
    {
        "code": "KR",
        "name": "Ministry of Trade, Industry and Energy (MOTIE)",
        "country": "KR",
        "timezone": "Asia/Seoul",
        "holiday_calendar": "KR",
        "default_group": "Na",
    },
]

DEFAULT_GROUP_NOTE = (
    "Kyoka's default group for this authority: a country with no grouping row on a date is treated as "
    "in this group. This is a documented default [P], not law: add explicit grouping rows where the law "
    "lists a country."
)

# (authority, code, name, trust_rank, description)
GROUPS: list[tuple[str, str, str, int, str]] = [
    (
        "JP",
        "A",
        "Group A",
        40,
        "Export Trade Control Order, Appended Table 3. Until the renaming in force 2019-08-28 (cabinet "
        "decision 2019-08-02) these were the 'white countries' (ホワイト国); Kyoka records them as A from "
        "2019-01-01. FACTS §4.",
    ),
    ("JP", "B", "Group B", 30, "Since 2019-08-28. South Korea was in B 2019-08-28 → 2023-07-20. FACTS §4."),
    (
        "JP",
        "C",
        "Group C",
        20,
        "Destinations in none of A, B or D. FACTS §4. " + DEFAULT_GROUP_NOTE,
    ),
    ("JP", "D", "Group D", 10, "UN arms-embargo and concern countries [K]. FACTS §4."),
    (
        "KR",
        "Ga",
        "Ga (가)",
        30,
        "Trusted region: 29 countries including Japan (FACTS §5). Split into Ga-1 and Ga-2 on 2019-09-18; "
        "merged back, with Japan in it, in force 2023-04-24.",
    ),
    (
        "KR",
        "Ga-1",
        "Ga-1 (가의1)",
        30,
        "The 28 Ga countries other than Japan, 2019-09-18 → 2023-04-23 (FACTS §5).",
    ),
    ("KR", "Ga-2", "Ga-2 (가의2)", 20, "Japan alone, 2019-09-18 → 2023-04-23 (FACTS §5)."),
    ("KR", "Na", "Na (나)", 10, "Every country not in Ga (FACTS §5). " + DEFAULT_GROUP_NOTE),
]

# --- 4. Grouping history ---------------------------------------------------------------------

# Japan's Group A (FACTS §4, [K]), South Korea excluded: its history is seeded separately.
JP_GROUP_A_COUNTRIES = [
    "AR",  # Argentina
    "AU",  # Australia
    "AT",  # Austria
    "BE",  # Belgium
    "BG",  # Bulgaria
    "CA",  # Canada
    "CZ",  # Czech Republic
    "DK",  # Denmark
    "FI",  # Finland
    "FR",  # France
    "DE",  # Germany
    "GR",  # Greece
    "HU",  # Hungary
    "IE",  # Ireland
    "IT",  # Italy
    "LU",  # Luxembourg
    "NL",  # Netherlands
    "NZ",  # New Zealand
    "NO",  # Norway
    "PL",  # Poland
    "PT",  # Portugal
    "ES",  # Spain
    "SE",  # Sweden
    "CH",  # Switzerland
    "GB",  # United Kingdom
    "US",  # United States
]

# Japan's Group D: UN arms-embargo and concern countries (FACTS §4, [K]; the list is the brief's).
JP_GROUP_D_COUNTRIES = [
    "AF",  # Afghanistan
    "CF",  # Central African Republic
    "CD",  # DR Congo
    "IQ",  # Iraq
    "LB",  # Lebanon
    "LY",  # Libya
    "KP",  # North Korea
    "SO",  # Somalia
    "SS",  # South Sudan
    "SD",  # Sudan
    "IR",  # Iran
]

LB_JP_A = "Export Trade Control Order, Appended Table 3 (the 'white countries'; Group A since 2019-08-28)"
LB_JP_KR_A_2019 = (
    "Export Trade Control Order, Appended Table 3 (the 'white countries'); removed by the cabinet "
    "decision of 2019-08-02, in force 2019-08-28"
)
LB_JP_KR_B = (
    "Export Trade Control Order, Appended Table 3 amendment (cabinet decision 2019-08-02), in force "
    "2019-08-28: South Korea removed from the white list, Group B"
)
LB_JP_KR_A_2023 = (
    "Export Trade Control Order, Appended Table 3 amendment (METI announcement 2023-04-28, public comment "
    "to 2023-05-31), in force 2023-07-21: South Korea back in Group A"
)
LB_JP_D = "Export Trade Control Order: UN arms-embargo and concern countries (Group D since 2019-08-28) [K]"
LB_KR_GA = "Public Notice on Export and Import of Strategic Items (MOTIE): region Ga (가)"
LB_KR_SPLIT = (
    "Public Notice on Export and Import of Strategic Items (MOTIE), amendment in force 2019-09-18: "
    "Ga split into Ga-1 (가의1) and Ga-2 (가의2, Japan)"
)
LB_KR_MERGE = (
    "Public Notice on Export and Import of Strategic Items (MOTIE), amendment (administrative notice "
    "2023-03-23 → 2023-04-12) in force 2023-04-24: Ga-1 and Ga-2 merged back into Ga"
)

SRC_JP_A = "[K] FACTS §4 Group A list (general knowledge, not checked against the Order's text). "
SRC_JP_D = "[K] FACTS §4: 'D: UN arms-embargo and concern countries [K]'; country list not in FACTS. "
SRC_KR_GA_OTHERS = (
    "[P] FACTS §5 says Ga has 29 countries including Japan but does not list them. Kyoka proposes the 26 "
    "countries of Japan's Group A list (FACTS §4) as Korea's other Ga countries; the remaining 2 of the "
    "28 are unknown and fall to the default Na until an official adds them. "
)


def _groupings() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(authority: str, country: str, group: str, start: date, end: date | None, basis: str, src: str):
        rows.append(
            {
                "authority": authority,
                "country": country,
                "group": group,
                "effective_from": start,
                "effective_to": end,
                "legal_basis": basis,
                "source": src,
            }
        )

    # Japan's view.
    for country in JP_GROUP_A_COUNTRIES:
        add("JP", country, "A", HISTORY_START, None, LB_JP_A, SRC_JP_A + HISTORY_START_NOTE)
    add("JP", "KR", "A", HISTORY_START, date(2019, 8, 27), LB_JP_KR_A_2019, SRC_HISTORY + " " + HISTORY_START_NOTE)
    add("JP", "KR", "B", date(2019, 8, 28), date(2023, 7, 20), LB_JP_KR_B, SRC_HISTORY)
    add("JP", "KR", "A", date(2023, 7, 21), None, LB_JP_KR_A_2023, SRC_HISTORY)
    for country in JP_GROUP_D_COUNTRIES:
        add("JP", country, "D", HISTORY_START, None, LB_JP_D, SRC_JP_D + HISTORY_START_NOTE)

    # Korea's view.
    add("KR", "JP", "Ga", HISTORY_START, date(2019, 9, 17), LB_KR_GA, SRC_KR + " " + HISTORY_START_NOTE)
    add("KR", "JP", "Ga-2", date(2019, 9, 18), date(2023, 4, 23), LB_KR_SPLIT, SRC_KR)
    add("KR", "JP", "Ga", date(2023, 4, 24), None, LB_KR_MERGE, SRC_KR)
    for country in JP_GROUP_A_COUNTRIES:
        add("KR", country, "Ga", HISTORY_START, date(2019, 9, 17), LB_KR_GA, SRC_KR_GA_OTHERS + HISTORY_START_NOTE)
        add("KR", country, "Ga-1", date(2019, 9, 18), date(2023, 4, 23), LB_KR_SPLIT, SRC_KR_GA_OTHERS + SRC_KR)
        add("KR", country, "Ga", date(2023, 4, 24), None, LB_KR_MERGE, SRC_KR_GA_OTHERS + SRC_KR)
    return rows


# --- 5. Calendar closures --------------------------------------------------------------------

CLOSURES: list[dict[str, Any]] = [
    {
        "authority": "JP",
        "name": "Government year-end closure (29 Dec – 3 Jan)",
        "start": date(2019, 12, 29),
        "end": date(2020, 1, 3),
        "repeats_yearly": True,
        "source": SRC_CLOSURE,
    },
]

# --- 6. Document types -----------------------------------------------------------------------

PDF = "pdf"
SCAN = "pdf,png,jpeg"
SHEET = "pdf,docx,xlsx"
CONTRACT = "pdf,png,jpeg,docx"  # a signed contract is usually a scan; drafts come as Word files

JA_NOTE = "Japanese name: Kyoka's working wording [P], for an official to confirm."

# (authority, code, name, name_ja, allowed_formats, description, source)
DOCUMENT_TYPES: list[tuple[str, str, str, str, str, str, str]] = [
    (
        "JP",
        "application-form",
        "Application form (two copies)",
        "輸出許可申請書・役務取引許可申請書（2通）",
        PDF,
        "METI list item 1. Filed in two copies (Regulations for Export Trade Control Art. 1(1)(i)). For "
        "technology, the service-transaction licence application.",
        "FACTS §3 (METI individual list, item 1).",
    ),
    (
        "JP",
        "application-details",
        "Application details sheet",
        "申請内容明細書",
        SHEET,
        "METI list item 2. " + JA_NOTE,
        "FACTS §3 (METI individual list, item 2).",
    ),
    (
        "JP",
        "contract",
        "Contract (and copy)",
        "契約書（写し）",
        CONTRACT,
        "METI list item 3: the contract covering the transaction.",
        "FACTS §3 (METI individual list, item 3).",
    ),
    (
        "JP",
        "parameter-sheet",
        "Comparison against the control list (parameter sheet)",
        "項目別対比表（パラメータシート）",
        SHEET,
        "METI list item 4: the item's parameters compared with the control-list entry.",
        "FACTS §3 (METI individual list, item 4).",
    ),
    (
        "JP",
        "catalogue-specification",
        "Catalogue or specification",
        "カタログ・仕様書",
        PDF,
        "METI list item 5.",
        "FACTS §3 (METI individual list, item 5).",
    ),
    (
        "JP",
        "end-user-capability",
        "Evidence of the end user's technical capability",
        "需要者の技術力を示す資料",
        SCAN,
        "METI list item 6. Not required by the seeded rules (FACTS [P] picks items 1–5, 7 and 8); an "
        "official may add it to a rule. " + JA_NOTE,
        "FACTS §3 (METI individual list, item 6).",
    ),
    (
        "JP",
        "buyer-evidence",
        "Evidence of the buyer's business and existence",
        "買主の事業内容及び存在を確認できる資料",
        SCAN,
        "METI list item 7. " + JA_NOTE,
        "FACTS §3 (METI individual list, item 7).",
    ),
    (
        "JP",
        "end-user-pledge",
        "End-user pledge (and copy)",
        "需要者の誓約書（写し）",
        SCAN,
        "METI list item 8: the end user's signed pledge on use and re-export.",
        "FACTS §3 (METI individual list, item 8).",
    ),
    (
        "JP",
        "transaction-summary",
        "Reason for application / transaction summary",
        "申請理由書・取引概要",
        SHEET,
        "Conditional extra [P] (FACTS §3: one of the two conditional documents that make 'seven to nine').",
        "FACTS §3 [P].",
    ),
    (
        "JP",
        "power-of-attorney",
        "Power of attorney",
        "委任状",
        SCAN,
        "Conditional [P]: required when an agent files on the exporter's behalf.",
        "FACTS §3 [P] (METI's occasional extras include a power of attorney).",
    ),
    (
        "JP",
        "cp-checklist-receipt",
        "Compliance-programme (CP) checklist receipt",
        "輸出管理内部規程（CP）チェックリスト受理票",
        SCAN,
        "Bulk licences [P]: METI's receipt of the exporter's compliance-programme checklist. " + JA_NOTE,
        "FACTS §3 [P] (bulk regime, 4 documents).",
    ),
    (
        "JP",
        "cp-audit-evidence",
        "Evidence of METI's on-site audit of the compliance programme",
        "経済産業省による輸出管理内部規程の立入検査を受けたことを示す資料",
        SCAN,
        "Bulk licences [P]: evidence that METI audited the exporter's compliance programme on site. " + JA_NOTE,
        "FACTS §3 [P] (bulk regime, 4 documents).",
    ),
    (
        "KR",
        "application-form",
        "Strategic items export licence application",
        "戦略物資輸出許可申請書",
        PDF,
        "[P] FACTS §5 gives the number of documents (3), not their names. Korean: 전략물자 수출허가 신청서. "
        "Filed through YESTRADE [K].",
        "FACTS §5 [P].",
    ),
    (
        "KR",
        "contract",
        "Contract or purchase order",
        "契約書・注文書",
        CONTRACT,
        "[P] FACTS §5 gives the number of documents (3), not their names. Korean: 계약서.",
        "FACTS §5 [P].",
    ),
    (
        "KR",
        "item-specification",
        "Item specification",
        "品目仕様書",
        PDF,
        "[P] FACTS §5 gives the number of documents (3), not their names. Korean: 제품 사양서.",
        "FACTS §5 [P].",
    ),
    (
        "KR",
        "final-consignee-statement",
        "Final consignee statement",
        "最終荷受人陳述書",
        SCAN,
        "Added for Ga-2 (FACTS §5). Korean: 최종수하인 진술서 [P].",
        "FACTS §5.",
    ),
    (
        "KR",
        "end-user-pledge",
        "End-user pledge",
        "最終使用者誓約書",
        SCAN,
        "Added for Ga-2 (FACTS §5). Korean: 최종사용자 서약서 [P].",
        "FACTS §5.",
    ),
]

# --- 7. Regime rules -------------------------------------------------------------------------

Doc = tuple[str, bool, str]  # (document type code, mandatory, condition)

COND_TRANSACTION_SUMMARY = (
    "When the transaction needs explaining, e.g. the METI desk asks for the reason for the application [P]"
)
COND_POWER_OF_ATTORNEY = "When an agent files the application on the exporter's behalf"

JP_INDIVIDUAL_DOCS: list[Doc] = [
    ("application-form", True, ""),
    ("application-details", True, ""),
    ("contract", True, ""),
    ("parameter-sheet", True, ""),
    ("catalogue-specification", True, ""),
    ("buyer-evidence", True, ""),
    ("end-user-pledge", True, ""),
    ("transaction-summary", False, COND_TRANSACTION_SUMMARY),
    ("power-of-attorney", False, COND_POWER_OF_ATTORNEY),
]
JP_BULK_DOCS: list[Doc] = [
    ("application-form", True, ""),
    ("application-details", True, ""),
    ("cp-checklist-receipt", True, ""),
    ("cp-audit-evidence", True, ""),
]
KR_BASE_DOCS: list[Doc] = [
    ("application-form", True, ""),
    ("contract", True, ""),
    ("item-specification", True, ""),
]
KR_EXTENDED_DOCS: list[Doc] = [
    *KR_BASE_DOCS,
    ("final-consignee-statement", True, ""),
    ("end-user-pledge", True, ""),
]

NOTE_JP_INDIVIDUAL_DOCS = (
    "Documents [P] (FACTS §3): 7 mandatory (METI list items 1, 2, 3, 4, 5, 7, 8) and 2 conditional "
    "(transaction summary; power of attorney when an agent files): the article's 'seven to nine'."
)
NOTE_JP_INDIVIDUAL_CLOCK = (
    "90 days, calendar basis: FACTS §3 finds no statement of calendar vs business days and defaults to "
    "calendar. Validity 6 months in principle (FACTS §2). " + SRC_PROCESSING
)
NOTE_JP_BULK = (
    "Documents [P] (FACTS §3): application form, application details, CP checklist receipt, evidence of "
    "METI's on-site CP audit. 7 days on a business-day basis [P]: FACTS §3 says make the basis a field so "
    "the 7-day rule can be business days. Validity 3 years (FACTS §2)."
)
NOTE_KR_BASIS = (
    "Business-day basis [P]: FACTS §5 does not say whether the days are calendar or business days. "
    "Validity 1 year (FACTS §5). " + SRC_KR
)
NOTE_KR_NOT_MODELLED = (
    " Korea's comprehensive (bulk) licence (FACTS §5) is not modelled: a rule holds one regime per key."
)


def _rule(
    authority: str,
    *,
    item: str | None = None,
    country: str = "",
    group: str | None = None,
    start: date,
    end: date | None,
    licence_type: str,
    bulk_type: str = "",
    days: int,
    basis: str,
    months: int,
    legal_basis: str,
    notes: str,
    documents: list[Doc],
) -> dict[str, Any]:
    return {
        "authority": authority,
        "item": item,
        "destination_country": country,
        "destination_group": group,
        "effective_from": start,
        "effective_to": end,
        "licence_type": licence_type,
        "bulk_type": bulk_type,
        "processing_days": days,
        "processing_basis": basis,
        "validity_months": months,
        "legal_basis": legal_basis,
        "notes": notes,
        "documents": documents,
    }


def _rules() -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []

    # Japan, all items, by group.
    rules.append(
        _rule(
            "JP",
            group="A",
            start=HISTORY_START,
            end=None,
            licence_type="bulk",
            bulk_type="general",
            days=7,
            basis="business",
            months=36,
            legal_basis=(
                "Foreign Exchange and Foreign Trade Act Art. 48(1) (goods) / Art. 25(1) (technology): "
                "general bulk licence (一般包括許可) for listed items to Group A destinations"
            ),
            notes=(
                "FACTS §2–3. " + NOTE_JP_BULK + " Kyoka's history starts 2019-01-01; South Korea was in "
                "Group A until 2019-08-27 and again from 2023-07-21 (FACTS §4)."
            ),
            documents=JP_BULK_DOCS,
        )
    )
    for group in ("B", "C", "D"):
        rules.append(
            _rule(
                "JP",
                group=group,
                start=HISTORY_START,
                end=None,
                licence_type="individual",
                days=90,
                basis="calendar",
                months=6,
                legal_basis=(
                    "Foreign Exchange and Foreign Trade Act Art. 48(1) (goods) / Art. 25(1) (technology): "
                    f"individual licence (個別許可) for listed items to Group {group} destinations"
                ),
                notes=(
                    "[K] Individual licence for listed items to destinations outside Group A. A special "
                    "general bulk licence can also be available to qualified exporters for some non-Group-A "
                    "destinations (FACTS §2): not modelled, a rule holds one regime per key. "
                    + NOTE_JP_INDIVIDUAL_DOCS
                    + " "
                    + NOTE_JP_INDIVIDUAL_CLOCK
                ),
                documents=JP_INDIVIDUAL_DOCS,
            )
        )

    # Japan, the three items and their technology, to South Korea specifically.
    for slug, is_technology in [(g["slug"], False) for g in GOODS] + [(t["slug"], True) for t in TECHNOLOGY]:
        article = "Art. 25(1) (technology)" if is_technology else "Art. 48(1) (goods)"
        resist_note = ""
        if slug == "resist":
            resist_note = (
                " From 2019-12-20 specific bulk licences were allowed again for resist for specific "
                "exporter–buyer pairs with a track record (FACTS §4): exporter-specific, so not modelled "
                "as a rule; such exporters still see the individual regime here."
            )
        rules.append(
            _rule(
                "JP",
                item=slug,
                country="KR",
                start=date(2019, 7, 4),
                end=date(2023, 3, 22),
                licence_type="individual",
                days=90,
                basis="calendar",
                months=6,
                legal_basis=(
                    f"Foreign Exchange and Foreign Trade Act {article}; METI measure announced 2019-07-01, "
                    "in force 2019-07-04: individual licences required to South Korea, bulk licences withdrawn"
                ),
                notes=(
                    SRC_HISTORY + " The 2019 measure covered the three items and their manufacturing technology "
                    "(Foreign Exchange Order items 3, 5, 7; FACTS §1). "
                    + NOTE_JP_INDIVIDUAL_DOCS
                    + " "
                    + NOTE_JP_INDIVIDUAL_CLOCK
                    + resist_note
                ),
                documents=JP_INDIVIDUAL_DOCS,
            )
        )
        rules.append(
            _rule(
                "JP",
                item=slug,
                country="KR",
                start=date(2023, 3, 23),
                end=date(2023, 7, 20),
                licence_type="bulk",
                bulk_type="special_general",
                days=7,
                basis="business",
                months=36,
                legal_basis=(
                    f"Foreign Exchange and Foreign Trade Act {article}; METI measure in force 2023-03-23: "
                    "special general bulk licences (特別一般包括許可) available again to South Korea"
                ),
                notes=(
                    SRC_HISTORY
                    + " South Korea was still in Group B until 2023-07-20; from 2023-07-21 it is in Group A "
                    "and the Group A general bulk rule applies. " + NOTE_JP_BULK
                ),
                documents=JP_BULK_DOCS,
            )
        )

    # Korea, all items, by region.
    ga = {
        "licence_type": "individual",
        "days": 5,
        "basis": "business",
        "months": 12,
        "documents": KR_BASE_DOCS,
    }
    rules.append(
        _rule(
            "KR",
            group="Ga",
            start=HISTORY_START,
            end=date(2019, 9, 17),
            legal_basis=LB_KR_GA + ": individual export licence",
            notes="FACTS §5: 3 documents, 5 days, 1 year. " + NOTE_KR_BASIS + NOTE_KR_NOT_MODELLED,
            **ga,
        )
    )
    rules.append(
        _rule(
            "KR",
            group="Ga-1",
            start=date(2019, 9, 18),
            end=date(2023, 4, 23),
            legal_basis=(
                "Public Notice on Export and Import of Strategic Items (MOTIE), amendment in force "
                "2019-09-18: individual export licence, region Ga-1"
            ),
            notes="FACTS §5: Ga-1 kept Ga's terms (3 documents, 5 days, 1 year). "
            + NOTE_KR_BASIS
            + NOTE_KR_NOT_MODELLED,
            **ga,
        )
    )
    rules.append(
        _rule(
            "KR",
            group="Ga-2",
            start=date(2019, 9, 18),
            end=date(2023, 4, 23),
            licence_type="individual",
            days=15,
            basis="business",
            months=12,
            legal_basis=(
                "Public Notice on Export and Import of Strategic Items (MOTIE), amendment in force "
                "2019-09-18: individual export licence, region Ga-2 (Japan)"
            ),
            notes=(
                "FACTS §5: 5 documents (adds final consignee statement and end-user pledge), 15 days, 1 year. "
                "Document names [P]. " + NOTE_KR_BASIS + NOTE_KR_NOT_MODELLED
            ),
            documents=KR_EXTENDED_DOCS,
        )
    )
    rules.append(
        _rule(
            "KR",
            group="Ga",
            start=date(2023, 4, 24),
            end=None,
            legal_basis=(
                "Public Notice on Export and Import of Strategic Items (MOTIE), amendment in force "
                "2023-04-24: individual export licence, region Ga (Ga-1 and Ga-2 merged)"
            ),
            notes="FACTS §5: 3 documents, 5 days, 1 year. " + NOTE_KR_BASIS + NOTE_KR_NOT_MODELLED,
            **ga,
        )
    )
    rules.append(
        _rule(
            "KR",
            group="Na",
            start=HISTORY_START,
            end=None,
            licence_type="individual",
            days=15,
            basis="business",
            months=12,
            legal_basis=(
                "Public Notice on Export and Import of Strategic Items (MOTIE): individual export licence, "
                "region Na (나)"
            ),
            notes=(
                "[P] FACTS §5 gives no terms for Na: Kyoka proposes Ga-2's (5 documents, 15 days, 1 year), "
                "the strictest terms FACTS gives. " + NOTE_KR_BASIS + NOTE_KR_NOT_MODELLED
            ),
            documents=KR_EXTENDED_DOCS,
        )
    )
    return rules


# --- Loading ---------------------------------------------------------------------------------


def load(apps: Apps) -> None:
    """Idempotently create or update the reference rows using the (historical) models from ``apps``."""
    items = _load_items(apps)
    authorities, groups = _load_authorities_and_groups(apps)
    _load_groupings(apps, authorities, groups)
    _load_closures(apps, authorities)
    document_types = _load_document_types(apps, authorities)
    _load_rules(apps, authorities, groups, items, document_types)


def _load_items(apps: Apps) -> dict[str, Any]:
    ControlledItem = apps.get_model("materials", "ControlledItem")
    ControlListReference = apps.get_model("materials", "ControlListReference")
    items: dict[str, Any] = {}
    for goods in GOODS:
        items[goods["slug"]], _ = ControlledItem.objects.update_or_create(
            slug=goods["slug"],
            defaults={
                "name": goods["name"],
                "name_ja": goods["name_ja"],
                "kind": "goods",
                "cas_number": goods["cas_number"],
                "control_threshold": goods["control_threshold"],
                "default_unit": "kg",
                "description": goods["description"],
                "source": SRC_ITEMS,
                "is_active": True,
            },
        )
    for tech in TECHNOLOGY:
        items[tech["slug"]], _ = ControlledItem.objects.update_or_create(
            slug=tech["slug"],
            defaults={
                "name": tech["name"],
                "name_ja": tech["name_ja"],
                "kind": "technology",
                "cas_number": "",
                "control_threshold": (
                    f"Technology for the manufacture of the goods in Export Trade Control Order item "
                    f"{tech['etco_item']} (Foreign Exchange Order, Appended Table {tech['feo_item']}). "
                    "The exact technology sub-entry is not in FACTS: check the Foreign Exchange Order."
                ),
                "default_unit": "set",
                "description": (
                    f"The manufacturing technology of {items[tech['goods']].name.lower()}: its transfer "
                    "needs a service-transaction licence (Foreign Exchange and Foreign Trade Act Art. 25(1))."
                ),
                "source": SRC_ITEMS
                + " The 2019 measure also covered the related manufacturing technology (Foreign Exchange "
                "Order, Appended Table items 3, 5, 7).",
                "is_active": True,
            },
        )
    for slug, control_list, entry, note in CONTROL_LIST_REFERENCES:
        ControlListReference.objects.update_or_create(
            item=items[slug], control_list=control_list, entry=entry, defaults={"note": note}
        )
    return items


def _load_authorities_and_groups(apps: Apps) -> tuple[dict[str, Any], dict[tuple[str, str], Any]]:
    Authority = apps.get_model("whitelist", "Authority")
    CountryGroup = apps.get_model("whitelist", "CountryGroup")
    authorities: dict[str, Any] = {}
    for spec in AUTHORITIES:
        authorities[spec["code"]], _ = Authority.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "country": spec["country"],
                "timezone": spec["timezone"],
                "holiday_calendar": spec["holiday_calendar"],
            },
        )
    groups: dict[tuple[str, str], Any] = {}
    for authority, code, name, rank, description in GROUPS:
        groups[(authority, code)], _ = CountryGroup.objects.update_or_create(
            authority=authorities[authority],
            code=code,
            defaults={"name": name, "trust_rank": rank, "description": description},
        )
    for spec in AUTHORITIES:
        authority = authorities[spec["code"]]
        authority.default_group = groups[(spec["code"], spec["default_group"])]
        authority.save(update_fields=["default_group"])
    return authorities, groups


def _load_groupings(apps: Apps, authorities: dict[str, Any], groups: dict[tuple[str, str], Any]) -> None:
    Grouping = apps.get_model("whitelist", "Grouping")
    for row in _groupings():
        Grouping.objects.update_or_create(
            authority=authorities[row["authority"]],
            country=row["country"],
            effective_from=row["effective_from"],
            defaults={
                "group": groups[(row["authority"], row["group"])],
                "effective_to": row["effective_to"],
                "legal_basis": row["legal_basis"],
                "source": row["source"],
            },
        )


def _load_closures(apps: Apps, authorities: dict[str, Any]) -> None:
    CalendarClosure = apps.get_model("whitelist", "CalendarClosure")
    for row in CLOSURES:
        CalendarClosure.objects.update_or_create(
            authority=authorities[row["authority"]],
            name=row["name"],
            defaults={
                "start": row["start"],
                "end": row["end"],
                "repeats_yearly": row["repeats_yearly"],
                "source": row["source"],
            },
        )


def _load_document_types(apps: Apps, authorities: dict[str, Any]) -> dict[tuple[str, str], Any]:
    DocumentType = apps.get_model("licensing", "DocumentType")
    document_types: dict[tuple[str, str], Any] = {}
    for authority, code, name, name_ja, formats, description, source in DOCUMENT_TYPES:
        document_types[(authority, code)], _ = DocumentType.objects.update_or_create(
            authority=authorities[authority],
            code=code,
            defaults={
                "name": name,
                "name_ja": name_ja,
                "allowed_formats": formats,
                "description": description,
                "source": source,
            },
        )
    return document_types


def _load_rules(
    apps: Apps,
    authorities: dict[str, Any],
    groups: dict[tuple[str, str], Any],
    items: dict[str, Any],
    document_types: dict[tuple[str, str], Any],
) -> None:
    RegimeRule = apps.get_model("licensing", "RegimeRule")
    RuleDocument = apps.get_model("licensing", "RuleDocument")
    for spec in _rules():
        code = spec["authority"]
        rule, _ = RegimeRule.objects.update_or_create(
            authority=authorities[code],
            item=items[spec["item"]] if spec["item"] else None,
            destination_country=spec["destination_country"],
            destination_group=groups[(code, spec["destination_group"])] if spec["destination_group"] else None,
            effective_from=spec["effective_from"],
            defaults={
                "effective_to": spec["effective_to"],
                "licence_type": spec["licence_type"],
                "bulk_type": spec["bulk_type"],
                "processing_days": spec["processing_days"],
                "processing_basis": spec["processing_basis"],
                "validity_months": spec["validity_months"],
                "legal_basis": spec["legal_basis"],
                "notes": spec["notes"],
            },
        )
        for position, (doc_code, mandatory, condition) in enumerate(spec["documents"], start=1):
            RuleDocument.objects.update_or_create(
                rule=rule,
                document_type=document_types[(code, doc_code)],
                defaults={"mandatory": mandatory, "condition": condition, "position": position},
            )
