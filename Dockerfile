# Kyoka: one image for the web (gunicorn), the Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KYOKA_VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media \
    STATIC_ROOT=/app/staticfiles \
    WEB_CONCURRENCY=3

WORKDIR /app

# Dependencies first, so code changes do not reinstall them. All pins ship wheels for
# linux/amd64 and arm64 (psycopg2-binary, argon2-cffi-bindings), so no compiler is needed.
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .

# Static files are collected into the image. DJANGO_ENV=production selects the same hashed
# (manifest) storage that production serves with; the key and host exist only for this step.
RUN DJANGO_ENV=production SECRET_KEY=collectstatic-build-only ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput \
 && useradd --system --uid 10001 --home-dir /app --no-create-home kyoka \
 && mkdir -p /app/var/media /app/var/celery \
 && chown -R kyoka:kyoka /app/var

USER kyoka

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
