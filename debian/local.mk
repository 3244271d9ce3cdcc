# debian: `make deb` builds the Debian package from a copy of this tree (dpkg-buildpackage -us -uc -b);
# `make deb-lint` runs lintian on the result. The copy is the git work tree's files (tracked and untracked,
# not ignored) when there is one, else `make distdir`. The package version is debian/changelog's, which must
# carry this tree's version (VERSION); a build from git that is not the release tag gets a snapshot entry
# VERSION+gitDATE.COMMIT-1 in the copy's changelog.
EXTRA_DIST += \
	debian/changelog debian/control debian/copyright debian/docs debian/rules \
	debian/runsc.postinst debian/runsc.prerm debian/runsc.postrm \
	debian/source/format debian/source/lintian-overrides \
	debian/tests/control debian/tests/smoke \
	tests/integration/packaging.bats tests/integration/packaging-cri.py

PKG_SRC_DIR = pkg/$(PACKAGE)-$(VERSION)

# A clean source tree for the package builds (shared with rpm/local.mk).
.PHONY: pkg-source
pkg-source:
	rm -rf $(PKG_SRC_DIR) pkg/snapshot && $(MKDIR_P) $(PKG_SRC_DIR)
	if git -C $(srcdir) rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  (cd $(srcdir) && git ls-files -z --cached --others --exclude-standard \
	     | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -C $(PKG_SRC_DIR) -xf -; \
	else \
	  $(MAKE) $(AM_MAKEFLAGS) distdir distdir=$(PKG_SRC_DIR); \
	fi
	@changelog_version=$$(dpkg-parsechangelog -l $(srcdir)/debian/changelog -S Version 2>/dev/null \
	                      || sed -n '1s/.*(\(.*\)).*/\1/p' $(srcdir)/debian/changelog); \
	if test "$${changelog_version%-*}" != "$(VERSION)"; then \
	  echo "debian/changelog is at $$changelog_version but VERSION is $(VERSION): add a changelog entry" >&2; \
	  exit 1; \
	fi
	if git -C $(srcdir) rev-parse HEAD >/dev/null 2>&1 \
	   && ! git -C $(srcdir) describe --tags --exact-match --match 'v$(VERSION)' >/dev/null 2>&1; then \
	  commit=$$(git -C $(srcdir) rev-parse --short=12 HEAD); \
	  date=$$(git -C $(srcdir) log -1 --format=%cd --date=format:%Y%m%d%H%M%S HEAD); \
	  echo "$(VERSION)+git$$date.$$commit" > pkg/snapshot; \
	else \
	  echo "$(VERSION)" > pkg/snapshot; \
	fi
	version=$$(cat pkg/snapshot); \
	if test "$$version" != "$(VERSION)"; then \
	  { echo "$(PACKAGE) ($$version-1) UNRELEASED; urgency=medium"; echo; \
	    echo "  * Snapshot build of commit $${version##*.}."; echo; \
	    echo " -- $$(dpkg-parsechangelog -l $(srcdir)/debian/changelog -S Maintainer)  $$(date -R)"; echo; \
	    cat $(srcdir)/debian/changelog; } > $(PKG_SRC_DIR)/debian/changelog; \
	fi

.PHONY: deb deb-source deb-lint
deb: pkg-source
	rm -f pkg/*.deb pkg/*_amd64.changes pkg/*.buildinfo
	cd $(PKG_SRC_DIR) && dpkg-buildpackage -us -uc -b
	@ls -1 pkg/*.deb

# The source package (3.0 (quilt): an orig tarball of the tree without debian/), for lintian's source checks.
deb-source: pkg-source
	rm -f pkg/*.dsc pkg/*.orig.tar.* pkg/*.debian.tar.* pkg/*_source.*
	tar -C pkg --exclude=$(PACKAGE)-$(VERSION)/debian -cJf pkg/$(PACKAGE)_$$(cat pkg/snapshot).orig.tar.xz \
	  $(PACKAGE)-$(VERSION)
	cd $(PKG_SRC_DIR) && dpkg-buildpackage -us -uc -S -d
	@ls -1 pkg/*.dsc

# lintian on what deb and deb-source built; warnings fail too (each one left must be overridden with a reason).
deb-lint:
	lintian --fail-on error,warning --info --display-info pkg/*.changes

# make clean removes what deb, deb-source and rpm left (written as a prerequisite, so that other
# clean-local hooks can be added the same way).
clean-local: clean-pkg
.PHONY: clean-pkg
clean-pkg:
	-rm -rf pkg
