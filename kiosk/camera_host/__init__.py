"""The tray camera in a process of its own, started when the kiosk needs the camera.

The camera, the page detector, the capture pipeline and the QR reader hold what a kiosk's
memory goes on: OpenCV and numpy (some 30 MB once imported, and more as their code pages in
during a scan), camera frames of 6 MB each, the detector's working images. In the app's
process they stayed for good after the first scan: bench/ui.py measured the app at 246 MB
after the first visits without a scan and 277-294 MB for good after one (the target is 250).
So they run in a child process (``host``) that the app starts when a scan, a photo, the
technician's camera check or a receipt's QR watch begins, and ends once nothing has used it
for ``LINGER_S``; everything it took goes back to the system with it.

- The app's side (``client.CameraProcess``) is one thread that owns the child: it starts
  it, sends it the callers' requests, receives its messages (the camera's status, the
  scan's guidance, the shrunk preview pictures, each request's answer) and hands them on:
  statuses and guidance to the kiosk's event bus, pictures to the screen's ``PreviewSlot``,
  answers to the caller waiting for them. ``RemoteScanner``, ``RemotePhotographer`` and
  ``RemoteQrReader`` are what the session and the technician's screen use, with the same
  calls as the in-process classes they stand for.
- While no child runs, the camera's health is probed every ``probe_period_s`` by starting
  one that only opens the camera, reads a frame and ends (the in-process camera's probe did
  the same, every 60 s).
- A child that dies (a crash in a camera driver, a kill) ends the requests it had: a scan
  comes back with no page, a photo as failed, and the camera's status says why; the next
  request starts a new child. The app itself never goes down with it.
- The messages (``messages``) are pickled over a socket pair: both ends are this project's
  code in the same virtualenv, and nothing else can reach the socket.
"""
