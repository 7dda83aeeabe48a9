"""Load the demo fund's IATI publishing settings from ``seeds/demo/iati/settings.toml`` (idempotent).

Which demo indicators are public is part of the indicators' own seed (``public = true``).
"""

import tomllib

from tracker.iati import services as services


def load(session, actor, context):
    path = context["seed_dir"] / "iati" / "settings.toml"
    if not path.exists() or services.get_settings(session, context["fund"]) is not None:
        return
    services.save_settings(session, actor, context["fund"], tomllib.loads(path.read_text(encoding="utf-8")))
