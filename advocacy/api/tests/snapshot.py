"""Write the OpenAPI schema snapshot: `python -m advocacy.api.tests.snapshot`.

Run it after a deliberate API change, then review the diff of openapi.json like any code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).with_name("openapi.json")


def current_schema() -> dict[str, Any]:
    from advocacy.api.main import api

    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/")))


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
    import django

    django.setup()
    SNAPSHOT.write_text(render(current_schema()))
    print(f"wrote {SNAPSHOT}")
