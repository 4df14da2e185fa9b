"""Finds each service's settings class without importing the others' code."""

from __future__ import annotations

import importlib

from shared.settings import ServiceSettings


def load_settings(service: str) -> ServiceSettings:
    module = importlib.import_module(f"services.{service}.settings")
    settings: ServiceSettings = module.Settings()
    return settings
