"""The demo portfolio's IATI publication: every export passes the official schema and shows real results."""

import pytest
import sqlalchemy as sa
from lxml import etree

from tests.test_iati_validation import SCHEMA_DIR
from tests.test_iati_validation import official_schema
from tracker.iati import services as services
from tracker.indicators.models import Indicator
from tracker.portfolio import services as portfolio_services
from tracker.portfolio.models import Project


@pytest.fixture
def demo(app, session):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return portfolio_services.get_fund(session)


def test_every_demo_export_passes_the_official_schema_and_every_check(demo, session):
    schema = official_schema()
    exports = [services.prepare_export(session, demo, schema_dir=SCHEMA_DIR)]
    exports += [services.prepare_export(session, demo, project=project, schema_dir=SCHEMA_DIR)
                for project in session.scalars(sa.select(Project).where(Project.iati_identifier.is_not(None)))]

    assert len(exports) == 6
    for export in exports:
        assert export.problems == []
        assert schema.validate(etree.fromstring(export.xml).getroottree()), schema.error_log


def test_the_demo_publisher_publishes_results_with_qualitative_and_disaggregated_indicators(demo, session):
    export = services.prepare_export(session, demo)
    root = etree.fromstring(export.xml)
    public = session.scalar(sa.select(sa.func.count()).select_from(Indicator).where(Indicator.public.is_(True)))

    assert root.find("iati-activity/reporting-org").get("ref") == "XI-IATI-DEMO"
    assert len(root.findall("iati-activity")) == 5
    assert {result.get("type") for result in root.iter("result")} >= {"1", "2"}
    assert {indicator.get("measure") for indicator in root.iter("indicator")} >= {"1", "2", "5"}
    assert root.find(".//actual/dimension") is not None
    assert len(list(root.iter("indicator"))) == export.indicator_count == public
    assert sorted(left.project.slug for left in export.left_out) == [
        "auditor-tool", "deafkidz-defenders", "dragon-s", "icop-southeast-asia", "primero-southeast-asia"]
