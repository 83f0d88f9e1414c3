# The production image: one image for the web server, the Celery worker and Celery beat
# (scripts/docker-entrypoint chooses; docker-compose.yml runs all three with PostgreSQL and Redis).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_VAR_DIR=/app/var

# CJK fonts, Pango and HarfBuzz's subsetter for WeasyPrint's PDFs; the OpenLDAP and SASL libraries
# for LDAP sign-in (python-ldap is built against their headers, which are removed after the build).
# The body's 仿宋, FandolFang, is taken out of texlive-lang-chinese without installing TeX.
COPY scripts/install-fang-font /usr/local/bin/install-fang-font
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk fonts-lxgw-wenkai libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        libldap-2.5-0 libsasl2-2 \
    && install-fang-font --require /usr/local/share/fonts/fandol \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app

WORKDIR /app
COPY requirements.txt requirements.lock ./
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libldap2-dev libsasl2-dev \
    && pip install -r requirements.txt -c requirements.lock \
    && apt-get purge -y --auto-remove gcc libc6-dev libldap2-dev libsasl2-dev \
    && rm -rf /var/lib/apt/lists/*

COPY . .
# Static files are collected into the image. The key below exists only for this build step;
# the running containers must get their own DJANGO_SECRET_KEY (production settings have no default).
# prepare_pdf_fonts writes the pre-subset faces letter PDFs use into var/fonts (the fast path): Noto Serif
# CJK SC's and FandolFang's.
RUN DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
        sh -c 'python manage.py collectstatic --noinput -v 0 && python manage.py prepare_pdf_fonts' \
    && mkdir -p var/media var/celery \
    && chown -R app:app var

USER app
EXPOSE 8000
ENTRYPOINT ["/app/scripts/docker-entrypoint"]
CMD ["web"]
