# Anjungan — the two commands a newcomer needs are `make demo` and `make test`.
# Both do all of their own set-up: Debian packages (apt-get, when root), a virtualenv in .venv,
# and the project installed into it with the extras they need.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo-output
VCARD_READER := build/ifd/libifd-vpcd-events.so

# Debian packages the test suite drives for real: pcscd + vpcd (smart-card stack), swig and the
# pcsclite headers (to build pyscard), PostgreSQL (the production database), Xvfb plus the GL,
# mtdev and X libraries the Kivy wheel's SDL2 loads (the touchscreen app, headless in tests).
APT_PACKAGES := python3-venv python3-dev gcc pkg-config swig libpcsclite-dev pcscd \
	vsmartcard-vpcd postgresql xvfb xauth libglib2.0-0 libgl1 libgl1-mesa-dri libegl1 \
	libmtdev1 libxrender1 libxext6

.PHONY: help system-packages venv vcard-reader lint typecheck pytest test demo bench openapi clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

system-packages:  ## install missing Debian packages (apt-get, only when root)
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "missing Debian packages:$$missing — run 'sudo make system-packages'"; exit 1; \
	  fi; \
	fi

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python >= 3.11 needed"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[central,devices,app,test]'
	touch $@

venv: system-packages $(STAMP) $(VCARD_READER)  ## create .venv and install the project with its extras

# The tests' and benches' virtual card reader: a vpcd-compatible pcscd driver that reports card
# events instead of being polled every 400 ms (tests/vcard/ifd, docs/drivers-cards.md).
$(VCARD_READER): tests/vcard/ifd/ifd-vpcd-events.c | system-packages
	@mkdir -p $(@D)
	$(CC) -Wall -Wextra -Werror -O2 -fPIC -shared $$(pkg-config --cflags libpcsclite) \
		-o $@.tmp$$$$ $< && mv -f $@.tmp$$$$ $@

vcard-reader: $(VCARD_READER)  ## build the event-driven virtual card reader driver (tests, bench)

lint: venv  ## ruff
	$(BIN)/ruff check .

typecheck: venv  ## mypy, strict on kiosk/, drivers/, central/
	$(BIN)/mypy

pytest: venv  ## the whole pytest suite
	$(BIN)/pytest

test: lint typecheck pytest  ## everything CI runs: set-up, ruff, mypy, pytest

demo: venv  ## seeded central server on SQLite plus a scripted resident journey
	$(BIN)/kiosk demo --out $(DEMO_DIR)

# The issues' benchmark entry points; each runs its sub-benchmarks itself.
BENCHES := bench/central_ingest.py bench/login.py bench/drivers.py bench/services.py \
	bench/capture.py

bench: venv  ## every benchmark, each printing its figure beside its target
	@for b in $(BENCHES); do echo "== $$b"; $(BIN)/python $$b || exit 1; done

openapi: venv  ## rewrite the committed openapi.json from the running code
	$(BIN)/kiosk-central openapi > openapi.json

clean:  ## remove the virtualenv and generated output
	rm -rf $(VENV) $(DEMO_DIR) .mypy_cache .ruff_cache .pytest_cache build/ifd
