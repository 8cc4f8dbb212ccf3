/* unit_main.c - runs the registered unit tests, in file order. */
#include "unit.h"

int unit_failed_now;
static struct unit_test *head, **tail = &head;

void unit_register(struct unit_test *t)
{
	*tail = t;
	tail = &t->next;
}

int main(void)
{
	int failed = 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (struct unit_test *t = head; t; t = t->next) {
		unit_failed_now = 0;
		t->fn();
		printf("%s %s\n", unit_failed_now ? "not ok" : "ok", t->name);
		failed |= unit_failed_now;
	}
	return failed;
}
