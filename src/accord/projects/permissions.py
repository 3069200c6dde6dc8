"""The permission matrix: which project role may do what. The one place it is written down.

Every project endpoint declares the action it performs (`ProjectAccessDep(action)`), and the
tests derive their expectations from this table. Instance administrators get nothing here:
they manage accounts, and see a project's data only as its members.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    owner = "owner"
    admin = "admin"
    analyst = "analyst"
    viewer = "viewer"


class Action(StrEnum):
    view = "view"  # the project, its members, data sets, rules and results
    rename = "rename"  # name and description
    archive = "archive"  # archive and unarchive
    delete = "delete"
    manage_members = "manage_members"  # invite, change role, remove
    transfer_ownership = "transfer_ownership"
    view_audit = "view_audit"
    manage_rules = "manage_rules"
    upload_data = "upload_data"
    run_reconciliation = "run_reconciliation"
    review_results = "review_results"


_EVERYONE = frozenset(Role)
_ANALYSTS_UP = frozenset({Role.owner, Role.admin, Role.analyst})
_ADMINS_UP = frozenset({Role.owner, Role.admin})
_OWNER = frozenset({Role.owner})

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.view: _EVERYONE,
    Action.rename: _ADMINS_UP,
    Action.archive: _ADMINS_UP,
    Action.delete: _OWNER,
    Action.manage_members: _ADMINS_UP,
    Action.transfer_ownership: _OWNER,
    Action.view_audit: _ADMINS_UP,
    Action.manage_rules: _ADMINS_UP,
    Action.upload_data: _ANALYSTS_UP,
    Action.run_reconciliation: _ANALYSTS_UP,
    Action.review_results: _ANALYSTS_UP,
}

# Actions still allowed on an archived project (it is otherwise read-only).
ALLOWED_WHEN_ARCHIVED = frozenset(
    {Action.view, Action.view_audit, Action.archive, Action.delete, Action.transfer_ownership}
)


def allows(role: Role, action: Action) -> bool:
    return role in PERMISSIONS[action]
