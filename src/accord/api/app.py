"""The FastAPI application, built from a started-up AppState."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from accord import __version__
from accord.api.middleware import RequestContextMiddleware, UploadLimitMiddleware
from accord.api.problems import install_problem_handlers
from accord.api.routers import include_routers
from accord.api.state import AppState
from accord.logging import get_logger

log = get_logger(__name__)


def create_app(state: AppState) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await state.cache.try_redis()
        state.cache.start_reconnecting()
        log.info("accord service ready", cache=state.cache.mode.value)
        try:
            yield
        finally:
            await state.cache.close()
            await state.database.dispose()

    app = FastAPI(
        title="Accord",
        version=__version__,
        summary="Reconcile two data sets, explain every match, review the exceptions.",
        lifespan=lifespan,
    )
    app.state.accord = state
    install_problem_handlers(app)
    if state.settings.app.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=state.settings.app.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Correlation-ID"],
        )
    app.add_middleware(UploadLimitMiddleware, max_bytes=state.settings.app.max_upload_mb << 20)
    app.add_middleware(RequestContextMiddleware, metrics=state.metrics)
    include_routers(app)
    return app
