# The shop bot: slim Python 3.11, non-root, the database on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_PATH=/data/shop.sqlite3

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY locales ./locales
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app shop \
    && mkdir -p /data && chown shop /data

USER shop
VOLUME ["/data"]
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD python -c "import sqlite3, os; sqlite3.connect(os.environ['DATABASE_PATH']).execute('select 1')" || exit 1
CMD ["python", "-m", "bot"]
