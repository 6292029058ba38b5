"""The programme document importer, under the name it has always had: the work is done
in `storage.importers.programme` (read → normalise → parse → assemble → check → apply)."""

from storage.importers.programme import (  # noqa: F401
    import_programme_document,
    parse_programme_document,
    parse_timing,
)
