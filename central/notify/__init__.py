"""Telling residents when something they asked for moves on (a letter is ready, a complaint
is answered), by SMS or WhatsApp, if they gave a phone number (docs/public.md).

``hooks.notify_resident`` enqueues a message in the same transaction as the change it
reports (an outbox table, ``Notification``); ``worker.NotificationWorker`` claims due
messages one at a time and hands them to a ``notifier.Notifier``, retrying with backoff."""
