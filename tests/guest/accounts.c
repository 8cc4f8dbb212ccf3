/*
 * accounts.c - the image's /etc/passwd and /etc/group hold Debian's
 * default accounts, so the C library finds them by name and number.
 * musl only: static glibc looks accounts up through shared NSS modules.
 */
#include "gtest.h"
#include <grp.h>
#include <pwd.h>

GTEST(getpwnam_and_getgrnam_find_debians_accounts)
{
	static const struct { const char *name; uid_t uid; gid_t gid; } users[] = {
		{ "root", 0, 0 }, { "daemon", 1, 1 }, { "bin", 2, 2 }, { "sys", 3, 3 },
		{ "nobody", 65534, 65534 },
	};
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		struct passwd *pw = getpwnam(users[i].name);
		CHECK(pw != NULL, "getpwnam(%s)", users[i].name);
		CHECK_EQ(pw->pw_uid, users[i].uid);
		CHECK_EQ(pw->pw_gid, users[i].gid);
	}
	struct passwd *pw = getpwuid(65534);
	CHECK(pw && strcmp(pw->pw_name, "nobody") == 0, "getpwuid(65534)");
	struct group *gr = getgrnam("nogroup");
	CHECK(gr && gr->gr_gid == 65534, "getgrnam(nogroup)");
	gr = getgrgid(0);
	CHECK(gr && strcmp(gr->gr_name, "root") == 0, "getgrgid(0)");
}
