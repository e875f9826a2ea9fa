"""gunicorn settings, read from the environment: `gunicorn -c gunicorn.conf.py paralympics.wsgi`."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")

# Every process sees an editor's change (pages are keyed by the database's generation), but
# without Redis each keeps its own page cache and login-failure counts: one process with threads.
workers = int(
    os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1 if os.environ.get("REDIS_URL") else 1)
)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, staggered, so a slow leak never takes the site down; rarely enough that a
# flood (hundreds of requests a second) does not keep workers restarting, each restart a second or two of stall.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10

# The proxy in front is the only client allowed to say the request came over HTTPS. Django reads the
# same variable, with the same default and the same rule, to know whose X-Forwarded-For names the
# client (settings.FORWARDED_ALLOW_IPS, for the login throttle): change the two together.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
