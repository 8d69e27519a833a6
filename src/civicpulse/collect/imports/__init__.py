"""Imports of exported files: our item schema, the evaluation format, Telegram and Facebook exports.

Each format is a pure mapping from one record to a `RawEntry` plus a streaming reader; `import_file` runs
them in constant memory, in batches, and resumes an interrupted import (see docs/connectors.md).
"""

from civicpulse.collect.imports.detect import FORMATS, detect_format
from civicpulse.collect.imports.importer import ImportOptions, ImportReport, import_file

__all__ = ["FORMATS", "ImportOptions", "ImportReport", "detect_format", "import_file"]
