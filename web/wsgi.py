"""The WSGI entry point for gunicorn: ``gunicorn -w 2 'web.wsgi:app'``.

Configuration comes from the environment (REGISTRY_DATABASE_URL, REGISTRY_HOME,
REGISTRY_SECRET_KEY); each worker process opens its own registry.
"""

from web import create_app

app = create_app()
