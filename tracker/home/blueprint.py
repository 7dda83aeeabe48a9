"""The URL rules of the homes, and the chart globals their templates and the portfolio report share."""

from flask import Blueprint

from tracker.home import cache
from tracker.home import charts
from tracker.home import views

bp = Blueprint("home", __name__)

bp.add_url_rule("/", view_func=views.home, methods=["GET"])


def init_app(app):
    app.register_blueprint(bp)
    cache.init_app(app)
    app.jinja_env.globals.update(bar_chart=charts.bar_chart, world_map=charts.world_map,
                                 map_legend=charts.map_legend, labelled=charts.labelled,
                                 grants_per_country=charts.grants_per_country)
