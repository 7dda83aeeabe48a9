"""Load the demo portfolio from ``seeds/`` through the same services the UI uses.

The seed is a folder: ``fund.toml`` (fund, pillars, organisations, users), one
``projects/<slug>.toml`` per project, and one sub-folder per feature area (e.g.
``toc/<slug>.toml``) read by that area's loader listed in ``SEED_SECTIONS``.
Every loader is idempotent, so running the seed twice changes nothing.
"""

import importlib
import secrets
import tomllib
from pathlib import Path

import pyotp

from tracker import data_folder
from tracker.audit.services import Actor
from tracker.auth import passwords
from tracker.auth import services as auth_services
from tracker.auth import two_factor
from tracker.demo_logins import DemoLogin
from tracker.portfolio import services as portfolio_services

DEFAULT_SEED_DIR = data_folder("seeds") / "demo"

# Feature-area loaders, in dependency order: "module:function", called as
# function(session, actor, context) after the portfolio and users exist.
SEED_SECTIONS = (
    "tracker.toc.seeding:load",
    "tracker.indicators.seeding:load",
    "tracker.outcomes.seeding:load",
    "tracker.msc.seeding:load",
    "tracker.iati.seeding:load",
    "tracker.contribution.seeding:load",
    "tracker.imports.seeding:load",
    "tracker.audit.seeding:load",
    "tracker.wellbeing.seeding:load",
)


def read_seed(seed_dir=DEFAULT_SEED_DIR):
    seed_dir = Path(seed_dir)
    fund = tomllib.loads((seed_dir / "fund.toml").read_text(encoding="utf-8"))
    projects = [
        tomllib.loads(path.read_text(encoding="utf-8"))
        for path in sorted((seed_dir / "projects").glob("*.toml"))
    ]
    return fund, projects


def seed_demo(session, hasher, known_passwords, seed_dir=DEFAULT_SEED_DIR, known_secrets=None):
    """Create whatever of the demo portfolio is missing; return one login per demo user.

    ``known_passwords`` maps email → password from an earlier run; a demo user
    whose password is unknown gets a fresh random one, so every login printed works.
    Demo users whose role needs two-factor authentication are enrolled with the
    TOTP secret in ``known_secrets`` (email → secret), or a new one.
    """
    actor = Actor.command_line("seed-demo")
    fund_seed, project_seeds = read_seed(seed_dir)
    fund = ensure_fund(session, actor, fund_seed["fund"])
    pillars = {seed["key"]: ensure_pillar(session, actor, fund, position, seed)
               for position, seed in enumerate(fund_seed["pillars"])}
    organisations = {seed["name"]: ensure_organisation(session, actor, seed) for seed in fund_seed["organisations"]}
    context = {"seed_dir": Path(seed_dir), "fund": fund, "fund_seed": fund_seed, "pillars": pillars,
               "organisations": organisations}
    projects = {seed["project"]["slug"]: ensure_project(session, actor, fund, seed["project"], context)
                for seed in project_seeds}
    context["projects"] = projects
    logins = [ensure_user(session, hasher, actor, seed, projects, known_passwords) for seed in fund_seed["users"]]
    context["users"] = {login.email: auth_services.get_user_by_email(session, login.email) for login in logins}
    for login in logins:
        login.totp_secret = ensure_two_factor(session, actor, context["users"][login.email], known_secrets or {})
    for section in SEED_SECTIONS:
        module, function = section.split(":")
        getattr(importlib.import_module(module), function)(session, actor, context)
    return logins


def read_section(context, area):
    """Return ``[(slug, data)]`` for every ``<area>/<slug>.toml`` of the seed, sorted by slug."""
    folder = context["seed_dir"] / area
    return [(path.stem, tomllib.loads(path.read_text(encoding="utf-8"))) for path in sorted(folder.glob("*.toml"))]


def ensure_fund(session, actor, seed):
    fund = portfolio_services.get_fund(session, seed["slug"])
    return fund or portfolio_services.create_fund(session, actor, slug=seed["slug"], name=seed["name"],
                                                  description=seed.get("description", ""),
                                                  retention_months=seed.get("retention_months"),
                                                  wellbeing_support=seed.get("wellbeing_support", ""))


def ensure_pillar(session, actor, fund, position, seed):
    for pillar in portfolio_services.list_pillars(session, fund):
        if pillar.key == seed["key"]:
            return pillar
    return portfolio_services.save_pillar(session, actor, fund, key=seed["key"], name=seed["name"],
                                          description=seed.get("description", ""), position=position)


def ensure_organisation(session, actor, seed):
    organisation = portfolio_services.get_organisation_by_name(session, seed["name"])
    return organisation or portfolio_services.save_organisation(session, actor, seed)


def ensure_project(session, actor, fund, seed, context):
    project = portfolio_services.get_project(session, seed["slug"])
    if project is not None:
        return project
    values = {
        **seed,
        "organisation_id": context["organisations"][seed["organisation"]].id,
        "pillar_id": context["pillars"][seed["pillar"]].id,
    }
    return portfolio_services.create_project(session, actor, fund, values)


def ensure_user(session, hasher, actor, seed, projects, known_passwords):
    email = auth_services.normalise_email(seed["email"])
    password = known_passwords.get(email)
    user = auth_services.get_user_by_email(session, email)
    if user is None:
        password = password or new_demo_password()
        user = auth_services.create_user(session, hasher, actor, email=email, display_name=seed["display_name"],
                                         role=seed["role"], password=password)
        auth_services.set_memberships(session, actor, user, [projects[slug].id for slug in seed.get("projects", [])])
        if seed.get("data_protection_lead"):
            auth_services.update_user(session, actor, user, version=user.version, display_name=user.display_name,
                                      role=user.role, is_active=True, language=None, is_data_protection_lead=True)
    elif password is None or not passwords.verify(hasher, user.password_hash, password):
        password = new_demo_password()
        auth_services.set_password(session, hasher, actor, user, password)
    return DemoLogin(role=user.role.value, email=email, password=password)


def ensure_two_factor(session, actor, user, known_secrets):
    """Enrol a demo admin or M&E officer in two-factor authentication; return the secret ("" for other roles)."""
    if not two_factor.is_required(user):
        return ""
    secret = known_secrets.get(user.email) or pyotp.random_base32()
    two_factor.set_confirmed_secret(session, actor, user, secret)
    return secret


def new_demo_password():
    return secrets.token_urlsafe(12)
