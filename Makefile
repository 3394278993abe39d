# checkpassword-suite: build, test, demo and benchmark. Thin wrappers; see README.md.

NODE     ?= node
CC       ?= cc
CFLAGS   ?= -O2 -Wall -Wextra -Wno-unused-parameter
ESBUILD  := node_modules/.bin/esbuild
NODE_INCLUDE ?= $(shell $(NODE) -p "require('path').resolve(process.execPath, '../../include/node')")

PROGRAMS := checkpassword-passwd checkpassword-vpopmail checkpassword-radius
SOURCES  := $(shell find src -name '*.ts')
BUNDLES  := $(PROGRAMS:%=dist/%.cjs)

.PHONY: all build demo test typecheck bench clean

all: build

build: node_modules/.installed dist/checkpassword.node dist/bcryptjs.cjs $(BUNDLES)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# One CommonJS bundle per login program: no ESM loader, no runtime dependency resolution.
dist/%.cjs: src/programs/%.ts $(SOURCES) node_modules/.installed
	$(ESBUILD) $< --bundle --platform=node --target=node20 --format=cjs --minify \
	  --external:bcryptjs --banner:js='#!/usr/bin/env node' --log-level=warning --outfile=$@
	chmod 755 $@

# bcryptjs for the fallback path, outside the login bundles: loaded only when a bcrypt hash is met
# without the native helper (src/crypt/bcrypt-fallback.ts).
dist/bcryptjs.cjs: node_modules/.installed
	$(ESBUILD) bcryptjs --bundle --platform=node --target=node20 --format=cjs --minify \
	  --log-level=warning --outfile=$@

# The native helper: libcrypt's crypt_rn and execve (src/native/checkpassword.c, docs/hashes.md).
dist/checkpassword.node: src/native/checkpassword.c
	@test -f $(NODE_INCLUDE)/node_api.h || { echo "Node headers not found in $(NODE_INCLUDE): set NODE_INCLUDE" >&2; exit 1; }
	@mkdir -p dist
	$(CC) $(CFLAGS) -shared -fPIC -I$(NODE_INCLUDE) $< -lcrypt -o $@

demo: build
	@sh examples/demo.sh

typecheck: node_modules/.installed
	node_modules/.bin/tsc -p .

test: build typecheck
	@mkdir -p build
	node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json=build/test-results.json
	@node -e "const r=require('./build/test-results.json'); console.log(r.numPassedTests + ' passed, ' + r.numFailedTests + ' failed')"

bench: build
	python3 bench/bench.py

clean:
	rm -rf dist build
