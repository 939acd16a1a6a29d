"""Settings, read from the environment with safe defaults.

Every variable is listed, with its default and meaning, in the README's configuration table.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete: the app refuses to start."""


def from_environment() -> dict[str, object]:
    """Build the Flask config mapping from environment variables."""
    env = os.environ.get("APP_ENV", "development").strip().lower()
    production = env == "production"
    instance = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))
    secret_key = os.environ.get("SECRET_KEY", "")
    if production and len(secret_key) < 32:
        raise ConfigError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            '(python -c "import secrets; print(secrets.token_urlsafe(48))").'
        )
    if production and not os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        raise ConfigError("DATABASE_URL must point to PostgreSQL in production.")
    media_backend = os.environ.get("MEDIA_BACKEND", "local").strip().lower() or "local"
    if media_backend not in ("local", "s3"):
        raise ConfigError("MEDIA_BACKEND must be 'local' or 's3'.")
    if media_backend == "s3" and not os.environ.get("MEDIA_S3_BUCKET", "").strip():
        raise ConfigError("MEDIA_S3_BUCKET must be set when MEDIA_BACKEND=s3.")
    public_url = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
    if production and not public_url.startswith("https://"):
        raise ConfigError("PUBLIC_BASE_URL must be the site's https:// address in production.")
    field_key = os.environ.get("FIELD_ENCRYPTION_KEY", "")
    if production and not field_key:
        raise ConfigError(
            "FIELD_ENCRYPTION_KEY must be set in production (python -c \"from cryptography."
            "fernet import Fernet; print(Fernet.generate_key().decode())\")."
        )
    if production and not os.environ.get("BANK_ACCOUNT_NUMBER", "").strip():
        raise ConfigError("BANK_ACCOUNT_NUMBER (with BANK_ACCOUNT_BANK and BANK_ACCOUNT_HOLDER) "
                          "must be set in production: buyers transfer to this account.")
    trusted_hosts = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()]
    redis_url = os.environ.get("REDIS_URL", "")
    https = _bool("SESSION_COOKIE_SECURE", production)
    return {
        "APP_ENV": env,
        "PRODUCTION": production,
        "DEBUG": False if production else _bool("FLASK_DEBUG", False),
        # A random key per process in development: sessions do not survive a restart,
        # and no key is ever committed.
        "SECRET_KEY": secret_key or secrets.token_urlsafe(48),
        # Links in emails and messages are built from this, never from the request's Host.
        "PUBLIC_BASE_URL": public_url or f"http://127.0.0.1:{os.environ.get('PORT', '5000')}",
        # Requests for any other host are refused (400) when set.
        "TRUSTED_HOSTS": trusted_hosts or None,
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'pasarbinaan.sqlite3'}"
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "INSTANCE_DIR": str(instance),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # Anonymous catalogue pages are cached this long (0: off); see marketplace.page_cache.
        "PAGE_CACHE_SECONDS": _int("PAGE_CACHE_SECONDS", 60),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 10),
        "LOGIN_BLOCK_MINUTES": _int("LOGIN_BLOCK_MINUTES", 15),
        "SESSION_COOKIE_SECURE": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 120),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=7),
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "HSTS": production,
        "PROXY_FIX_HOPS": _int("PROXY_FIX_HOPS", 0),
        "FIELD_ENCRYPTION_KEY": field_key,
        "MEDIA_ROOT": os.environ.get("MEDIA_ROOT", str(instance / "media")),
        # Uploaded files: "local" (under MEDIA_ROOT) or "s3" (S3-compatible object storage,
        # credentials from boto3's usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY ...).
        "MEDIA_BACKEND": media_backend,
        "MEDIA_S3_BUCKET": os.environ.get("MEDIA_S3_BUCKET", "").strip(),
        "MEDIA_S3_ENDPOINT_URL": os.environ.get("MEDIA_S3_ENDPOINT_URL", "").strip(),
        "MEDIA_S3_REGION": os.environ.get("MEDIA_S3_REGION", "").strip(),
        # Where public/ keys are readable directly (a CDN or the bucket's public address);
        # empty: the app serves them at /media/<key>.
        "MEDIA_PUBLIC_BASE_URL": os.environ.get("MEDIA_PUBLIC_BASE_URL", "").strip().rstrip("/"),
        "MAX_DOCUMENT_MB": _int("MAX_DOCUMENT_MB", 5),
        # Orders: an unpaid order is cancelled (stock returned) after this many hours; a
        # shipped order the buyer has not confirmed completes after this many days.
        "ORDER_PAYMENT_HOURS": _int("ORDER_PAYMENT_HOURS", 24),
        "ORDER_AUTO_COMPLETE_DAYS": _int("ORDER_AUTO_COMPLETE_DAYS", 7),
        # Stripe Checkout is offered only when both keys are set (test-mode keys in development).
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", "").strip(),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", "").strip(),
        "STRIPE_CONNECT_WEBHOOK_SECRET": os.environ.get("STRIPE_CONNECT_WEBHOOK_SECRET",
                                                        "").strip(),
        # Payouts by Stripe Connect transfers (Express accounts); off: staff pay by bank.
        "STRIPE_CONNECT_ENABLED": _bool("STRIPE_CONNECT_ENABLED", False),
        # The account buyers transfer to (bank transfer, the default method). The demo
        # default is not a real account.
        "BANK_ACCOUNT_BANK": os.environ.get("BANK_ACCOUNT_BANK", "Bank Kaltimtara").strip(),
        "BANK_ACCOUNT_NUMBER": os.environ.get("BANK_ACCOUNT_NUMBER", "0011-2233-4455").strip(),
        "BANK_ACCOUNT_HOLDER": os.environ.get(
            "BANK_ACCOUNT_HOLDER", "Pasar Binaan (DEMO)").strip(),
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_MB", 10) * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Makassar",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "LANGUAGES": ("id", "en"),
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "smtp" if production else "outbox"),
        "MAIL_OUTBOX_DIR": os.environ.get("MAIL_OUTBOX_DIR", str(instance / "outbox")),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Pasar Binaan <noreply@pasarbinaan.local>"),
        "SMTP_HOST": os.environ.get("SMTP_HOST", "localhost"),
        "SMTP_PORT": _int("SMTP_PORT", 587),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool("SMTP_STARTTLS", True),
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        "PASSWORD_RESET_MAX_AGE": _int("PASSWORD_RESET_MAX_AGE", 3600),
    }


def configure_logging() -> None:
    """Log INFO and above to stderr unless logging is already set up (gunicorn, pytest)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=os.environ.get("LOG_LEVEL", "INFO").upper(),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
