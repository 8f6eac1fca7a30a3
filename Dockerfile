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
# Stdlib only (importing aiogram takes seconds): webhook mode asks /healthz (database and
# scheduler); polling mode checks that the database file opens read-only and answers.
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, pathlib, sqlite3, urllib.request as r; r.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('WEBHOOK_PORT', '8080'), timeout=5) if os.environ.get('WEBHOOK_URL') else sqlite3.connect(pathlib.Path(os.environ['DATABASE_PATH']).resolve().as_uri() + '?mode=ro', uri=True).execute('select 1')"]
# SIGTERM (docker stop) drains updates and jobs for up to 25 s: give it 40 (compose.yaml does).
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot"]
