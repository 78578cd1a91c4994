import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.settings")
application = get_wsgi_application()

# A request makes tens of thousands of short-lived objects and almost no cycles.
# With the default thresholds the collector ran every few hundred allocations and
# now and then walked the whole heap in the middle of a request: the tail of the
# intake latency. Collect less often, and never walk what start-up loaded again.
gc.set_threshold(20_000, 20, 20)
gc.freeze()
