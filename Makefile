# Two entry points for a newcomer: `make site` and `make test` (see README.md).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: site test browser clean

site: $(VENV)/.installed
	$(BIN)/qunsop build .
	@echo "网站在 site/ 里：用 $(BIN)/qunsop serve 在本机预览"

test: $(VENV)/.installed browser
	bash scripts/test.sh $(BIN)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

browser:
	bash scripts/install-browser.sh

clean:
	rm -rf site build .site.staging tests/screenshots
