/*
 * unit.h - a minimal host unit-test framework for pure kernel code.
 *
 * A test file lists the kernel sources it needs on a line
 *   // UNIT-SRCS: kernel/mm/frame.c kernel/lib/rbtree.c
 * and defines tests with UNIT_TEST(name) { ... }, using CHECK(cond).
 * Each test prints "ok NAME" or "not ok NAME: reason"; main() runs them
 * all in order (see unit_main.c) and the Makefile counts the lines.
 */
#ifndef ASPEN_UNIT_H
#define ASPEN_UNIT_H
#include <stdio.h>
#include <stdlib.h>

struct unit_test { const char *name; void (*fn)(void); struct unit_test *next; };
void unit_register(struct unit_test *t);
extern int unit_failed_now; /* set by CHECK in the running test */

#define UNIT_TEST(name_) \
	static void unit_fn_##name_(void); \
	static struct unit_test unit_t_##name_ = { #name_, unit_fn_##name_, 0 }; \
	__attribute__((constructor)) static void unit_reg_##name_(void) { unit_register(&unit_t_##name_); } \
	static void unit_fn_##name_(void)

/* CHECK - on failure report file:line and the condition, and stop the test. */
#define CHECK(cond) do { if (!(cond)) { \
	printf("    %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	unit_failed_now = 1; return; } } while (0)
/* CHECK_EQ - integers, printing both sides on failure. */
#define CHECK_EQ(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); if (a_ != b_) { \
	printf("    %s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a, a_, #b, b_); \
	unit_failed_now = 1; return; } } while (0)
#endif
