"""Pasar Binaan: the marketplace for East Kalimantan's government-aided producers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from marketplace import config

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers and CLI commands."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    config.configure_logging()
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.update(test_config)
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)

    from marketplace import assets, errors, i18n, links, models, page_cache, security  # noqa: F401
    from marketplace import db as db_rules
    from marketplace.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    db_rules.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    assets.init_app(app)
    links.init_app(app)
    page_cache.init_app(app)
    security.init_app(app)
    errors.init_app(app)

    from marketplace.accounts.views import bp as accounts_bp
    from marketplace.addresses.views import bp as addresses_bp
    from marketplace.agency.views import bp as agency_bp
    from marketplace.cart.views import bp as cart_bp
    from marketplace.catalogue.manage_views import bp as catalogue_manage_bp
    from marketplace.catalogue.views import bp as catalogue_bp
    from marketplace.checkout.views import bp as checkout_bp
    from marketplace.core.views import bp as core_bp
    from marketplace.media.views import bp as media_bp
    from marketplace.orders import notify as order_notify
    from marketplace.orders.views import bp as orders_bp
    from marketplace.producers.views import bp as producers_bp
    from marketplace.programs.views import bp as programs_bp
    from marketplace.shipping.views import bp as shipping_bp
    from marketplace.verification.views import bp as verification_bp

    for blueprint in (core_bp, accounts_bp, producers_bp, programs_bp, verification_bp,
                      catalogue_bp, catalogue_manage_bp, media_bp, shipping_bp, addresses_bp,
                      cart_bp, checkout_bp, orders_bp, agency_bp):
        app.register_blueprint(blueprint)
    order_notify.init_app(app)

    from marketplace import payments

    payments.init_app(app)

    from marketplace.accounts.cli import create_staff
    from marketplace.cart.cli import cart_cli
    from marketplace.catalogue.cli import catalogue_cli
    from marketplace.demo.cli import demo_cli, seed_bench
    from marketplace.orders.cli import orders_cli, worker
    from marketplace.programs.cli import programs_cli
    from marketplace.regions.cli import regions_cli
    from marketplace.verification.cli import verification_cli

    app.cli.add_command(create_staff)
    app.cli.add_command(cart_cli)
    app.cli.add_command(catalogue_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(seed_bench)
    app.cli.add_command(programs_cli)
    app.cli.add_command(regions_cli)
    app.cli.add_command(verification_cli)
    app.cli.add_command(orders_cli)
    app.cli.add_command(worker)
    return app
