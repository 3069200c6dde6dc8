"""Every feature's router, mounted in one place."""

from __future__ import annotations

from fastapi import FastAPI

from accord.audit.router import router as audit_router
from accord.auth.router import router as auth_router
from accord.datasets.router import router as datasets_router
from accord.exports.router import router as exports_router
from accord.health.router import router as health_router
from accord.jobs.router import router as jobs_router
from accord.projects.members_router import router as members_router
from accord.projects.router import router as projects_router
from accord.results.router import router as results_router
from accord.review.router import router as review_router
from accord.rulesets.router import router as rulesets_router
from accord.users.router import router as users_router


def include_routers(app: FastAPI) -> None:
    app.include_router(health_router)
    app.include_router(auth_router)
    app.include_router(users_router)
    app.include_router(projects_router)
    app.include_router(members_router)
    app.include_router(audit_router)
    app.include_router(results_router)
    app.include_router(datasets_router)
    app.include_router(rulesets_router)
    app.include_router(jobs_router)
    app.include_router(review_router)
    app.include_router(exports_router)
