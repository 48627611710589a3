# The production image: runtime dependencies only, a non-root user, the PDF font cut at build time.
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk fontconfig libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_ENV=production \
    GUNICORN_BIND=0.0.0.0:8000 \
    PORTAL_PRIVATE_MEDIA_ROOT=/data/private \
    PORTAL_PDF_FONT_DIR=/data/fonts

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin portal \
    && mkdir -p /data/private /data/fonts \
    && chown portal:portal /data/private /data/fonts

COPY --chown=root:root . .
RUN mkdir -p /app/staticfiles && chown portal:portal /app/staticfiles

USER portal
# Settings that only a running portal needs are placeholders here: nothing connects during the build.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    sh -c "python manage.py collectstatic --noinput && python manage.py prepare_pdf_font"

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "credit_portal.wsgi:application"]
