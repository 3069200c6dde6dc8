"""Every feature's router, mounted in one place."""

from __future__ import annotations

from fastapi import FastAPI

from accord.health.router import router as health_router


def include_routers(app: FastAPI) -> None:
    app.include_router(health_router)
