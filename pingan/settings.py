"""Settings, read from environment variables (documented in .env.example)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DATA_DIR = Path(env_str("PINGAN_DATA_DIR", str(BASE_DIR.parent / "var")))


def _persisted_secret(name: str, make) -> str:
    """For a development machine: a secret that is not set is made once and kept in
    DATA_DIR, so restarts keep sessions and encrypted fields readable."""
    value = os.environ.get(name)
    if value:
        return value
    path = DATA_DIR / f"{name.lower()}.secret"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value)
    path.chmod(0o600)
    return value


SECRET_KEY = _persisted_secret("PINGAN_SECRET_KEY", lambda: secrets.token_urlsafe(50))
FIELD_KEY = _persisted_secret("PINGAN_FIELD_KEY", lambda: Fernet.generate_key().decode())
LOOKUP_KEY = env_str("PINGAN_LOOKUP_KEY")
# Keys the audit journal's hash chain: whoever can write the database but not read
# this key cannot rewrite the journal so that `pingan audit verify` passes.
AUDIT_KEY = _persisted_secret("PINGAN_AUDIT_KEY", lambda: secrets.token_urlsafe(48))
DEBUG = env_bool("PINGAN_DEBUG", False)
ALLOWED_HOSTS = env_list("PINGAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("PINGAN_CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000")
# The reverse proxies in front of the app servers (deploy/nginx): a request from one
# of these addresses is taken to be from the client its X-Real-IP names.
TRUSTED_PROXIES = env_list("PINGAN_TRUSTED_PROXIES", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Only for its static files: the API docs page serves Swagger UI itself, no CDN.
    "ninja",
    "pingan.accounts",
    "pingan.audit",
    "pingan.notices",
    "pingan.jobs",
    "pingan.regions",
    "pingan.registry",
    "pingan.events",
    "pingan.things",
    "pingan.video",
    "pingan.parking",
    "pingan.legal",
    "pingan.fieldwork",
    "pingan.command",
    "pingan.links",
    "pingan.counter",
    "pingan.convenience",
    "pingan.history",
    "pingan.web",
    "pingan.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pingan.web.middleware.ChosenLanguageMiddleware",
    "pingan.web.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pingan.lib.replica.ReadOwnWritesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pingan.web.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "pingan.urls"
WSGI_APPLICATION = "pingan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pingan.web.context.site",
            ],
        },
    },
]

# SQLite in WAL mode unless DATABASE_URL names another database.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'pingan.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a transaction takes the write lock at BEGIN, so two writers
        # queue instead of one failing halfway with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA case_sensitive_like=ON; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-65536;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("PINGAN_TEST_SQLITE", "") or None}

# A streaming replica of PostgreSQL for the heavy reads (pingan/lib/replica.py):
# used while it is no more than REPLICA_MAX_LAG seconds behind, checked every
# REPLICA_CHECK_SECONDS; a user who just wrote reads the primary for
# READ_OWN_WRITES seconds. Empty: every read from the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["pingan.lib.replica.Router"]
REPLICA_MAX_LAG = float(env_str("PINGAN_REPLICA_MAX_LAG", "30"))
REPLICA_CHECK_SECONDS = float(env_str("PINGAN_REPLICA_CHECK_SECONDS", "5"))
READ_OWN_WRITES = int(env_str("PINGAN_READ_OWN_WRITES", "10"))

# Behind pgbouncer in transaction mode (PINGAN_DB_POOLER=transaction) a connection
# is lent to this process for one transaction at a time, so nothing may outlive one:
# no server-side cursors (a named cursor lives past its statement) and no prepared
# statements (psycopg prepares a query it has run five times, on a connection the
# next transaction may not get). The pooler tracks TimeZone itself.
DB_POOLER = env_str("PINGAN_DB_POOLER", "")
for pooled in DATABASES.values() if DB_POOLER == "transaction" else []:
    pooled["DISABLE_SERVER_SIDE_CURSORS"] = True
    pooled.setdefault("OPTIONS", {})["prepare_threshold"] = None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["pingan.accounts.backends.StaffBackend"]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_MAX_FAILURES = env_int("PINGAN_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCK_SECONDS = env_int("PINGAN_LOGIN_LOCK_SECONDS", 900)
LOGIN_ADDRESS_FAILURES = env_int("PINGAN_LOGIN_ADDRESS_FAILURES", 30)
LOGIN_ADDRESS_SECONDS = env_int("PINGAN_LOGIN_ADDRESS_SECONDS", 300)

# Staff sessions end after a working day, and when the browser closes.
SESSION_COOKIE_AGE = env_int("PINGAN_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("PINGAN_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = env_str("PINGAN_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Photos and uploads: a folder every app server mounts (PINGAN_MEDIA_DIR), or any
# Django storage backend by its dotted path, e.g. django-storages' S3Storage (its own
# AWS_* settings then come from the environment).
MEDIA_STORAGE = env_str("PINGAN_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage")
STORAGES = {
    "default": {"BACKEND": MEDIA_STORAGE},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# A server started by `pingan serve` serves what it collected at start (compressed,
# and unchanged while it runs); development (PINGAN_DEBUG) serves the source files.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Map tiles are off unless a tile server is configured: the machines run offline.
# PINGAN_TIANDITU_KEY sets up 天地图, the government basemap (its vector layer and
# its annotation layer on top), as a recipe; a URL of one's own overrides it.
TIANDITU_KEY = env_str("PINGAN_TIANDITU_KEY")
TIANDITU = (
    "https://t{s}.tianditu.gov.cn/%s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=%s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + TIANDITU_KEY
)
MAP_TILE_URL = env_str("PINGAN_MAP_TILE_URL") or (TIANDITU % ("vec", "vec") if TIANDITU_KEY else "")
MAP_TILE_OVERLAY_URL = env_str("PINGAN_MAP_TILE_OVERLAY_URL") or (
    TIANDITU % ("cva", "cva") if TIANDITU_KEY and not env_str("PINGAN_MAP_TILE_URL") else ""
)
MAP_TILE_SUBDOMAINS = env_str("PINGAN_MAP_TILE_SUBDOMAINS") or (
    "01234567" if TIANDITU_KEY else "abc"
)
MAP_TILE_ATTRIBUTION = env_str("PINGAN_MAP_TILE_ATTRIBUTION") or (
    "天地图 · 国家地理信息公共服务平台" if TIANDITU_KEY else ""
)

DEMO_DISTRICT = env_str("PINGAN_DEMO_DISTRICT", "630203")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("PINGAN_LOG_LEVEL", "INFO")},
}

# Text messages: the sender class (dotted path) and, for the console sender, a file
# that collects what would have been sent.
SMS_SENDER = env_str("PINGAN_SMS_SENDER", "pingan.notices.services.ConsoleSender")
SMS_FILE = env_str("PINGAN_SMS_FILE")
# The district video platform's playback page for a camera, {device_id} filled in
# (this platform serves no video itself); blank: no playback link.
VIDEO_PLAYBACK = env_str("PINGAN_VIDEO_PLAYBACK")
# A camera keeps alive every this many seconds (GB/T 28181 Keepalive); after three
# missed it is offline, and offline this many hours it gets a maintenance event.
CAMERA_KEEPALIVE_SECONDS = int(env_str("PINGAN_CAMERA_KEEPALIVE_SECONDS", "60"))
CAMERA_OFFLINE_HOURS = float(env_str("PINGAN_CAMERA_OFFLINE_HOURS", "24"))
# Alarms of one camera and category within this many minutes join the open event.
CAMERA_ALARM_MINUTES = int(env_str("PINGAN_CAMERA_ALARM_MINUTES", "30"))
# The platform's own GB/T 28181 identity (its first 10 digits are the SIP realm),
# where it listens, and the password devices register with.
GB28181_ID = env_str("PINGAN_GB28181_ID", "63020300002000000001")
SIP_BIND = env_str("PINGAN_SIP_BIND", "127.0.0.1:5060")
GB28181_PASSWORD = env_str("PINGAN_GB28181_PASSWORD", "pingan-gb-2026")

# 互联互通: this platform's region code as its linked peers know it (empty: the
# code of the region tree's top).
LINKS_REGION_CODE = env_str("PINGAN_LINKS_REGION_CODE", "")
# Retry waits (5 s, 5 min, 30 min … 24 h) times this: 1 in production; the
# federation test runs a day of faults in minutes with a small one.
LINKS_RETRY_SCALE = float(env_str("PINGAN_LINKS_RETRY_SCALE", "1"))

# 慧停车. Two reads of one plate in one direction at one place this close are one
# passage (two cameras, a retry); reads below this confidence wait for a person;
# the wider new-energy letters (A–K) are plates. A stay with no exit is closed as
# stale after these hours; a stay paid may leave within the grace at no more
# cost; one left unpaid this many hours is 欠费. Plate images are purged after
# the days. The gateway drivers pay through: console (the demo), wechat, alipay.
PARKING_DEDUPE_SECONDS = env_int("PINGAN_PARKING_DEDUPE_SECONDS", 120)
PARKING_CONFIDENCE = env_int("PINGAN_PARKING_CONFIDENCE", 80)
PARKING_LENIENT_PLATES = env_bool("PINGAN_PARKING_LENIENT_PLATES", True)
PARKING_STALE_HOURS = env_int("PINGAN_PARKING_STALE_HOURS", 48)
PARKING_PAY_GRACE_MINUTES = env_int("PINGAN_PARKING_PAY_GRACE_MINUTES", 15)
PARKING_ARREARS_HOURS = env_int("PINGAN_PARKING_ARREARS_HOURS", 24)
PARKING_IMAGE_DAYS = env_int("PINGAN_PARKING_IMAGE_DAYS", 30)
PARKING_GATEWAY = env_str("PINGAN_PARKING_GATEWAY", "console")
# Cameras that send a picture and no plate: read it here ("agentclpr", the extra
# pingan[plates]), or leave it to a person ("").
PARKING_IMAGE_READER = env_str("PINGAN_PARKING_IMAGE_READER", "")
# Where the gateways call back: this site's address as they reach it.
PARKING_NOTIFY_BASE = env_str("PINGAN_PARKING_NOTIFY_BASE", "http://127.0.0.1:8000")
# WeChat Pay v3 (native QR): merchant, app, the merchant key and its certificate's
# serial, the APIv3 key, and the platform public key (微信支付公钥) with its id.
WECHATPAY_MCHID = env_str("PINGAN_WECHATPAY_MCHID")
WECHATPAY_APPID = env_str("PINGAN_WECHATPAY_APPID")
WECHATPAY_CERT_SERIAL = env_str("PINGAN_WECHATPAY_CERT_SERIAL")
WECHATPAY_APIV3_KEY = env_str("PINGAN_WECHATPAY_APIV3_KEY")
WECHATPAY_PRIVATE_KEY_FILE = env_str("PINGAN_WECHATPAY_PRIVATE_KEY_FILE")
WECHATPAY_PUBLIC_KEY_FILE = env_str("PINGAN_WECHATPAY_PUBLIC_KEY_FILE")
WECHATPAY_PUBLIC_KEY_ID = env_str("PINGAN_WECHATPAY_PUBLIC_KEY_ID")
# Alipay (precreate QR): the app, its private key, Alipay's public key; sandbox.
ALIPAY_APPID = env_str("PINGAN_ALIPAY_APPID")
ALIPAY_PRIVATE_KEY_FILE = env_str("PINGAN_ALIPAY_PRIVATE_KEY_FILE")
ALIPAY_PUBLIC_KEY_FILE = env_str("PINGAN_ALIPAY_PUBLIC_KEY_FILE")
ALIPAY_SANDBOX = env_bool("PINGAN_ALIPAY_SANDBOX", False)

# Uploaded photos (originals are private; public copies have no EXIF).
MEDIA_ROOT = Path(env_str("PINGAN_MEDIA_DIR", str(DATA_DIR / "media")))
# Signed checkpoints of the audit journal's head, one JSON line each, appended by
# the worker every round. Keep it where the database's user cannot write (and
# `chattr +a` it): a rewrite or truncation of the journal then no longer matches.
AUDIT_CHECKPOINTS = Path(
    env_str("PINGAN_AUDIT_CHECKPOINTS", str(DATA_DIR / "audit-checkpoints.jsonl"))
)
MAX_PHOTO_BYTES = env_int("PINGAN_MAX_PHOTO_BYTES", 10 * 1024 * 1024)
# The largest request the phone's queue sends (records with their photos, base64):
# the app packs its batches under it (the page tells it), and the server reads
# bodies up to it plus room for the envelope. A larger body gets a structured 413.
SYNC_BATCH_BYTES = env_int("PINGAN_SYNC_BATCH_BYTES", 12 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = SYNC_BATCH_BYTES + 256 * 1024
# Spreadsheet imports are jobs for the worker, so the page can show their progress;
# off, they run inside the request (tests, single-threaded debugging).
IMPORT_IN_BACKGROUND = env_bool("PINGAN_IMPORT_IN_BACKGROUND", True)
# Background jobs (imports, the statutes' embeddings) run in processes `pingan worker`
# starts, this many at a time per worker; a job whose heartbeat is older than
# JOB_STALE_SECONDS is taken for dead and queued again (3 tries).
JOB_PROCESSES = env_int("PINGAN_JOB_PROCESSES", 2)
JOB_STALE_SECONDS = env_int("PINGAN_JOB_STALE_SECONDS", 600)
# A round (the time-limit sweep, deliveries, a checkpoint) is held by one worker of
# all hosts at a time for at most this long; a killed worker's round is taken over
# when it lapses, and an SMS it was sending is tried again (at least once, not twice
# on purpose: the gateway is asked only after the claim).
ROUND_LEASE_SECONDS = env_int("PINGAN_ROUND_LEASE_SECONDS", 300)
# Where 青小律 keeps article embeddings, by the content they were made from (about
# 20 minutes of work on 2 cores, so worth keeping across reloads of the same laws).
LEGAL_VECTORS_DIR = Path(env_str("PINGAN_LEGAL_VECTORS_DIR", str(DATA_DIR / "legal-vectors")))
# 青小律's voice input is the browser's own speech recognition, which some browsers
# (Chrome) send to their vendor's service: a district may turn it off.
LEGAL_VOICE = env_bool("PINGAN_LEGAL_VOICE", True)

# The address residents reach the platform at: printed into each grid's QR code.
PUBLIC_BASE_URL = env_str("PINGAN_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
