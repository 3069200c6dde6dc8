# syntax=docker/dockerfile:1
# Build stage: resolve the locked dependencies into a virtual environment with uv.
FROM python:3.11-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.13 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/opt/venv
WORKDIR /src
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY src ./src
RUN uv sync --locked --no-dev --no-editable

# Runtime stage: only the environment and the entrypoint, run as an unprivileged user.
FROM python:3.11-slim AS runtime
RUN useradd --create-home --uid 10001 accord \
    && mkdir -p /data && chown accord:accord /data
COPY --from=build /opt/venv /opt/venv
COPY docker/entrypoint.sh /usr/local/bin/accord-entrypoint
ENV PATH=/opt/venv/bin:$PATH ACCORD_DATA_DIR=/data ACCORD_HOST=0.0.0.0 ACCORD_PORT=8000 \
    ACCORD_LOG_FORMAT=json PYTHONUNBUFFERED=1
USER accord
WORKDIR /home/accord
EXPOSE 8000
# Probes the API on ACCORD_PORT; containers running `accord worker` disable it (compose does).
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD python -c "import os,sys,urllib.request; url='http://127.0.0.1:%s/health/live' % os.environ.get('ACCORD_PORT', '8000'); sys.exit(0 if urllib.request.urlopen(url, timeout=2).status == 200 else 1)"
ENTRYPOINT ["accord-entrypoint"]
CMD ["accord", "serve"]
