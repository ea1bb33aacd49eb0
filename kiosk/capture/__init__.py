"""Document capture: find the page in a camera frame, flatten it, clean it, check it, encode it.

Pure image work (numpy + OpenCV), no UI and no driver: the scan screen and the letter flow feed
it frames. See docs/capture.md.
"""
