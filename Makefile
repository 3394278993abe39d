# checkpassword-suite: build, test, demo, benchmark, install. Thin wrappers; see README.md and docs/install.md.

NODE     ?= node
CC       ?= cc
CFLAGS   ?= -O2 -Wall -Wextra -Wno-unused-parameter
ESBUILD  := node_modules/.bin/esbuild
NODE_INCLUDE ?= $(shell $(NODE) -p "require('path').resolve(process.execPath, '../../include/node')")

PROGRAMS := checkpassword-passwd checkpassword-vpopmail checkpassword-radius
SOURCES  := $(shell find src -name '*.ts')
BUNDLES  := $(PROGRAMS:%=dist/%.cjs)
TOOL     := dist/checkpassword-tool.cjs

.PHONY: all build demo test typecheck bench clean install uninstall install-check install-paths-check

all: build

build: node_modules/.installed dist/checkpassword.node dist/bcryptjs.cjs $(BUNDLES) $(TOOL)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# One CommonJS bundle per login program: no ESM loader, no runtime dependency resolution.
dist/%.cjs: src/programs/%.ts $(SOURCES) node_modules/.installed
	$(ESBUILD) $< --bundle --platform=node --target=node20 --format=cjs --minify \
	  --external:bcryptjs --banner:js='#!/usr/bin/env node' --log-level=warning --outfile=$@
	chmod 755 $@

# The operator's tool (src/tool/): yargs is bundled in; it is not a per-login program.
$(TOOL): src/tool/main.ts $(SOURCES) node_modules/.installed
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

# --- install / uninstall (docs/install.md) -----------------------------------------------------
# The bundles go to $(PKGLIBDIR) with the native helper and bcryptjs.cjs beside them (each bundle
# loads both from its own directory), their `#!/usr/bin/env node` line replaced by the absolute
# path of node: Dovecot runs the programs with no PATH. $(BINDIR) gets relative symbolic links,
# so an install anywhere (and a DESTDIR staging tree) runs from where it is.
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
LIBDIR    ?= $(PREFIX)/lib
PKGLIBDIR ?= $(LIBDIR)/checkpassword-suite
DATADIR   ?= $(PREFIX)/share
MANDIR    ?= $(DATADIR)/man
DOCDIR    ?= $(DATADIR)/doc/checkpassword-suite
INSTALL   ?= install
# The node named in the installed programs' first line: NODE as given when it has a slash, else
# where PATH finds it. A symbolic link (/usr/local/bin/node) is kept as it is, not resolved.
SHEBANG_NODE ?= $(shell command -v $(NODE) 2>/dev/null)

# Program name in $(BINDIR) -> bundle in $(PKGLIBDIR). radcheckpassword logs under its own name.
INSTALL_LINKS := checkpassword-passwd:checkpassword-passwd.cjs checkpassword-vpopmail:checkpassword-vpopmail.cjs \
                 checkpassword-radius:checkpassword-radius.cjs radcheckpassword:checkpassword-radius.cjs \
                 checkpassword-tool:checkpassword-tool.cjs
INSTALL_BUNDLES := $(PROGRAMS:%=%.cjs) checkpassword-tool.cjs
MAN8 := checkpassword-passwd.8 checkpassword-vpopmail.8 checkpassword-radius.8
# radcheckpassword.8: a link to checkpassword-radius.8 (man/radcheckpassword.8, a .so page, is npm's).
MAN8_LINK := radcheckpassword.8
MAN1 := checkpassword-tool.1
# docs/ keeps its tree under $(DOCDIR)/docs, so README.md's links into it still work.
DOC_FILES := $(shell find docs -type f | LC_ALL=C sort)
DOC_DIRS  := $(shell find docs -mindepth 1 -type d | LC_ALL=C sort -r)
# The links' target directory, relative to BINDIR (../lib/checkpassword-suite by default). Not
# computed (not even under make -n) when a directory cannot be quoted.
REL_PKGLIBDIR = $(if $(INSTALL_UNQUOTABLE),,$(shell realpath -m -s --relative-to='$(BINDIR)' '$(PKGLIBDIR)'))

# The directories go into the recipes inside '...': a ', a $ or a newline in one would end the
# quotes (and uninstall runs rm -f on the words), and a relative one would act on the checkout
# (starting with -, on an option). Such values are refused by name before anything is done.
INSTALL_PATH_VARS := DESTDIR PREFIX BINDIR LIBDIR PKGLIBDIR DATADIR MANDIR DOCDIR
define INSTALL_NEWLINE


endef
INSTALL_UNQUOTABLE = $(strip $(foreach v,$(INSTALL_PATH_VARS),$(if $(findstring ',$($(v)))$(findstring $$,$($(v)))$(findstring $(INSTALL_NEWLINE),$($(v))),$(v))))
INSTALL_RELATIVE = $(strip $(foreach v,$(INSTALL_PATH_VARS),$(if $(or $(filter /%,$(firstword $($(v)))),$(if $(filter DESTDIR,$(v)),$(if $(DESTDIR),,empty))),,$(v))))

install-paths-check:
	@test -z "$(INSTALL_UNQUOTABLE)" || { echo "install: $(INSTALL_UNQUOTABLE): a ' or \$$ or newline in a directory cannot be quoted in the recipes: choose another directory (nothing was installed or removed)" >&2; exit 1; }
	@test -z "$(INSTALL_RELATIVE)" || { echo "install: $(INSTALL_RELATIVE): give an absolute path (nothing was installed or removed)" >&2; exit 1; }

# Refuses a node the kernel could not run from a `#!` line, before anything is installed.
install-check: install-paths-check
	@case '$(SHEBANG_NODE)' in /*) ;; *) echo "install: node not found (NODE=$(NODE)); give its absolute path with NODE=/path/to/node" >&2; exit 1;; esac
	@case '$(SHEBANG_NODE)' in *[!A-Za-z0-9/._+-]*) echo "install: $(SHEBANG_NODE): give node a path of letters, digits and / . _ + - (it goes on a #! line)" >&2; exit 1;; esac
	@test $$(printf '%s' '$(SHEBANG_NODE)' | wc -c) -le 200 || { echo "install: $(SHEBANG_NODE): too long for a #! line" >&2; exit 1; }
	@test "$$('$(SHEBANG_NODE)' -p '+process.versions.node.split(".")[0] >= 20' 2>/dev/null)" = true || { echo "install: $(SHEBANG_NODE) is not Node 20 or later" >&2; exit 1; }
	@for b in $(INSTALL_BUNDLES); do test "$$(head -n 1 dist/$$b)" = '#!/usr/bin/env node' || { echo "install: dist/$$b does not start with #!/usr/bin/env node" >&2; exit 1; }; done

install: build install-check
	$(INSTALL) -d '$(DESTDIR)$(PKGLIBDIR)' '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(MANDIR)/man8' '$(DESTDIR)$(MANDIR)/man1' '$(DESTDIR)$(DOCDIR)'
	@# Written beside the old file, then renamed over it: a mail server never runs half a bundle.
	for b in $(INSTALL_BUNDLES); do \
	  sed '1s|^#!/usr/bin/env node$$|#!$(SHEBANG_NODE)|' dist/$$b > '$(DESTDIR)$(PKGLIBDIR)/'.$$b.new && \
	  chmod 755 '$(DESTDIR)$(PKGLIBDIR)/'.$$b.new && \
	  mv -f '$(DESTDIR)$(PKGLIBDIR)/'.$$b.new '$(DESTDIR)$(PKGLIBDIR)/'$$b || exit 1; \
	done
	for f in checkpassword.node bcryptjs.cjs; do \
	  $(INSTALL) -m 644 dist/$$f '$(DESTDIR)$(PKGLIBDIR)/'.$$f.new && \
	  mv -f '$(DESTDIR)$(PKGLIBDIR)/'.$$f.new '$(DESTDIR)$(PKGLIBDIR)/'$$f || exit 1; \
	done
	for l in $(INSTALL_LINKS); do \
	  ln -sfn '$(REL_PKGLIBDIR)/'$${l#*:} '$(DESTDIR)$(BINDIR)/'$${l%%:*} || exit 1; \
	done
	$(INSTALL) -m 644 $(MAN8:%=man/%) '$(DESTDIR)$(MANDIR)/man8/'
	ln -sfn checkpassword-radius.8 '$(DESTDIR)$(MANDIR)/man8/$(MAN8_LINK)'
	$(INSTALL) -m 644 $(MAN1:%=man/%) '$(DESTDIR)$(MANDIR)/man1/'
	$(INSTALL) -m 644 README.md '$(DESTDIR)$(DOCDIR)/'
	for f in $(DOC_FILES); do $(INSTALL) -D -m 644 $$f '$(DESTDIR)$(DOCDIR)/'$$f || exit 1; done

# Removes what install put there and nothing else: a program name in BINDIR that is not our link,
# a man page or doc file that is not a regular file (npm's links), a radcheckpassword.8 that is not
# our link, are left alone (and named); of the directories, only our own, and only when empty.
uninstall: install-paths-check
	@for l in $(INSTALL_LINKS); do \
	  f='$(DESTDIR)$(BINDIR)/'$${l%%:*}; \
	  if [ -L "$$f" ] && [ "$$(readlink "$$f")" = '$(REL_PKGLIBDIR)/'$${l#*:} ]; then echo "rm $$f"; rm -f "$$f"; \
	  elif [ -e "$$f" ] || [ -L "$$f" ]; then echo "uninstall: $$f is not the link install made: left alone" >&2; fi; \
	done
	rm -f $(foreach f,$(INSTALL_BUNDLES) checkpassword.node bcryptjs.cjs,'$(DESTDIR)$(PKGLIBDIR)/$(f)')
	@f='$(DESTDIR)$(MANDIR)/man8/$(MAN8_LINK)'; \
	if [ -L "$$f" ] && [ "$$(readlink "$$f")" = checkpassword-radius.8 ]; then echo "rm $$f"; rm -f "$$f"; \
	elif [ -e "$$f" ] || [ -L "$$f" ]; then echo "uninstall: $$f is not the link install made: left alone" >&2; fi
	@for f in $(foreach f,$(MAN8),'$(DESTDIR)$(MANDIR)/man8/$(f)') $(foreach f,$(MAN1),'$(DESTDIR)$(MANDIR)/man1/$(f)') \
	          '$(DESTDIR)$(DOCDIR)/README.md' $(foreach f,$(DOC_FILES),'$(DESTDIR)$(DOCDIR)/$(f)'); do \
	  if [ -f "$$f" ] && [ ! -L "$$f" ]; then echo "rm $$f"; rm -f "$$f"; \
	  elif [ -e "$$f" ] || [ -L "$$f" ]; then echo "uninstall: $$f is not the file install made: left alone" >&2; fi; \
	done
	@for d in '$(DESTDIR)$(PKGLIBDIR)' $(foreach d,$(DOC_DIRS) docs,'$(DESTDIR)$(DOCDIR)/$(d)') '$(DESTDIR)$(DOCDIR)'; do \
	  if [ -d "$$d" ]; then rmdir --ignore-fail-on-non-empty "$$d"; fi; \
	done
