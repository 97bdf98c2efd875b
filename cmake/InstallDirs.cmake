# SPDX-License-Identifier: EUPL-1.2
# Where the installed files go. One prefix for everything (/usr for packages: the `release` preset
# and debian/rules set it), configuration in /etc whatever the prefix (GNUInstallDirs' FULL_SYSCONFDIR),
# and the systemd folders the running systemd reads, as its pkg-config file names them: on Debian 12
# system units live in /lib/systemd/system, where debhelper looks for them.
pkg_get_variable(CPSLOCK_SYSTEMD_SYSTEM_DEFAULT systemd systemdsystemunitdir)
pkg_get_variable(CPSLOCK_SYSTEMD_USER_DEFAULT systemd systemduserunitdir)
pkg_get_variable(CPSLOCK_SYSUSERS_DEFAULT systemd sysusersdir)
pkg_get_variable(CPSLOCK_TMPFILES_DEFAULT systemd tmpfilesdir)
pkg_get_variable(CPSLOCK_CATALOG_DEFAULT systemd catalogdir)
foreach(var SYSTEMD_SYSTEM SYSTEMD_USER SYSUSERS TMPFILES CATALOG)
    if(NOT CPSLOCK_${var}_DEFAULT)
        message(FATAL_ERROR "systemd.pc does not name the ${var} folder: install the systemd package")
    endif()
endforeach()
set(CPSLOCK_SYSTEMDSYSTEMUNITDIR "${CPSLOCK_SYSTEMD_SYSTEM_DEFAULT}" CACHE PATH "systemd system units")
set(CPSLOCK_SYSTEMDUSERUNITDIR "${CPSLOCK_SYSTEMD_USER_DEFAULT}" CACHE PATH "systemd user units")
set(CPSLOCK_SYSUSERSDIR "${CPSLOCK_SYSUSERS_DEFAULT}" CACHE PATH "systemd-sysusers configuration")
set(CPSLOCK_TMPFILESDIR "${CPSLOCK_TMPFILES_DEFAULT}" CACHE PATH "systemd-tmpfiles configuration")
# systemd's dpkg trigger on this folder rebuilds journalctl's catalog (journalctl -x).
set(CPSLOCK_JOURNALCATALOGDIR "${CPSLOCK_CATALOG_DEFAULT}" CACHE PATH "journald message catalogs")

# Program folders derived from the prefix at configure time: cpslockd runs its worker by this full
# path, so a later `cmake --install --prefix` cannot move it (configure with CMAKE_INSTALL_PREFIX).
set(CPSLOCK_LIBEXECDIR "${CMAKE_INSTALL_FULL_LIBEXECDIR}/cpslock" CACHE PATH "Folder of cpslock's helper programs")
# Debian's multiarch PAM folder (/usr/lib/<triplet>/security with prefix /usr); libpam has no
# pkg-config variable for it.
set(CPSLOCK_PAMDIR "${CMAKE_INSTALL_FULL_LIBDIR}/security" CACHE PATH "Folder of PAM modules")

# The policy's built-in paths (core/policy/Policy.h) are /etc/cpslock and /usr/share/cpslock: any other
# prefix installs anchors where the default policy does not look.
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    message(STATUS "cpslock: install prefix ${CMAKE_INSTALL_PREFIX} is not /usr; the default policy reads "
        "/usr/share/cpslock/igc-sante and /usr/libexec/cpslock only from a /usr install")
endif()
