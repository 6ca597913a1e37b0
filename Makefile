# The two commands a new user needs: `make site` and `make test`. Everything they need is
# installed here, into .venv/ and node_modules/ (plus Debian's chromium for the browser tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: site serve test test-cpus bench audit mutants browser compiler clean

site: $(VENV)/.installed node_modules/.installed compiler
	$(BIN)/mkdocs build --strict

# PORT=8001 to serve elsewhere; LANGUAGE=en builds one language, so an edit shows in seconds.
PORT ?= 8000
serve: $(VENV)/.installed node_modules/.installed
	HANDBOOK_LANGUAGE=$(LANGUAGE) SITE_URL=http://127.0.0.1:$(PORT)/ $(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(PORT)

# pytest exits 5 when it collects nothing: say so, and fail like any other failure.
test: site browser
	@$(BIN)/python -m pytest -n 2 --dist loadgroup --junitxml=.cache/test-results.xml; status=$$?; \
	  [ $$status -ne 5 ] || echo "pytest collected no tests: the suite is broken, not green" >&2; \
	  exit $$status

# The claim tests again under the CPU kernels of other machines (AVX2, and none), so that a claim
# that holds here holds there too. (The native run is `make test`.)
CLAIM_TESTS = -m "not browser and not build"
test-cpus: $(VENV)/.installed
	ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 $(BIN)/python -m pytest $(CLAIM_TESTS) -q -p no:cacheprovider
	ATEN_CPU_CAPABILITY=default MKL_ENABLE_INSTRUCTIONS=SSE4_2 $(BIN)/python -m pytest $(CLAIM_TESTS) -q -p no:cacheprovider

bench: $(VENV)/.installed node_modules/.installed
	$(BIN)/python benchmarks/build.py

# Each snippet constant changed in turn: caught by a claim test, shown by the pages, or survived.
mutants: $(VENV)/.installed
	$(BIN)/python benchmarks/mutants.py $(ARGS)

# Lighthouse (mobile) on every chapter page, axe-core and the link check on every page: a score table.
audit: site browser
	$(BIN)/python benchmarks/audit.py

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Debian's chromium, driven by Playwright (its own browser download cannot run here).
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# A C++ compiler: torch.compile's default backend (Inductor) generates C++ (snippets/cost/compile_step.py).
compiler:
	@command -v g++ >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq g++ >/dev/null; }

clean:
	rm -rf site .cache
