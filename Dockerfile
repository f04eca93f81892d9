# The emulator on 0.0.0.0:8000 as a non-root user, with a health check.
#
#   docker build -t ri-emulator . && docker run --rm -p 8000:8000 ri-emulator
#
# The default base is the public Python slim image (pip installs from the index). Any base with
# python3 -m venv, groupadd and useradd works. Without a registry, scripts/build-image.sh
# debootstraps a minimal Debian, imports it as localhost/emulator-base:<release>, stages this
# repo plus pre-downloaded wheels (wheels/) outside the repo and builds this file with buildah
# and --build-arg BASE=localhost/emulator-base:<release>.
ARG BASE=python:3.11-slim

FROM ${BASE} AS build
COPY . /src
# wheels/ present (offline build): install only from it; absent: from the configured index.
RUN set -eu; \
    python3 -m venv /opt/venv; \
    if [ -d /src/wheels ]; then set -- --no-index --find-links /src/wheels; else set --; fi; \
    /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check "$@" /src; \
    /opt/venv/bin/pip uninstall --yes --quiet pip setuptools wheel 2>/dev/null || true; \
    find /opt/venv -name '*.pyi' -delete; \
    rm -rf /opt/venv/share

FROM ${BASE}
RUN groupadd --system --gid 10001 emulator \
 && useradd --system --uid 10001 --gid emulator --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin emulator
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    EMULATOR_HOST=0.0.0.0 \
    EMULATOR_PORT=8000
USER 10001:10001
EXPOSE 8000
# Any EMULATOR_* variable configures it (`ri-emulator --help` lists them); the seed data ships
# inside the installed package (mount a directory and set EMULATOR_FIXTURES to replace it).
# The check follows EMULATOR_PORT.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=5 \
  CMD ["python", "-c", "import os, sys, urllib.request; url = 'http://127.0.0.1:%s/_emulator/health' % os.environ.get('EMULATOR_PORT', '8000'); sys.exit(0 if urllib.request.urlopen(url, timeout=2).status == 200 else 1)"]
CMD ["ri-emulator"]
