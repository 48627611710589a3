"""The four roles are groups; what a role may do is a permission, so checks read `has_perm`."""

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS

from .auth_backends import group_names

STAFF = "staff"
SUPERVISOR = "supervisor"
APPLICANT = "applicant"
DRC = "drc"

ROLE_LABELS = {
    STAFF: "营业厅工作人员",
    SUPERVISOR: "班组长",
    APPLICANT: "企业用户",
    DRC: "发改委工作人员",
}

# app_label.codename; custom ones are declared in the models' Meta.permissions.
_STAFF_PERMISSIONS = [
    "archives.view_all_archives",
    "archives.manage_archives",
    "archives.view_contact_details",
    # the full identity number where the work needs it (verifying a registration), every look logged
    "archives.view_identity_documents",
    "archives.view_customer",
    "archives.add_customer",
    "archives.change_customer",
    "archives.view_creditevent",
    "archives.add_creditevent",
    "archives.view_electricityaccount",
    "archives.add_electricityaccount",
    "archives.change_electricityaccount",
    "archives.view_publiccreditreport",
    "archives.add_publiccreditreport",
    "archives.verify_publiccreditreport",
    "archives.view_creditinformation",
    "archives.add_creditinformation",
    "archives.request_revocation",
    "archives.import_archives",
    "ratings.request_override",
    "ratings.view_customerrating",
    # commitments: registrations, letters, applications, service requests, objections
    "commitments.view_enterpriseregistration",
    "commitments.confirm_enterpriseregistration",
    "commitments.view_commitmentletter",
    "commitments.review_commitmentletter",
    "commitments.view_powerapplication",
    "commitments.handle_powerapplication",
    "commitments.view_valueaddedservicerequest",
    "commitments.handle_valueaddedservicerequest",
    "commitments.view_objection",
    "commitments.review_objection",
    # credit repair (信用修复): check an application and propose, file one at the counter, record a
    # repair made at the source
    "commitments.view_repairapplication",
    "commitments.propose_repair",
    # the measures for red and black switched on by the utility: record what became of each
    "commitments.view_measuretask",
    "commitments.handle_measuretask",
    "notifications.view_notice",
    "notifications.work_notices",
    # the daily report to the DRC (read), and a commendation recorded as the DRC would
    "drc.view_drcreport",
    "archives.record_commendation",
    # today's report on demand, through the same once-per-date build as the 01:00 job
    "drc.build_drcreport",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    STAFF: _STAFF_PERMISSIONS,
    SUPERVISOR: _STAFF_PERMISSIONS
    + [
        "archives.approve_revocation",
        "ratings.approve_override",
        "commitments.decide_objection",
        "commitments.decide_repair",
        "ratings.view_ruleset",
        "ratings.draft_ruleset",
        "ratings.approve_ruleset",
    ],
    DRC: [
        "archives.view_all_archives",
        "archives.view_customer",
        "archives.view_creditevent",
        "archives.view_electricityaccount",
        "archives.view_publiccreditreport",
        "archives.view_creditinformation",
        "ratings.view_customerrating",
        # Rule-set drafts and their impact reports: read only.
        "ratings.view_ruleset",
        "commitments.view_commitmentletter",
        # Credit-repair applications and decisions: read only.
        "commitments.view_repairapplication",
        "drc.view_drcreport",
        # The DRC's only writes (plan §三(四)): a public credit report it issued for an enterprise,
        # and a commendation (表彰评优) added to an archive (never a note: archives.services.information).
        "commitments.upload_report_for_enterprise",
        "archives.record_commendation",
    ],
    # An applicant's rights come from its confirmed Membership (commitments.services.access), not a group.
    APPLICANT: [],
}


def ensure_roles(sender=None, using: str = DEFAULT_DB_ALIAS, **_kwargs) -> None:
    """Create the role groups and give each exactly its permissions.

    Connected to post_migrate, which fires once per app: only the last app's signal acts, when every
    app's permissions exist (auth creates them in its own receiver, connected before this one).
    """
    if sender is not None and sender is not list(django_apps.get_app_configs())[-1]:
        return
    wanted = {tuple(code.split(".")) for codes in ROLE_PERMISSIONS.values() for code in codes}
    permission_ids = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
        if (app_label, codename) in wanted
    }
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set(
            [permission_ids[tuple(code.split("."))] for code in codes if tuple(code.split(".")) in permission_ids]
        )


def role_of(user) -> str | None:
    """The user's role name (the first group that is a role), or None."""
    if not user.is_authenticated:
        return None
    user.get_all_permissions()  # the permission cache holds the user's group names too
    names = group_names(user)
    for role in (SUPERVISOR, STAFF, DRC, APPLICANT):
        if role in names:
            return role
    return None
