# CI service container: the emulator on 0.0.0.0:8000 with a health check.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY emulator ./emulator
COPY fixtures ./fixtures
RUN pip install --no-cache-dir . && useradd --system emulator
USER emulator
ENV EMULATOR_HOST=0.0.0.0 EMULATOR_PORT=8000 EMULATOR_FIXTURES=/app/fixtures
EXPOSE 8000
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=5 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/_emulator/health').status == 200 else 1)"
CMD ["python", "-m", "emulator"]
