"""The officials' roles, as data the roles migration writes (groups + permissions)."""

OFFICER = "Officer"
SUPERVISOR = "Supervisor"

_VIEW = [
    "licensing.view_application",
    "licensing.view_applicationdocument",
    "licensing.view_informationrequest",
    "licensing.view_clockstop",
    "licensing.view_licence",
    "licensing.view_shipment",
    "licensing.view_event",
    "licensing.view_regimerule",
    "licensing.view_ruledocument",
    "licensing.view_documenttype",
    "materials.view_controlleditem",
    "materials.view_controllistreference",
    "whitelist.view_authority",
    "whitelist.view_countrygroup",
    "whitelist.view_grouping",
    "whitelist.view_amendment",
    "whitelist.view_calendarclosure",
    "notifications.view_notification",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Reviews, assigns, requests information, recommends; may suspend a licence pending a decision.
    OFFICER: [*_VIEW, "licensing.review_application", "licensing.suspend_licence"],
    # Everything an officer can, plus decisions, revocation, and amending rules and the whitelist.
    SUPERVISOR: [
        *_VIEW,
        "licensing.review_application",
        "licensing.decide_application",
        "licensing.suspend_licence",
        "licensing.revoke_licence",
        "licensing.add_regimerule",
        "licensing.change_regimerule",
        "licensing.add_ruledocument",
        "licensing.change_ruledocument",
        "licensing.delete_ruledocument",
        "licensing.add_documenttype",
        "licensing.change_documenttype",
        "materials.add_controlleditem",
        "materials.change_controlleditem",
        "materials.add_controllistreference",
        "materials.change_controllistreference",
        "materials.delete_controllistreference",
        "whitelist.add_amendment",
        "whitelist.change_amendment",
        "whitelist.add_countrygroup",
        "whitelist.change_countrygroup",
        "whitelist.add_calendarclosure",
        "whitelist.change_calendarclosure",
        "whitelist.delete_calendarclosure",
    ],
}
