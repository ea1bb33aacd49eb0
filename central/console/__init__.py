"""The operators' console: server-rendered pages (Jinja2, plain forms, no front-end build).

Every asset is served from this package, because district networks may be offline.
``routes.install_console`` mounts it on the app; each page's module adds its routes to the
one ``router`` through ``pages.page``, naming the ``Area`` it belongs to, so sign-in, the
idle timeout, role checks, CSRF and the office scope are applied in one place
(``session.console_operator``). docs/central.md ("The console") says how to use it.
"""
