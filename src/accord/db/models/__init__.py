"""Every ORM model, imported here so Alembic and the schema check see the whole metadata."""

from accord.db.models.jobs import ReconciliationJob, ReconciliationResult
from accord.db.models.projects import Project, ProjectMember
from accord.db.models.users import User

__all__ = ["Project", "ProjectMember", "ReconciliationJob", "ReconciliationResult", "User"]
