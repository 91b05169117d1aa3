# packaging/install.mk: install, uninstall, deb and rpm targets.
# Included by the top Makefile, which defines PREFIX, SBINDIR, MANDIR,
# SYSCONFDIR and DESTDIR.
#
#   make install [DESTDIR=...] [PREFIX=/usr/local] [UNITDIR=...]
#   make deb     # build/abusemom_VERSION_ARCH.deb (dpkg-buildpackage)
#   make rpm     # build/abusemom-VERSION-1.ARCH.rpm (rpmbuild)
#
# abusemom-ctl goes to BINDIR, not SBINDIR: members of the control
# socket's group run its read commands (status, list, report).

BINDIR		?= $(PREFIX)/bin
DATADIR		?= $(PREFIX)/share
# systemd reads units from /usr/local/lib/systemd/system too; with
# PREFIX=/usr take the distribution's directory (/lib/... on Debian 12).
ifeq ($(PREFIX),/usr)
UNITDIR		?= $(or $(shell pkg-config --variable=systemdsystemunitdir \
		   systemd 2>/dev/null),/lib/systemd/system)
else
UNITDIR		?= $(PREFIX)/lib/systemd/system
endif
SYSUSERSDIR	?= $(PREFIX)/lib/sysusers.d
CONFDIR		 = $(SYSCONFDIR)/abusemom
INSTALL		?= install
PKGVERSION	 = $(shell sed -n 's/^\#define ABUSEMOM_VERSION[^"]*"\(.*\)"/\1/p' \
		   src/version.h)
PKGOUT		?= build
MAN8		 = $(wildcard man/*.8)
MAN5		 = $(wildcard man/*.5)
JAILS		 = $(wildcard jails.d/*.conf)
FILTERS		 = $(wildcard filters.d/*.conf)
# The source of a package: a commit (default HEAD, so that files being
# edited in the work tree stay out), or PKGSRC=worktree for the work
# tree as it is. Outside a git checkout the work tree is used.
PKGSRC		?= HEAD
PKGFILES	 = Makefile README.md src abusemom-ctl jails.d filters.d man \
		   packaging
# $(call pkg_export,DIR): copies the package source into DIR.
pkg_export	 = if [ "$(PKGSRC)" != worktree ] && \
		   git rev-parse --git-dir >/dev/null 2>&1; then \
		   git archive --format=tar $(PKGSRC) $$(git ls-tree \
		   --name-only $(PKGSRC) $(PKGFILES)) | tar -xf - -C $(1); else \
		   tar -cf - --exclude=build $(wildcard $(PKGFILES)) | \
		   tar -xf - -C $(1); fi

install: all
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 0755 $(BUILD)/abusemomd $(DESTDIR)$(SBINDIR)/abusemomd
	$(INSTALL) -m 0755 $(BUILD)/abusemom-ctl \
	    $(DESTDIR)$(BINDIR)/abusemom-ctl
	$(INSTALL) -d $(DESTDIR)$(CONFDIR)/jails.d $(DESTDIR)$(CONFDIR)/filters.d
	$(INSTALL) -m 0644 packaging/abusemom.conf \
	    $(DESTDIR)$(CONFDIR)/abusemom.conf
	$(INSTALL) -m 0644 packaging/hosting-asns.txt \
	    $(DESTDIR)$(CONFDIR)/hosting-asns.txt
	$(INSTALL) -m 0644 $(JAILS) $(DESTDIR)$(CONFDIR)/jails.d/
	$(INSTALL) -m 0644 $(FILTERS) $(DESTDIR)$(CONFDIR)/filters.d/
	$(if $(MAN8),$(INSTALL) -d $(DESTDIR)$(MANDIR)/man8 && \
	    $(INSTALL) -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/)
	$(if $(MAN5),$(INSTALL) -d $(DESTDIR)$(MANDIR)/man5 && \
	    $(INSTALL) -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/)
	$(INSTALL) -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	sed -e 's|/usr/sbin/abusemomd|$(SBINDIR)/abusemomd|' \
	    -e 's|/usr/bin/abusemom-ctl|$(BINDIR)/abusemom-ctl|' \
	    -e 's|/etc/abusemom|$(CONFDIR)|' \
	    packaging/abusemom.service > $(DESTDIR)$(UNITDIR)/abusemom.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/abusemom.service
	$(INSTALL) -m 0644 packaging/abusemom.sysusers \
	    $(DESTDIR)$(SYSUSERSDIR)/abusemom.conf

# Leaves the configuration in place, like a package removal.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/abusemomd $(DESTDIR)$(BINDIR)/abusemom-ctl \
	    $(DESTDIR)$(UNITDIR)/abusemom.service \
	    $(DESTDIR)$(SYSUSERSDIR)/abusemom.conf \
	    $(patsubst man/%,$(DESTDIR)$(MANDIR)/man8/%,$(MAN8)) \
	    $(patsubst man/%,$(DESTDIR)$(MANDIR)/man5/%,$(MAN5))

# Builds in a copy of the tree so that the work tree stays clean.
deb:
	@command -v dpkg-buildpackage >/dev/null || \
	    { echo "deb: dpkg-buildpackage missing (apt-get install" \
	    "debhelper dpkg-dev fakeroot)" >&2; exit 1; }
	@set -e; t=$$(mktemp -d); trap 'rm -rf "$$t"' EXIT; \
	d="$$t/abusemom-$(PKGVERSION)"; mkdir -p "$$d"; \
	$(call pkg_export,"$$d"); \
	cp -R packaging/debian "$$d/debian"; \
	(cd "$$d" && dpkg-buildpackage -us -uc -b); \
	mkdir -p $(PKGOUT); \
	cp "$$t"/*.deb "$$t"/*.buildinfo "$$t"/*.changes $(PKGOUT)/; \
	ls "$$t"/*.deb | sed 's|.*/|deb: $(PKGOUT)/|'

# The systemd macros where rpm lacks them; the packager (a distribution
# sets its own).
RPMDEFS		 = --define "packager abusemom maintainers \
		   <maintainers@users.noreply.r-seed-0e213264.example>" \
		   $(if $(filter /,$(shell rpm --eval '%{_unitdir}' 2>/dev/null | \
		   cut -c1)),,--define "_unitdir /usr/lib/systemd/system") \
		   $(if $(filter /,$(shell rpm --eval '%{_sysusersdir}' 2>/dev/null | \
		   cut -c1)),,--define "_sysusersdir /usr/lib/sysusers.d")

# Builds from a tarball of the package source. The rpm macros on Debian have
# no systemd or sysusers macros and no BuildRequires database, hence
# --nodeps; production RPMs are built on the target distribution.
rpm:
	@command -v rpmbuild >/dev/null || \
	    { echo "rpm: rpmbuild missing (apt-get install rpm)" >&2; exit 1; }
	@set -e; t=$$(mktemp -d); trap 'rm -rf "$$t"' EXIT; \
	mkdir -p "$$t/SOURCES" "$$t/src/abusemom-$(PKGVERSION)"; \
	$(call pkg_export,"$$t/src/abusemom-$(PKGVERSION)"); \
	tar -czf "$$t/SOURCES/abusemom-$(PKGVERSION).tar.gz" -C "$$t/src" \
	    "abusemom-$(PKGVERSION)"; \
	rpmbuild -bb --nodeps --define "_topdir $$t" \
	    $(RPMDEFS) \
	    --define "_tmppath $$t/tmp" \
	    --define "pkgversion $(PKGVERSION)" \
	    packaging/abusemom.spec; \
	mkdir -p $(PKGOUT); \
	cp "$$t"/RPMS/*/*.rpm $(PKGOUT)/; \
	ls "$$t"/RPMS/*/*.rpm | sed 's|.*/|rpm: $(PKGOUT)/|'

.PHONY: install uninstall deb rpm
