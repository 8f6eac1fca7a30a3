# The shop bot: slim Python 3.11, non-root, the database on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/shop.sqlite3 \
    WEBHOOK_HOST=0.0.0.0

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY locales ./locales
RUN pip install . \
    && useradd --system --uid 10001 --no-create-home --home-dir /app shop \
    && mkdir -p /data && chown shop /data

USER shop
VOLUME ["/data"]
# Only used in webhook mode (WEBHOOK_URL set); publish it to your reverse proxy.
EXPOSE 8080
# Healthy while a bot process renews its lease in the database (every second), and in webhook
# mode while /healthz answers; no aiogram import (storage/liveness.py).
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "storage.liveness"]
# SIGTERM (docker stop) drains updates and jobs for up to 25 s (35 s for a Stars payment): give
# it 40 (compose.yaml does).
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot"]
