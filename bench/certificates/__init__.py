"""Generated certificates with known contents, for the extraction bench (bench/extraction.py) and the
local reader's tests: content.py draws what a certificate says, layouts.py prints it as a PDF, media.py
turns the PDF into a scan, a phone photo or a HEIC, corpus.py puts a seeded set together."""
