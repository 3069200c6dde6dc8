"""Every ORM model, imported here so Alembic and the schema check see the whole metadata."""

from accord.db.models.audit import AuditEvent
from accord.db.models.auth import AuthSession, PasswordResetToken, RefreshToken
from accord.db.models.datasets import Dataset
from accord.db.models.jobs import ReconciliationJob, ReconciliationResult
from accord.db.models.projects import Project, ProjectMember
from accord.db.models.review import ReviewDecision
from accord.db.models.rulesets import RuleSet, RuleSetVersion
from accord.db.models.users import User

__all__ = [
    "AuditEvent",
    "AuthSession",
    "Dataset",
    "PasswordResetToken",
    "Project",
    "ProjectMember",
    "ReconciliationJob",
    "ReconciliationResult",
    "RefreshToken",
    "ReviewDecision",
    "RuleSet",
    "RuleSetVersion",
    "User",
]
