"""`make chaos`: see tests/chaos/run.py."""

import os
from pathlib import Path

# Development keys of the run live in a throwaway home, never the developer's (as in the
# tests); set before the staff tokens are made, which happens when tests.e2e.flow is imported.
os.environ.setdefault("EGOV_HOME", str(Path(__file__).resolve().parents[2] / ".egov" / "home"))
