"""The core: plain Python that knows no API and no web framework (clock, ids, namespaces,
broker, journal and fault data, snapshot and seed documents). See docs/architecture.md."""
