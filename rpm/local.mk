# rpm: `make rpm` builds the binary RPM from a copy of this tree (see pkg-source in debian/local.mk) with
# rpmbuild -bb; `make rpm-lint` runs rpmlint on the spec and the result. On Debian rpmbuild has no RPM database
# to check BuildRequires against (--nodeps) and no debuginfo tools (debug_package is turned off), and its
# brp-compress and brp-strip say #!/bin/sh but need bash, so they are run with bash (__os_install_post).
# A snapshot build gets its own %changelog entry in a copy of the spec, so that the changelog matches the
# package's version.
EXTRA_DIST += rpm/runsc.spec rpm/runsc.rpmlintrc rpm/rpmlint.toml

RPM_TOPDIR = $(abs_builddir)/pkg/rpmbuild
# Extra rpmbuild options, such as --nocheck to skip %check (make check) when the unit tests run elsewhere.
RPMBUILD_FLAGS =

.PHONY: rpm rpm-lint
rpm: pkg-source
	@spec_version=$$(sed -n 's/^Version:[[:space:]]*//p' $(srcdir)/rpm/runsc.spec); \
	if test "$$spec_version" != "$(VERSION)"; then \
	  echo "rpm/runsc.spec has Version $$spec_version but VERSION is $(VERSION)" >&2; exit 1; \
	fi
	rm -rf $(RPM_TOPDIR)
	tar -C pkg -cJf pkg/$(PACKAGE)-$(VERSION).tar.xz $(PACKAGE)-$(VERSION)
	version=$$(cat pkg/snapshot); \
	if test "$$version" != "$(VERSION)"; then snapshot="$${version#$(VERSION)+}"; else snapshot=; fi; \
	packager=$$(sed -n 's/^Maintainer: //p' $(srcdir)/debian/control); \
	if test -n "$$snapshot"; then \
	  awk -v entry="* $$(LC_ALL=C date '+%a %b %d %Y') $$packager - $(VERSION)-1.$$snapshot" \
	      -v text="- Snapshot build of commit $${snapshot##*.}." \
	      '{ print } /^%changelog/ { print entry; print text; print "" }' \
	      $(srcdir)/rpm/runsc.spec > pkg/runsc.spec; \
	else \
	  cp $(srcdir)/rpm/runsc.spec pkg/runsc.spec; \
	fi; \
	rpmbuild -bb --nodeps $(RPMBUILD_FLAGS) \
	  --define "_topdir $(RPM_TOPDIR)" --define "_sourcedir $(abs_builddir)/pkg" \
	  --define "debug_package %{nil}" \
	  --define "__os_install_post bash %{_rpmconfigdir}/brp-compress %{_prefix}; bash %{_rpmconfigdir}/brp-strip %{__strip}" \
	  --define "packager $$packager" \
	  $${snapshot:+--define "snapshot $$snapshot"} \
	  pkg/runsc.spec
	@ls -1 $(RPM_TOPDIR)/RPMS/*/*.rpm

# rpm/runsc.rpmlintrc filters what does not apply to a local build; each filter says why.
# HOME: rpmlint opens an rpm database, which Debian's rpm keeps in ~/.rpmdb; keep it in the build tree.
rpm-lint:
	$(MKDIR_P) pkg/rpmlint-home
	HOME=$(abs_builddir)/pkg/rpmlint-home rpmlint -c $(srcdir)/rpm/rpmlint.toml -r $(srcdir)/rpm/runsc.rpmlintrc $(srcdir)/rpm/runsc.spec $(RPM_TOPDIR)/RPMS/*/*.rpm
