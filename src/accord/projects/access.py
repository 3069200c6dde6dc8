"""The check every project endpoint runs: member? allowed by the matrix? archived?

A non-member gets 404, exactly as for a project that does not exist, so ids reveal nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends

from accord.api.deps import SessionDep
from accord.auth.deps import CurrentPrincipal, Principal
from accord.db.models import Project
from accord.errors import Conflict, Forbidden, NotFound
from accord.projects.permissions import ALLOWED_WHEN_ARCHIVED, Action, Role, allows
from accord.projects.repository import project_with_role

NO_SUCH_PROJECT = "No project with this id."


@dataclass(frozen=True)
class ProjectAccess:
    principal: Principal
    project: Project
    role: Role


class ProjectPermission:
    """A dependency granting `action` on the path's project; `action` is read by the tests."""

    def __init__(self, action: Action) -> None:
        self.action = action

    async def __call__(
        self, project_id: uuid.UUID, principal: CurrentPrincipal, db: SessionDep
    ) -> ProjectAccess:
        found = await project_with_role(db, project_id, principal.user.id)
        if found is None:
            raise NotFound(NO_SUCH_PROJECT)
        project, role_name = found
        role = Role(role_name)
        if not allows(role, self.action):
            raise Forbidden(
                f"Your role in this project ({role}) does not allow '{self.action}'.",
                role=role.value,
                action=self.action.value,
            )
        if project.archived_at is not None and self.action not in ALLOWED_WHEN_ARCHIVED:
            raise Conflict("The project is archived and read-only; unarchive it first.")
        return ProjectAccess(principal=principal, project=project, role=role)


def permission(action: Action) -> Any:
    return Depends(ProjectPermission(action))


ViewAccess = Annotated[ProjectAccess, permission(Action.view)]
RenameAccess = Annotated[ProjectAccess, permission(Action.rename)]
ArchiveAccess = Annotated[ProjectAccess, permission(Action.archive)]
DeleteAccess = Annotated[ProjectAccess, permission(Action.delete)]
MembersAccess = Annotated[ProjectAccess, permission(Action.manage_members)]
TransferAccess = Annotated[ProjectAccess, permission(Action.transfer_ownership)]
AuditAccess = Annotated[ProjectAccess, permission(Action.view_audit)]
